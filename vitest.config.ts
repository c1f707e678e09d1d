import { defineConfig } from 'vitest/config';

// Integration tests start real PGlite, Chroma and HTTP servers: give them
// time, and run files in separate processes so each owns its children.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
