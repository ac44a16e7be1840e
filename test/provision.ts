import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * vitest's global set-up: provisions what the project's tests run (scripts/provision.sh; cached, so on a
 * provisioned machine this costs a stamp check). Unit tests need the Python venv, e2e tests everything.
 */
export default function provision(project: TestProject): void {
  const target = project.name === 'e2e' ? 'test' : 'unit';
  execFileSync('bash', [join(import.meta.dirname, '..', 'scripts', 'provision.sh'), target], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
