import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../local/managed-process';
import { requireTool, TOOL_VERSIONS, toolCacheDir, toolPath } from '../../../local/tool-paths';

describe('tool paths', () => {
  it('pins the same Hoverfly version as scripts/build-go-tools.sh', () => {
    const script = readFileSync(join(REPO_ROOT, 'scripts', 'build-go-tools.sh'), 'utf8');
    expect(script).toContain(`HOVERFLY_VERSION=${TOOL_VERSIONS.hoverfly}`);
  });

  it('resolves into the cache outside the repo, LTC_CACHE_DIR first', () => {
    expect(toolCacheDir({ HOME: '/home/u' })).toMatch(/\.cache\/load-test-conductor$/);
    expect(toolPath('hoverfly', { LTC_CACHE_DIR: '/c' })).toBe(`/c/bin/hoverfly-${TOOL_VERSIONS.hoverfly}`);
  });

  it('says how to build a missing tool', () => {
    expect(() => requireTool('hoverfly', { LTC_CACHE_DIR: '/nonexistent-ltc-cache' })).toThrow(
      /npm run setup/,
    );
  });
});
