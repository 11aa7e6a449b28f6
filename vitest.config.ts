import { defineConfig } from 'vitest/config';

// Tests run against each package's TypeScript source through the `@highrise/source` export
// condition; the browser suite loads the built softphone bundle, which `npm test` builds first.
const conditions = ['@highrise/source', 'module', 'node', 'import', 'default'];
// Vitest hands the SSR conditions to Node as `--conditions`, which also steer `require()`: with
// `import` among them, pg's CommonJS `require('pg-pool')` got pg-pool's ES module. Vite adds
// `import`/`require` per import itself, so Node is given only the conditions it lacks.
const nodeConditions = ['@highrise/source', 'node'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions: nodeConditions, externalConditions: ['node'] } },
  test: {
    // Screenshots the browser suite attaches (annotate) land beside its failure screenshots, out of git.
    attachmentsDir: 'test/.artifacts/attachments',
    projects: [
      { extends: true, test: { name: 'sdk', include: ['packages/sdk/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'softphone', include: ['packages/softphone/src/**/*.test.ts'] } },
      // Some unit files run their store on a real PostgreSQL too (migrations on a populated database):
      // the default 5 s is too short for them on a loaded two-core machine.
      { extends: true, test: { name: 'platform', include: ['packages/platform/src/**/*.test.ts'], testTimeout: 20_000, hookTimeout: 20_000 } },
      { extends: true, test: { name: 'console', include: ['packages/console/src/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: ['test/browser/**'], testTimeout: 30_000, hookTimeout: 30_000 },
      },
      {
        // The same integration files with every platform on PostgreSQL (a fresh database each, on
        // HIGHRISE_TEST_DATABASE_URL; see test/support/platform.ts).
        extends: true,
        test: {
          name: 'integration-postgres',
          include: ['test/**/*.test.ts'],
          exclude: [
            'test/browser/**',
            // Already run on both databases (or only on PostgreSQL) by themselves.
            'test/migrate-nodes.test.ts',
            'test/kamailio.test.ts',
            'test/kamailio-routing.test.ts',
            'test/kamailio-nodes.test.ts',
            'test/kamailio-tokens.test.ts',
            'test/postgres-nodes.test.ts',
          ],
          env: { HIGHRISE_TEST_STORE: 'postgres' },
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
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
