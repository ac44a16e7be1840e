/**
 * The conductor plugin's settings read from the environment and its dispatcher checks, run in the venv's Python
 * (one process per test: importing Locust takes a second).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const python = join(root, '.venv', 'bin', 'python');

function runPython(script: string, ...args: string[]): unknown {
  const output = execFileSync(python, ['-c', script, ...args], {
    cwd: join(root, 'locust'),
    encoding: 'utf8',
  });
  return JSON.parse(output);
}

/** For each raw value: what `heartbeat_liveness_seconds()` returns, or the message it raises. */
function heartbeatLiveness(raws: string[]): (number | null | string)[] {
  const script = `
import json, os, sys
from conductor_plugin import heartbeat_liveness_seconds
out = []
for raw in json.loads(sys.argv[1]):
    os.environ["LTC_HEARTBEAT_LIVENESS_SECONDS"] = raw
    try:
        out.append(heartbeat_liveness_seconds())
    except ValueError as e:
        out.append(str(e))
print(json.dumps(out))
`;
  return runPython(script, JSON.stringify(raws)) as (number | null | string)[];
}

describe('conductor_plugin.heartbeat_liveness_seconds', () => {
  it('takes whole seconds >= 1, none when unset, and refuses anything else', () => {
    const [unset, blank, ten, padded, ...bad] = heartbeatLiveness([
      '',
      '  ',
      '10',
      ' 7 ',
      '0',
      '2.5',
      '-3',
      'ten',
    ]);
    expect([unset, blank, ten, padded]).toEqual([null, null, 10, 7]);
    expect(bad).toHaveLength(4);
    for (const message of bad) {
      expect(message).toMatch(
        /^LTC_HEARTBEAT_LIVENESS_SECONDS must be a whole number of seconds >= 1, got '/,
      );
    }
  });
});

describe('conductor_plugin.healed_without_redistribution', () => {
  it('names a worker back from missing only while its return is still undispatched', () => {
    // A real UsersDispatcher driven as the 2.47 master drives it; the runner is reduced to what the check reads.
    const script = `
import json
from types import SimpleNamespace
from locust import User, task
from locust.dispatch import UsersDispatcher
from locust.runners import STATE_MISSING, STATE_RUNNING, WorkerNode
from conductor_plugin import healed_without_redistribution

class PingUser(User):
    @task
    def ping(self):
        pass

a, b = WorkerNode("a", STATE_RUNNING), WorkerNode("b", STATE_RUNNING)
dispatcher = UsersDispatcher(worker_nodes=[a, b], user_classes=[PingUser])
runner = SimpleNamespace(clients={"a": a, "b": b}, _users_dispatcher=dispatcher)

def dispatch(users):
    dispatcher.new_dispatch(target_user_count=users, spawn_rate=100)
    list(dispatcher)

dispatch(4)
b.state = STATE_MISSING
dispatcher.remove_worker(b)
dispatch(6)  # a /swarm while b is missing
out = {"stillMissing": healed_without_redistribution(runner, {"b"})}
b.state = STATE_RUNNING
dispatcher.add_worker(b)  # the heartbeat self-heal while the master is "spawning": nothing dispatched
out["healedWhileSpawning"] = healed_without_redistribution(runner, {"b"})
out["neverSeenMissing"] = healed_without_redistribution(runner, set())
dispatch(6)  # what the master's self-heal does when "running"
out["redistributed"] = healed_without_redistribution(runner, {"b"})
print(json.dumps(out))
`;
    expect(runPython(script)).toEqual({
      stillMissing: [],
      healedWhileSpawning: ['b'],
      neverSeenMissing: [],
      redistributed: [],
    });
  });
});

