/** Environment variable through which the supervisor hands its config (JSON) to each worker. */
export const WORKER_CONFIG_ENV = 'DEMO_SHOP_WORKER_CONFIG';
