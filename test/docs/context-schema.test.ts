// docs/context.md shows the JSON form's schema; it must be the one the code
// validates against (CONTEXT_JSON_SCHEMA).

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONTEXT_JSON_SCHEMA } from '../../src/domain/context/context.render.js';

describe('docs/context.md', () => {
  it('shows the schema the JSON form is validated against', async () => {
    const page = await readFile(new URL('../../docs/context.md', import.meta.url), 'utf8');
    const block = /```json\n([\s\S]*?)\n```/.exec(page);
    expect(block).not.toBeNull();
    expect(JSON.parse(block![1]!)).toEqual(CONTEXT_JSON_SCHEMA);
  });
});
