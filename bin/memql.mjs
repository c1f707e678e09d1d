#!/usr/bin/env node
// The `memql` command (package.json "bin"). In a checkout it runs the
// TypeScript source through tsx, as `npm start` does; where only the compiled
// code exists (the Docker image: dist/) it runs that.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = new URL('../src/cli/memql.ts', import.meta.url);
if (existsSync(fileURLToPath(source))) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/cli/memql.js', import.meta.url).href);
}
