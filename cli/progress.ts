import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { STEPS } from '../statemachine/steps';
import { parseJsonOutput } from './exit-code';
import type { Sfn } from './sfn';

/** The state whose output says where the test stands. */
const RAMP_TICK_STATE = STEPS['ramp-tick'];

/** What a ramp tick reports (`$.ramp` in the execution state); every field optional. */
export interface RampProgress {
  readonly tick?: number;
  readonly ordersPerMinute?: number;
  readonly targetNow?: number;
  readonly users?: number;
  readonly workers?: number;
  readonly message?: string;
  /** The environment's KPI unit (`run.environment.kpi.unit`), e.g. "bookings per minute". */
  readonly kpiUnit?: string;
}

/** `state.ramp`'s known fields, or undefined when there are none. `state` may be JSON text. */
export function rampProgressOf(state: unknown): RampProgress | undefined {
  const value = parseJsonOutput(state);
  if (value === null || typeof value !== 'object') return undefined;
  const ramp = (value as { ramp?: unknown }).ramp;
  if (ramp === null || typeof ramp !== 'object') return undefined;
  const r = ramp as Record<string, unknown>;
  const num = (k: string) =>
    typeof r[k] === 'number' && Number.isFinite(r[k]) ? (r[k] as number) : undefined;
  const progress: RampProgress = {
    tick: num('tick'),
    ordersPerMinute: num('ordersPerMinute'),
    targetNow: num('targetNow'),
    users: num('users'),
    workers: num('workers'),
    message: typeof r.message === 'string' && r.message !== '' ? r.message : undefined,
  };
  if (!Object.values(progress).some((v) => v !== undefined)) return undefined;
  const unit = (value as { run?: { environment?: { kpi?: { unit?: unknown } } } }).run?.environment?.kpi
    ?.unit;
  return typeof unit === 'string' && unit !== '' ? { ...progress, kpiUnit: unit } : progress;
}

const DEFAULT_UNIT = 'orders/min';

const round = (n: number) => String(Math.round(n * 10) / 10);

/** Label/value rows for `ltc status`, only the fields present. */
export function progressRows(p: RampProgress): [string, string][] {
  const rows: [string, string][] = [];
  if (p.tick !== undefined) rows.push(['tick', String(p.tick)]);
  if (p.ordersPerMinute !== undefined) rows.push([p.kpiUnit ?? DEFAULT_UNIT, round(p.ordersPerMinute)]);
  if (p.targetNow !== undefined) rows.push(['target now', round(p.targetNow)]);
  if (p.users !== undefined) rows.push(['users', String(p.users)]);
  if (p.workers !== undefined) rows.push(['workers', String(p.workers)]);
  if (p.message !== undefined) rows.push(['message', p.message]);
  return rows;
}

/** One line for `ltc start --wait`: `tick 12: 850 orders/min (target now 900), 170 users, 4 workers — …`. */
export function progressSummary(p: RampProgress): string {
  const parts: string[] = [];
  if (p.ordersPerMinute !== undefined) {
    parts.push(
      `${round(p.ordersPerMinute)} ${p.kpiUnit ?? DEFAULT_UNIT}${p.targetNow !== undefined ? ` (target now ${round(p.targetNow)})` : ''}`,
    );
  } else if (p.targetNow !== undefined) {
    parts.push(`target now ${round(p.targetNow)} ${p.kpiUnit ?? DEFAULT_UNIT}`);
  }
  if (p.users !== undefined) parts.push(`${p.users} users`);
  if (p.workers !== undefined) parts.push(`${p.workers} workers`);
  let line = `tick ${p.tick ?? '?'}`;
  if (parts.length > 0) line += `: ${parts.join(', ')}`;
  if (p.message !== undefined) line += ` — ${p.message}`;
  return line;
}

/**
 * The latest ramp tick's progress, reading the history newest first. Stops
 * after `maxPages` pages (a tick happens every few events, so the latest one
 * of a running test is on the first page).
 */
export async function latestTick(
  sfn: Sfn,
  executionArn: string,
  maxPages = 20,
): Promise<RampProgress | undefined> {
  let nextToken: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await sfn.getExecutionHistory({
      executionArn,
      reverseOrder: true,
      maxResults: 100,
      nextToken,
    });
    const tick = (res.events ?? []).find(isRampTickExit);
    if (tick) return rampProgressOf(tick.stateExitedEventDetails?.output);
    nextToken = res.nextToken;
    if (!nextToken) return undefined;
  }
  return undefined;
}

function isRampTickExit(e: HistoryEvent): boolean {
  return e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === RAMP_TICK_STATE;
}
