// User.context over GraphQL on the default stack (PGlite, Chroma, USE-lite,
// the offline extractor): a budget is honoured by the o200k_base count, the
// query ranks memories first, events come from extraction, bad arguments
// are BAD_USER_INPUT naming them, and another project never sees the user.

import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateMemoryDocument,
  CreateUserDocument,
  ContextChatDocument,
  UserContextDocument,
} from '../generated/graphql.js';
import { createProjectClient, startTestApp, type TestApp } from '../helpers/test-app.js';

describe('User.context', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await t.admin.ok(CreateUserDocument, { input: { id: 'alex' } });
    const { insertBlob } = await t.admin.ok(ContextChatDocument, {
      userId: 'alex',
      input: {
        chat: { messages: [{ role: 'user', content: "I'm a nurse and I live in Porto. I'm allergic to peanuts." }] },
      },
    });
    expect(insertBlob.event?.summary).toBeTruthy();
    for (const [text, topic, subTopic] of [
      ['Plays the cello in a community orchestra', 'interest', 'music'],
      ['Prefers window seats on long flights', 'travel', 'seating'],
      ['Has a golden retriever named Biscuit', 'life_event', 'pets'],
    ] as const)
      await t.admin.ok(CreateMemoryDocument, { userId: 'alex', input: { text, topic, subTopic } });
    await t.app.indexer.drain();
  }, 120_000);
  afterAll(async () => t?.destroy());

  const context = async (variables: Record<string, unknown>) =>
    (await t.admin.ok(UserContextDocument, { userId: 'alex', ...variables })).user!.context;

  it('holds the profile, the memories relevant to the query and the extraction events, within the budget', async () => {
    const full = await context({ query: 'What instrument does this person play?' });
    expect(full.truncated).toBe(false);
    expect(full.tokens).toBe(countTokens(full.text));
    expect(full.tokens).toBeLessThanOrEqual(1000);
    expect(full.text.startsWith('## Relevant memories\n- Plays the cello in a community orchestra')).toBe(true);
    expect(full.text).toContain('## Profile');
    expect(full.text).toContain('peanuts');
    expect(full.events).toHaveLength(1);
    expect(full.text).toContain(`## Recent events\n- `);
    expect(full.memories.length).toBeGreaterThanOrEqual(6);

    for (const maxTokens of [5, 25, 60, 90]) {
      for (const format of ['MARKDOWN', 'TEXT', 'JSON'] as const) {
        const small = await context({ maxTokens, format, query: 'travel' });
        expect(countTokens(small.text), `${format} ${maxTokens}`).toBeLessThanOrEqual(maxTokens);
        expect(small.tokens).toBe(countTokens(small.text));
        expect(small.truncated).toBe(true);
      }
    }
  });

  it('narrows to topics and parts', async () => {
    const travel = await context({ topics: ['travel'], include: ['PROFILE'], format: 'TEXT' });
    expect(travel.text).toBe('Profile:\ntravel, seating: Prefers window seats on long flights');
    expect(travel.memories.map((m) => m.topic)).toEqual(['travel']);
    expect(travel.events).toEqual([]);
  });

  it('names a bad argument, and another project does not see the user', async () => {
    const bad = await t.admin.fails(UserContextDocument, { userId: 'alex', maxTokens: 0 });
    expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'maxTokens' });
    const other = await createProjectClient(t, 'context-other');
    expect((await other.client.ok(UserContextDocument, { userId: 'alex' })).user).toBeNull();
  });
});
