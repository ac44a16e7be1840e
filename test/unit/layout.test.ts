import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * test/unit mirrors the repository (docs/testing.md): `test/unit/<dir>/<name>[.<aspect>].test.ts` tests the
 * source `<dir>/<name>.ts` (or `.py`, or the folder `<dir>/<name>/`). Helpers and fixtures live in test/support.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const UNIT = join(ROOT, 'test', 'unit');

/** Tests of several modules at once, each with why it has no single source to sit beside. */
const CROSS_CUTTING: Readonly<Record<string, string>> = {
  'test/unit/layout.test.ts': 'checks the test tree itself',
  'test/unit/lambdas/handlers/steps.test.ts':
    'drives seven step handlers (Deploy, Scale, Teardown, Drift, Dry run, Validate, Stop load) through their shared runtime',
  'test/unit/locust/packaging.test.ts':
    'pins one Locust version across locust/requirements.txt, locust/Dockerfile, locust/k8s and scripts/setup-python.sh',
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [relative(ROOT, join(dir, e.name))],
  );
}

/** The source a unit test mirrors, or null. */
function mirroredSource(testPath: string, exists: (path: string) => boolean): string | null {
  const match = /^test\/unit\/(?:(.+)\/)?([^/.]+)(?:\.[^/]+)?\.test\.ts$/.exec(testPath);
  if (!match) return null;
  const [, dir, name] = match;
  const base = dir ? `${dir}/${name}` : (name as string);
  return [`${base}.ts`, `${base}.py`, base].find(exists) ?? null;
}

const unitFiles = files(UNIT);
const tests = unitFiles.filter((f) => f.endsWith('.test.ts'));
const exists = (path: string) => existsSync(join(ROOT, path));

describe('test/unit mirrors the source tree', () => {
  it.each(tests.filter((t) => !(t in CROSS_CUTTING)))('%s has a source at its mirrored path', (test) => {
    expect(
      mirroredSource(test, exists),
      `${test}: no source at its path; see docs/testing.md`,
    ).not.toBeNull();
  });

  it('holds only tests (and snapshots): helpers and fixtures are in test/support', () => {
    expect(unitFiles.filter((f) => !f.endsWith('.test.ts') && !f.includes('/__snapshots__/'))).toEqual([]);
  });

  it('keeps the cross-cutting list short and current', () => {
    expect(Object.keys(CROSS_CUTTING).length).toBeLessThanOrEqual(6);
    for (const path of Object.keys(CROSS_CUTTING)) expect(exists(path), path).toBe(true);
  });

  it('finds the mirrored source, and none for a test with no source (the check can fail)', () => {
    const real = (path: string) =>
      ['lambdas/core/slo.ts', 'locust/conductor_plugin.py', 'lambdas/core/config'].includes(path);
    expect(mirroredSource('test/unit/lambdas/core/slo.test.ts', real)).toBe('lambdas/core/slo.ts');
    expect(mirroredSource('test/unit/lambdas/core/slo.watch.test.ts', real)).toBe('lambdas/core/slo.ts');
    expect(mirroredSource('test/unit/locust/conductor_plugin.test.ts', real)).toBe(
      'locust/conductor_plugin.py',
    );
    expect(mirroredSource('test/unit/lambdas/core/config.test.ts', real)).toBe('lambdas/core/config');
    expect(mirroredSource('test/unit/adapters/slo.test.ts', real)).toBeNull();
    expect(mirroredSource('test/unit/lambdas/core/slo-watch.test.ts', real)).toBeNull();
  });
});
