import { error, type JsonHandler, json } from './http';
import { parseShapeChange, type Shape, type ShapeChange } from './shape';

/**
 * The admin API, the "conductor agent" contract that the conductor's `http` platform adapter speaks:
 *   GET    /_conductor/shape           -> {version, replicas, ready}
 *   PUT    /_conductor/shape           {version?, replicas?} -> 200 shape, once every worker listens
 *                                       400 names the bad field; 403 on a read-only (production) instance
 *   GET    /_conductor/orders/summary  -> {total, test}
 *   DELETE /_conductor/test-data       -> {deleted: {orders, checkouts, carts}}   (403 when read-only)
 */

export interface AdminDeps {
  readOnly: boolean;
  shape(): Shape;
  applyShape(change: ShapeChange): Promise<Shape>;
  ordersSummary(): { total: number; test: number };
  deleteTestData(): { orders: number; checkouts: number; carts: number };
}

const READ_ONLY = 'this instance is read-only: the conductor may read its shape but not change it';

export function createAdminHandler(deps: AdminDeps): JsonHandler {
  return async ({ method, path, body }) => {
    switch (path) {
      case '/_conductor/shape':
        if (method === 'GET') return json(200, deps.shape());
        if (method !== 'PUT') return error(405, 'use GET or PUT');
        if (deps.readOnly) return error(403, READ_ONLY);
        {
          const change = parseShapeChange(body);
          if (!change.ok) return error(400, change.error);
          try {
            return json(200, await deps.applyShape(change.value));
          } catch (err) {
            return error(500, `could not apply the shape: ${(err as Error).message}`);
          }
        }
      case '/_conductor/orders/summary':
        return method === 'GET' ? json(200, deps.ordersSummary()) : error(405, 'use GET');
      case '/_conductor/test-data':
        if (method !== 'DELETE') return error(405, 'use DELETE');
        if (deps.readOnly) return error(403, READ_ONLY);
        return json(200, { deleted: deps.deleteTestData() });
      default:
        return error(404, `${method} ${path} is not part of the admin API`);
    }
  };
}
