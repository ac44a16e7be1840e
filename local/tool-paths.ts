import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where scripts/build-go-tools.sh puts the Go tools it builds, and the versions it pins. Keep the versions
 * here in step with the script (a unit test compares them).
 */
export const TOOL_VERSIONS = {
  hoverfly: 'v1.12.10',
  etcd: 'v3.6.16',
  'kube-apiserver': 'v1.34.4',
  'kube-controller-manager': 'v1.34.4',
  'kube-scheduler': 'v1.34.4',
  kwok: 'v0.8.0',
} as const;

export type ToolName = keyof typeof TOOL_VERSIONS;

/** `${LTC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/load-test-conductor}`: a cache outside the repository. */
export function toolCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LTC_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'load-test-conductor');
}

/** The path the build script writes `<tool>-<version>` to, whether or not it is there yet. */
export function toolPath(tool: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  return join(toolCacheDir(env), 'bin', `${tool}-${TOOL_VERSIONS[tool]}`);
}

/** The built tool, or an error that says how to build it. */
export function requireTool(tool: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  const path = toolPath(tool, env);
  if (!existsSync(path)) {
    throw new Error(
      `${tool} ${TOOL_VERSIONS[tool]} is not built: ${path} is missing. ` +
        `Run \`bash scripts/build-go-tools.sh ${tool.startsWith('kube-') ? 'kubernetes' : tool}\` (or \`npm run setup\`) to build it.`,
    );
  }
  return path;
}

/** The Hoverfly binary (github.com/SpectoLabs/hoverfly/core/cmd/hoverfly). */
export function hoverflyBinary(): string {
  return requireTool('hoverfly');
}

/** kwok's stage definitions, written next to the binaries by build_kwok (kwok has no built-in stages). */
export function kwokStagesPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(toolCacheDir(env), 'share', `kwok-stages-${TOOL_VERSIONS.kwok}.yaml`);
}
