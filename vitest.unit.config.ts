import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:unit`: the domain on in-memory fakes and the contract suites
// run against the fakes and in-process adapters. No database, no Chroma, no
// child process: seconds, not minutes. `npm test` runs these too.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'test/unit/**/*.test.ts',
      // The embedder the fakes use, against the Embedder contract.
      'test/infra/embeddings/hashing.embedder.test.ts',
    ],
    exclude: ['node_modules/**'],
    testTimeout: 10_000,
    hookTimeout: 10_000,
  },
});
