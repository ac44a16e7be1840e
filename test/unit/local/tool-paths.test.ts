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

  it('resolves into the cache outside the repo: LTC_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache', () => {
    expect(toolCacheDir({})).toMatch(/\/\.cache\/load-test-conductor$/);
    expect(toolCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/load-test-conductor');
    expect(toolCacheDir({ XDG_CACHE_HOME: '/x', LTC_CACHE_DIR: '/c' })).toBe('/c');
    expect(toolPath('hoverfly', { LTC_CACHE_DIR: '/c' })).toBe(`/c/bin/hoverfly-${TOOL_VERSIONS.hoverfly}`);
  });

  it('resolves the cache as scripts/build-go-tools.sh does', () => {
    const script = readFileSync(join(REPO_ROOT, 'scripts', 'build-go-tools.sh'), 'utf8');
    expect(script).toMatch(
      /^CACHE_DIR="\$\{LTC_CACHE_DIR:-\$\{XDG_CACHE_HOME:-\$HOME\/\.cache\}\/load-test-conductor\}"$/m,
    );
  });

  it('says how to build a missing tool', () => {
    expect(() => requireTool('hoverfly', { LTC_CACHE_DIR: '/nonexistent-ltc-cache' })).toThrow(
      /npm run setup/,
    );
  });
});
