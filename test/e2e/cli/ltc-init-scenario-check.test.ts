/**
 * `ltc init` then `ltc validate` and `ltc scenario check` on what it wrote, as a user runs them (the real bin, in
 * a child process; the check runs real Locust against the demo shop), and `ltc scenario check` catching a
 * locustfile without the plugin and one without the KPI.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../../..');
const TSX_CLI = join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const LTC = join(REPO, 'cli', 'bin', 'ltc.ts');

function ltc(
  cwd: string,
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [TSX_CLI, LTC, ...args], { cwd, env: { ...process.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('ltc init, validate and scenario check', () => {
  it('init in an empty folder writes files that validate and scenario check accept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ltc-init-'));
    expect((await ltc(dir, 'init')).code).toBe(0);
    expect(readdirSync(join(dir, 'locust')).sort()).toEqual(
      ['Dockerfile', 'conductor_plugin.py', 'k8s', 'requirements.txt', 'scenarios'].sort(),
    );
    const validate = await ltc(dir, 'validate', '--config', 'ltc.config.json', '--input', 'run.json');
    expect(validate.stderr).toBe('');
    expect(validate.code).toBe(0);
    expect(JSON.parse(validate.stdout)).toMatchObject({ environment: 'staging', scenario: 'checkout' });
    const check = await ltc(dir, 'scenario', 'check', 'locust/scenarios/checkout.py', '--seconds', '10');
    expect(check.stderr).not.toMatch(/FAIL/);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(
      /ok {3}the KPI is counted: [1-9]\d* successful 'checkout: place order' requests/,
    );
    expect(check.stdout).toMatch(/ok {3}all \d+ requests carry X-Load-Test: true/);
    expect(check.stdout).toMatch(/[\d.]+ 'checkout: place order' per user per minute seen/);
    expect((await ltc(dir, 'init')).code).toBe(2); // no longer empty: nothing is overwritten
  }, 120_000);

  it('catches a locustfile without the plugin, and one without a class counting the KPI, saying what to add', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ltc-check-'));
    writeFileSync(
      join(dir, 'plain.py'),
      'from locust import FastHttpUser, task\nclass ShopUser(FastHttpUser):\n    @task\n    def t(self):\n        self.client.get("/api/products")\n',
    );
    writeFileSync(
      join(dir, 'nokpi.py'),
      `import sys\nsys.path.insert(0, ${JSON.stringify(join(REPO, 'locust'))})\nfrom conductor_plugin import load_test_headers\n` +
        'from locust import FastHttpUser, task\nclass ShopUser(FastHttpUser):\n    default_headers = load_test_headers()\n' +
        '    @task\n    def t(self):\n        self.client.get("/api/products")\n',
    );
    const plain = await ltc(dir, 'scenario', 'check', 'plain.py');
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(
      /FAIL the locustfile does not import the conductor plugin: copy .*conductor_plugin\.py/,
    );
    const noKpi = await ltc(dir, 'scenario', 'check', 'nokpi.py');
    expect(noKpi.code).toBe(1);
    expect(noKpi.stderr).toMatch(
      /FAIL no User class is marked as counting the KPI \(classes: ShopUser\): mark .*@counts_kpi/,
    );
  }, 60_000);
});
