import { describe, expect, it } from 'vitest';
import {
  kpiPerUserPerMinute,
  type LocustfileOffer,
  offerFindings,
  runFindings,
  type ScenarioObservation,
} from '../../../local/scenario-check';

const OFFER: LocustfileOffer = {
  pluginImported: true,
  kpiRequestName: 'book: confirm',
  classes: { BookingUser: { weight: 1, countsKpi: true }, SearchUser: { weight: 3, countsKpi: false } },
};
const SEEN: ScenarioObservation = {
  users: 5,
  seconds: 30,
  kpiRequests: 12,
  kpiFailures: 2,
  requests: 80,
  requestsWithoutHeader: 0,
  unmarkedExamples: [],
};
const HEADER = { name: 'X-Load-Test', value: 'true' };
const failing = (findings: readonly { ok: boolean; message: string }[]) =>
  findings.filter((f) => !f.ok).map((f) => f.message);

describe('scenario check findings', () => {
  it('pass a locustfile with the plugin, a KPI class, the KPI counted and every request marked', () => {
    expect(failing(offerFindings(OFFER))).toEqual([]);
    const findings = runFindings(OFFER, SEEN, HEADER);
    expect(failing(findings)).toEqual([]);
    expect(findings.map((f) => f.message)).toEqual([
      "the KPI is counted: 10 successful 'book: confirm' requests in 30 s",
      'all 80 requests carry X-Load-Test: true',
      "KPI failure semantics: 2 of 12 'book: confirm' requests failed; they count as failures, never as book: confirm",
    ]);
  });

  it('say what to add for each thing missing', () => {
    expect(failing(offerFindings({ ...OFFER, pluginImported: false }))).toEqual([
      expect.stringMatching(
        /does not import the conductor plugin: copy locust\/conductor_plugin.py beside it/,
      ),
    ]);
    const unmarked = { ...OFFER, classes: { SearchUser: { weight: 1, countsKpi: false } } };
    expect(failing(offerFindings(unmarked))).toEqual([
      expect.stringMatching(
        /no User class is marked .*\(classes: SearchUser\): mark .* @counts_kpi .*'book: confirm'/,
      ),
    ]);
    expect(failing(runFindings(OFFER, { ...SEEN, kpiRequests: 0, kpiFailures: 0 }, HEADER))).toEqual([
      expect.stringMatching(/no request named 'book: confirm' in 30 s .*name=kpi_request_name\(\)/),
    ]);
    const unmarkedRequests = { ...SEEN, requestsWithoutHeader: 3, unmarkedExamples: ['GET /search'] };
    expect(failing(runFindings(OFFER, unmarkedRequests, HEADER))).toEqual([
      expect.stringMatching(
        /3 of 80 requests lack the load-test header X-Load-Test: true \(e.g. GET \/search\): set default_headers/,
      ),
    ]);
  });

  it('measures successful KPI requests per user and minute', () => {
    expect(kpiPerUserPerMinute(SEEN)).toBe(4); // 10 successes / 5 users / 0.5 min
    expect(kpiPerUserPerMinute({ ...SEEN, users: 0 })).toBeNull();
  });
});
