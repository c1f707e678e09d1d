// deleteUser racing inserts (and updates) of the same user: every answer is
// the write's success or NOT_FOUND naming the user, never a database error;
// what was acknowledged before the delete is gone with the user.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('deleteUser racing writes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_BUFFER_IDLE_SECONDS: '3600' } });
  });
  afterAll(async () => t?.destroy());

  it('answers each racing insert and update with success or NOT_FOUND, never INTERNAL_SERVER_ERROR', async () => {
    const codes = new Map<string, number>();
    for (let round = 0; round < 6; round++) {
      const id = `racer-${round}`;
      await t.admin.raw('mutation($id: ID!) { createUser(input: { id: $id }) { id } }', { id });
      const writes = Array.from({ length: 24 }, (_, i) =>
        i % 6 === 5
          ? t.admin.raw('mutation($id: ID!) { updateUser(id: $id, input: { data: { n: 1 } }) { id } }', { id })
          : t.admin.raw(
              'mutation($id: ID!, $text: String!) { insertBlob(userId: $id, input: { summary: { summary: $text } }) { blob { id } } }',
              { id, text: `note ${i}` },
            ),
      );
      // The delete goes out in the middle of the writes.
      writes.splice(12, 0, t.admin.raw('mutation($id: ID!) { deleteUser(id: $id) }', { id }));
      for (const result of await Promise.all(writes)) {
        const code = result.errors?.[0]?.extensions?.code ?? 'OK';
        codes.set(code, (codes.get(code) ?? 0) + 1);
        if (code === 'NOT_FOUND') expect(result.errors?.[0]?.message).toContain(id);
        else expect(code).toBe('OK');
      }
      const gone = await t.admin.raw<{ user: null }>('query($id: ID!) { user(id: $id) { id } }', { id });
      expect(gone.data).toEqual({ user: null });
    }
    expect(codes.get('INTERNAL_SERVER_ERROR')).toBeUndefined();
    expect(codes.get('OK')).toBeGreaterThan(0);
  });
});
