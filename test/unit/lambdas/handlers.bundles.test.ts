/**
 * What each step's bundle holds, bundled as CDK bundles it (esbuild: node, CommonJS, the AWS SDK external):
 * the steps that never talk to Kubernetes, PostgreSQL, ECS or EKS carry none of their code.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { STEP_IDS } from '../../../statemachine/steps';

const ROOT = join(import.meta.dirname, '../../..');

async function bundled(
  entry: string,
): Promise<{ packages: Set<string>; sdk: Set<string>; own: string[]; bytes: number }> {
  const result = await build({
    entryPoints: [join(ROOT, `lambdas/handlers/${entry}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    minify: true,
    external: ['@aws-sdk/*'],
    write: false,
    metafile: true,
    outfile: 'index.js',
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const packageOf = (path: string) => {
    const [scope, name] = (path.split('node_modules/').pop() as string).split('/');
    return scope?.startsWith('@') ? `${scope}/${name}` : (scope as string);
  };
  const text = result.outputFiles[0]?.text ?? '';
  return {
    packages: new Set(inputs.filter((p) => p.includes('node_modules/')).map(packageOf)),
    sdk: new Set([...text.matchAll(/require\("(@aws-sdk\/[^"]+)"\)/g)].map((m) => m[1] as string)),
    own: inputs.filter((p) => !p.includes('node_modules/')).map((p) => p.slice(p.indexOf('lambdas/'))),
    bytes: text.length,
  };
}

describe('step bundles', () => {
  it.each(['validate-input', 'acquire-lock', 'evaluate'])(
    '%s carries no Kubernetes, PostgreSQL, ECS or EKS code',
    async (step) => {
      const { packages, sdk, own } = await bundled(step);
      expect([...packages]).not.toContain('@kubernetes/client-node');
      expect([...packages]).not.toContain('pg');
      expect(own.filter((p) => /adapters\/(kubernetes|ecs|eks|sql)\//.test(p))).toEqual([]);
      expect([...sdk].filter((p) => /client-(ecs|eks|cloudwatch-logs|secrets-manager)$/.test(p))).toEqual([]);
      expect(sdk).toContain('@aws-sdk/client-dynamodb');
    },
  );

  it('a step that restores shapes does carry the Kubernetes client (the check sees it where it is)', async () => {
    const { packages } = await bundled('teardown');
    expect(packages).toContain('@kubernetes/client-node');
  });

  it('every step bundles, none larger than all adapters together were (2.7 MB)', async () => {
    // A package imported with import() is bundled whole (3 MB of Kubernetes client instead of 1.2).
    for (const id of [...STEP_IDS, 'janitor']) {
      const { own, bytes } = await bundled(id);
      expect(own.length).toBeGreaterThan(0);
      expect(bytes, id).toBeLessThan(2_800_000);
    }
  }, 120_000);
});
