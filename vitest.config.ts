import { defineConfig } from 'vitest/config';

/**
 * Two tiers: `unit` runs pure code in seconds; `e2e` starts real servers
 * (Locust, moto, Hoverfly, the demo shop) once per run. Each provisions what it runs first (test/provision.ts).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
          globalSetup: ['test/provision.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          globalSetup: ['test/provision.ts'],
        },
      },
    ],
  },
});
