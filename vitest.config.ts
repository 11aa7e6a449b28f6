import { defineConfig } from 'vitest/config';

// Tests run against each package's TypeScript source through the `@highrise/source` export
// condition; the browser suite loads the built softphone bundle, which `npm test` builds first.
const conditions = ['@highrise/source', 'module', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['node', 'import'] } },
  test: {
    projects: [
      { extends: true, test: { name: 'sdk', include: ['packages/sdk/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'softphone', include: ['packages/softphone/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'platform', include: ['packages/platform/src/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: ['test/browser/**'], testTimeout: 30_000, hookTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
