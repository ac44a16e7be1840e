import { defineConfig } from 'vitest/config';

/**
 * Two tiers: `unit` runs pure code in seconds; `e2e` starts real servers
 * (Locust, moto, Hoverfly, the demo shop) once per run. Each provisions what it runs first (test/provision.ts), in
 * a temporary folder of its own that the run removes (test/temporary-folder.ts).
 * The tiers run one after the other (`groupOrder`), never side by side: the e2e tier's latency comparisons
 * (A/A) must not share the machine's two cores with the unit tier's simulations.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          sequence: { groupOrder: 0 },
          testTimeout: 20_000,
          globalSetup: ['test/temporary-folder.ts', 'test/provision.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          testTimeout: 600_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          globalSetup: ['test/temporary-folder.ts', 'test/provision.ts'],
        },
      },
    ],
  },
});
