import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildMemqlSchema, printSdl } from '../../src/schema/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('schema.graphql', () => {
  it('is exactly the SDL the server builds (run `npm run schema:emit` after schema changes)', async () => {
    const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(printSdl(await buildMemqlSchema())).toBe(committed);
  });

  it('the generated typed documents match schema.graphql and the operations (run `npm run codegen`)', async () => {
    const { stderr } = await promisify(execFile)(process.execPath, ['scripts/codegen.mjs', '--check'], {
      cwd: ROOT,
    }).catch((error: { stderr: string }) => ({ stderr: error.stderr }));
    expect(stderr).toBe('');
  });
});