describe('conductor_plugin.jittered_pacing', () => {
  /** 200 users started together, each journey 1 s of a 5-s pacing, on a simulated clock: their journeys' starts. */
  const script = `
import json, random, types
import conductor_plugin
from conductor_plugin import jittered_pacing
random.seed(7)
clock = [0.0]
conductor_plugin.time.perf_counter = lambda: clock[0]
wait = jittered_pacing(5.0)
starts = []
for _ in range(200):
    user, start, mine = types.SimpleNamespace(_cp_last_run=0.0), 0.0, []
    for _ in range(40):
        mine.append(start)
        clock[0] = start + 1.0
        start = clock[0] + wait(user)
    starts.append(mine)
errors = []
for args in [(0,), (-1,), (float("nan"),), (5, 1), (5, -0.1)]:
    try:
        jittered_pacing(*args)
    except ValueError as e:
        errors.append(str(e))
print(json.dumps({"starts": starts, "errors": errors}))
`;

  it('keeps the pacing on average, each period within ±30 % of it, and refuses a pacing or jitter out of range', () => {
    const { starts, errors } = runPython(script) as { starts: number[][]; errors: string[] };
    const periods = starts.flatMap((s) => s.slice(1).map((t, i) => t - (s[i] as number)));
    const mean = periods.reduce((a, b) => a + b, 0) / periods.length;
    expect(Math.abs(mean / 5 - 1)).toBeLessThan(0.01);
    expect(Math.min(...periods)).toBeGreaterThanOrEqual(3.5);
    expect(Math.max(...periods)).toBeLessThanOrEqual(6.5);
    expect(errors).toHaveLength(5);
    for (const e of errors) expect(e).toMatch(/^pacing (jitter )?must be/);
  });

  it('lets users started together fall out of step within a few journeys', () => {
    const { starts } = runPython(script) as { starts: number[][] };
    // The most users whose n-th journey starts within one tenth of a period of each other.
    const crowd = (n: number) => {
      const phases = starts.map((s) => ((s[n] as number) % 5) / 5).sort((a, b) => a - b);
      const wrapped = [...phases, ...phases.map((p) => p + 1)];
      return Math.max(...phases.map((p, i) => wrapped.findIndex((q, j) => j > i && q > p + 0.1) - i));
    };
    // All 200 in step at the start (constant pacing keeps them so); spread within 10 journeys: 20 in a tenth of
    // the period are uniform phases, 40 allows for chance.
    expect(crowd(0)).toBe(200);
    expect(crowd(10)).toBeLessThanOrEqual(40);
    expect(crowd(39)).toBeLessThanOrEqual(40);
  });
});

describe('conductor_plugin scenario helpers', () => {
  it('marks KPI classes, reports what a master offers, and counts a custom KPI event like a request', () => {
    const script = `
import json
from locust import User, task
from locust.env import Environment
from conductor_plugin import counts_kpi, fire_kpi_event, kpi_request_name, offered_user_classes, scenario_snapshot

@counts_kpi
class BookingUser(User):
    weight = 2
    @task
    def t(self): pass

class SearchUser(User):
    @task
    def t(self): pass

env = Environment(user_classes=[BookingUser, SearchUser])
env.create_local_runner()
fire_kpi_event(env)
fire_kpi_event(env)
fire_kpi_event(env, succeeded=False)
entry = env.stats.get(kpi_request_name(), "KPI")
snapshot = scenario_snapshot(env, class_picker=False)
print(json.dumps({"offered": offered_user_classes(env), "requests": entry.num_requests,
                  "failures": entry.num_failures, "snapshot": snapshot}))
`;
    const out = runPython(script) as {
      offered: unknown;
      requests: number;
      failures: number;
      snapshot: Record<string, unknown>;
    };
    expect(out.offered).toEqual({
      BookingUser: { weight: 2, countsKpi: true },
      SearchUser: { weight: 1, countsKpi: false },
    });
    expect([out.requests, out.failures]).toEqual([3, 1]);
    expect(out.snapshot).toEqual({
      classPicker: false,
      offered: out.offered,
      selected: ['BookingUser', 'SearchUser'],
      running: {},
      kpiRequestName: 'checkout: place order',
    });
  });
});
