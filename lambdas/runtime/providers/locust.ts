import { LocustClient } from '../../adapters/locust/client';

/** A client of the Locust master at `url`. */
export const locust =
  () =>
  (url: string): LocustClient =>
    new LocustClient({ baseUrl: url });
