import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Tests that need the machine's PostgreSQL and Redis together (.ci/run).
export default defineConfig({
  ...base,
  test: { ...base.test, include: ['test/services/**/*.test.ts'], exclude: ['node_modules/**'] },
});
