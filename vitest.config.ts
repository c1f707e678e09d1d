import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// graphql ships both CommonJS and .mjs; Node (and so type-graphql and Apollo,
// loaded from node_modules) takes the CommonJS one. Point Vite at the same
// file so tests never hold a second copy of graphql's classes.
const graphqlEntry = createRequire(import.meta.url).resolve('graphql');

// Integration tests start real PGlite, Chroma and HTTP servers: give them
// time, and run files in separate processes so each owns its children.
export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/build-web.ts'],
    // Needs PostgreSQL and Redis together; run by .ci/run with vitest.services.config.ts.
    exclude: ['test/services/**', 'node_modules/**'],
    pool: 'forks',
    maxWorkers: 2,
    // 61 tests start a server of their own (a fresh PGlite, migrations, Chroma):
    // on a loaded 2-core machine that alone can take 40-50 s.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
