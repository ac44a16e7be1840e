/**
 * The conductor plugin's settings read from the environment, checked in the venv's Python (one process for
 * all cases: importing Locust takes a second).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const python = join(root, '.venv', 'bin', 'python');

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
  const output = execFileSync(python, ['-c', script, JSON.stringify(raws)], {
    cwd: join(root, 'locust'),
    encoding: 'utf8',
  });
  return JSON.parse(output) as (number | null | string)[];
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
