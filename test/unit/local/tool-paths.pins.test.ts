import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../local/managed-process';
import { kwokStagesPath, TOOL_VERSIONS, toolPath } from '../../../local/tool-paths';

const script = readFileSync(join(REPO_ROOT, 'scripts', 'build-go-tools.sh'), 'utf8');

describe('the Kubernetes tools of scripts/build-go-tools.sh', () => {
  it('pins the versions local/tool-paths.ts resolves', () => {
    expect(script).toContain(`ETCD_VERSION=${TOOL_VERSIONS.etcd}`);
    expect(script).toContain(`KUBERNETES_VERSION=${TOOL_VERSIONS['kube-apiserver']}`);
    expect(TOOL_VERSIONS['kube-controller-manager']).toBe(TOOL_VERSIONS['kube-apiserver']);
    expect(TOOL_VERSIONS['kube-scheduler']).toBe(TOOL_VERSIONS['kube-apiserver']);
    expect(script).toContain(`KWOK_VERSION=${TOOL_VERSIONS.kwok}`);
    expect(script).toMatch(/^TOOLS=\(hoverfly etcd kubernetes kwok\)$/m);
  });

  it('builds into the cache outside the repo, where the TypeScript side looks', () => {
    const env = { LTC_CACHE_DIR: '/c' };
    expect(toolPath('kube-apiserver', env)).toBe(`/c/bin/kube-apiserver-${TOOL_VERSIONS['kube-apiserver']}`);
    expect(kwokStagesPath(env)).toBe(`/c/share/kwok-stages-${TOOL_VERSIONS.kwok}.yaml`);
    expect(script).toContain('$CACHE_DIR/share/kwok-stages-$KWOK_VERSION.yaml');
  });

  it('derives the staging replaces from the downloaded go.mod instead of hard-coding them', () => {
    expect(script).toMatch(/go mod download -json "k8s\.io\/kubernetes@\$version"/);
    expect(script).toContain('=> ./staging/');
    expect(script).toContain('go mod edit "-replace=$m=$m@v0.$mp"');
  });
});
