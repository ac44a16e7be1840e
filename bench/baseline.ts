/**
 * The seed article's load-generation algorithm (Zalando's load-test-conductor, 2021), written as its
 * pseudo-code says — bugs included — as the baseline the ramp controller is measured against:
 *
 * ```
 * set initial number of users to 1
 * while load test time has not exceeded
 *     get locust status
 *     calculate orders per defined calculation interval
 *     calculate orders per minute
 *     set number of orders to value from number of orders reported by locust.
 *     if user count in locust status is equal to zero
 *         hatch rate = 1; user count = initial number of users; orders per minute = 0; number of orders = 0
 *     else if orders per minute equal to zero
 *         print "load test stalled due to no orders getting generated."
 *         hatch rate = 1; user count = 1                                  ← collapses to one user
 *     [else]
 *         total users needed = target opm / (opm per current user)
 *         users to create = needed − current; time left; iterations left; users this iteration
 *         hatch rate = users this iteration / interval
 *         hatch rate = calculated users                                   ← overwrites the hatch rate
 *     update locust with load test parameters
 *     sleep for calculation interval
 * ```
 *
 * Readings of the pseudo-code where it is silent:
 * - "orders per interval" is the difference of the order counter to the previous tick's, divided by the
 *   configured interval (not the time that really passed); after a stats reset it is negative, which the
 *   seed does not guard: the "users needed" then come out negative, Locust refuses a negative user count,
 *   and nothing changes.
 * - "calculated users" are the current users plus the users to spawn in this iteration; the bug sets the hatch
 *   rate to that count (so every change is spawned within about a second) and the user count to it as well.
 * - "time left" runs to the end of the ramp-up (at least one iteration), so the target is aimed at by then.
 */
import type { Command, Reading } from './sim';

export interface BaselineConfig {
  readonly targetOrdersPerMinute: number;
  readonly rampUpSeconds: number;
  readonly tickSeconds: number;
}

export class SeedAlgorithm {
  private numberOfOrders = 0;
  private userCount = 1;
  private hatchRate = 1;
  readonly log: string[] = [];

  constructor(private readonly config: BaselineConfig) {}

  /** The first command, before any tick: one user at one per second. */
  start(): Command {
    return { users: 1, spawnRate: 1 };
  }

  /** One iteration of the loop at `elapsedSeconds`, given Locust's status (the seed never looked at the workers' CPU). */
  tick(status: Omit<Reading, 'workerCpuPercent'>, elapsedSeconds: number): Command | null {
    const { targetOrdersPerMinute: target, rampUpSeconds, tickSeconds } = this.config;
    const ordersInInterval = status.orders - this.numberOfOrders;
    const ordersPerMinute = ordersInInterval / (tickSeconds / 60);
    this.numberOfOrders = status.orders;

    if (status.users === 0) {
      this.log.push('load test is being initialized.');
      this.hatchRate = 1;
      this.userCount = 1;
      this.numberOfOrders = 0;
    } else if (ordersPerMinute === 0) {
      this.log.push('load test stalled due to no orders getting generated.');
      this.hatchRate = 1;
      this.userCount = 1;
    } else {
      const perUser = ordersPerMinute / status.users;
      const totalUsersNeeded = target / perUser;
      const usersToCreate = totalUsersNeeded - status.users;
      const timeLeft = Math.max(0, rampUpSeconds - elapsedSeconds);
      const iterationsLeft = Math.max(1, Math.floor(timeLeft / tickSeconds));
      const usersThisIteration = usersToCreate / iterationsLeft;
      const calculatedUsers = Math.round(status.users + usersThisIteration);
      this.hatchRate = usersThisIteration / tickSeconds;
      this.hatchRate = calculatedUsers; // the seed's bug: the hatch rate becomes the user count
      this.userCount = calculatedUsers;
    }
    // Locust refuses a negative user count or a hatch rate ≤ 0: the test goes on as it was.
    if (!(this.userCount >= 0) || !(this.hatchRate > 0)) return null;
    return { users: this.userCount, spawnRate: this.hatchRate };
  }
}
