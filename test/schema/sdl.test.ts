import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildMemqlSchema, printSdl } from '../../src/schema/index.js';

describe('schema.graphql', () => {
  it('is exactly the SDL the server builds (run `npm run schema:emit` after schema changes)', async () => {
    const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(printSdl(await buildMemqlSchema())).toBe(committed);
  });
});
