import { sameCounterGeneration } from '../counter-generation';
import type { Baseline, Command, Observation, Sample, UsersKnot } from './types';

export type Measurement =
  | { readonly kind: 'sample'; readonly sample: Sample }
  | {
      readonly kind: 'rejected';
      readonly reason:
        | 'no baseline'
        | 'restart'
        | 'reset'
        | 'not running'
        | 'bad reading'
        | 'stall'
        | 'no exposure';
      /** Whether the next interval is measured from this reading (else from the old baseline). */
      readonly rebase: boolean;
      readonly text: string;
      /** A stall's counters: comparable, only not an estimate's sample (the dead-system check needs them). */
      readonly interval?: CountedInterval;
    };

/** What Locust counted between two comparable readings. */
export interface CountedInterval {
  readonly orders: number;
  readonly requests: number;
  readonly failures: number;
  readonly minutes: number;
}

/**
 * Adds the users Locust ran between the last reading and `now`: from the users reported then towards those
 * reported now, at the commanded spawn rate (a spawn slower than commanded stretches over the whole interval).
 * The reported counts anchor the path, so a spawn faster or slower than asked, or users lost with a worker,
 * do not bias the exposure; only the shape between two readings comes from the command.
 */
export function extendPath(
  path: readonly UsersKnot[],
  command: Command | null,
  now: UsersKnot,
  keepFromMs: number,
): UsersKnot[] {
  const last = path.at(-1);
  const knots = [...path];
  if (last && now.at > last.at) {
    const change = Math.abs(now.users - last.users);
    const rate = command && command.rate > 0 ? command.rate : Number.POSITIVE_INFINITY;
    const reached = last.at + Math.min(now.at - last.at, (change / rate) * 1000);
    if (reached > last.at && reached < now.at) knots.push({ at: reached, users: now.users });
  }
  if (!last || now.at > last.at) knots.push({ at: now.at, users: now.users });
  const firstKept = knots.findIndex((k) => k.at >= keepFromMs);
  return firstKept > 0 ? knots.slice(firstKept - 1) : knots;
}

/** ∫ users dt over [from, to] (epoch ms) along the path (linear between knots, 0 before, flat after), user-minutes. */
export function userMinutes(path: readonly UsersKnot[], from: number, to: number): number {
  if (to <= from || path.length === 0) return 0;
  const at = (t: number): number => {
    const i = path.findIndex((k) => k.at >= t);
    if (i === 0) return t < (path[0] as UsersKnot).at ? 0 : (path[0] as UsersKnot).users;
    if (i < 0) return (path.at(-1) as UsersKnot).users;
    const p = path[i - 1] as UsersKnot;
    const q = path[i] as UsersKnot;
    return p.users + ((q.users - p.users) * (t - p.at)) / (q.at - p.at);
  };
  const cuts = [from, ...path.map((k) => k.at).filter((t) => t > from && t < to), to];
  let total = 0;
  for (let i = 1; i < cuts.length; i++) {
    const a = cuts[i - 1] as number;
    const b = cuts[i] as number;
    // Before the first knot no user ran: integrate from there.
    const start = Math.max(a, Math.min(b, (path[0] as UsersKnot).at));
    total += ((at(start) + at(b)) / 2) * (b - start);
  }
  return total / 60_000;
}

/** How long after a user's journey its orders reach the counter read at a tick. */
export interface OrderDelays {
  /** A journey: from the users running to their orders completing (ms). */
  readonly orderMs: number;
  /** The workers' reports: from an order completing to the master's counter (ms; not for settled counts). */
  readonly statsLagMs: number;
}

/**
 * The interval since the baseline, or why it cannot be measured. Orders counted over it were placed by the users
 * running a journey earlier. Settled counts (both readings have them, the second's later) span exactly their
 * seconds; otherwise the counter's span is the readings' and its orders lag them by the workers' reports too.
 */
export function measure(
  last: Baseline | null,
  now: Observation,
  path: readonly UsersKnot[],
  delays: OrderDelays,
  badReadingsBefore: number,
): Measurement {
  const reject = (reason: Exclude<Measurement, { kind: 'sample' }>['reason'], text: string, rebase = true) =>
    ({ kind: 'rejected', reason, text, rebase }) as const;
  if (!last) return reject('no baseline', 'no baseline');
  if (!sameCounterGeneration(last, now)) {
    return last.bootId !== now.bootId
      ? reject('restart', 'the Locust master restarted')
      : reject('reset', 'the counters were reset');
  }
  if (!now.running) return reject('not running', 'Locust is not running');
  if (now.orders < last.orders || now.requests < last.requests || now.at <= last.at) {
    // One reading that went backwards is a bad reading: keep the baseline, so the next good reading measures the
    // whole time since. Rebasing on it would count every order since the last good reading into one tick.
    return reject('bad reading', 'a counter went down', badReadingsBefore >= 1);
  }
  const settled =
    last.settled &&
    now.settled &&
    now.settled.at > last.settled.at &&
    now.settled.orders >= last.settled.orders
      ? { from: last.settled, to: now.settled }
      : null;
  const span = settled
    ? { from: settled.from.at - delays.orderMs, to: settled.to.at - delays.orderMs }
    : { from: last.at - delays.orderMs - delays.statsLagMs, to: now.at - delays.orderMs - delays.statsLagMs };
  const exposure = userMinutes(path, span.from, span.to);
  const orders = settled ? settled.to.orders - settled.from.orders : now.orders - last.orders;
  const minutes = (span.to - span.from) / 60_000;
  // The interval's users ran before the load began (an order delay as long as the first tick): by the model, no
  // one placed its orders, so it says nothing of a user's cycle (its user-minutes per order would be 0 or 0/0).
  if (exposure <= 0) {
    const delay = (now.at - span.to) / 1000;
    return reject('no exposure', `no users ran ${delay.toFixed(0)} s before it, when its orders were placed`);
  }
  if (orders === 0 && exposure > 0) {
    return {
      ...reject('stall', 'no orders while users ran'),
      interval: {
        orders,
        requests: now.requests - last.requests,
        failures: now.failures - last.failures,
        minutes,
      },
    };
  }
  const cpu = now.workerCpuPercent?.length ? Math.max(...now.workerCpuPercent) : null;
  return {
    kind: 'sample',
    sample: {
      at: now.at,
      minutes,
      orders,
      userMinutes: exposure,
      requests: now.requests - last.requests,
      failures: now.failures - last.failures,
      users: now.users,
      workerCpuPercent: cpu,
    },
  };
}
