// User.searchMemories and the project-wide searchMemories with the offline
// USE-lite embedder, as a user gets it by default: a paraphrase is found by
// SEMANTIC, a rare token by LEXICAL, both by HYBRID; threshold empties the
// answer to an unrelated question; scoped searches stay in their scope;
// updates re-index and deletes remove.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateMemoryDocument,
  type CreateMemoryInput,
  CreateUserDocument,
  DeleteMemoryDocument,
  InsertBlobDocument,
  PatchMemoryDocument,
  QueryUserDocument,
  SearchProjectMemoriesDocument,
  SearchUserMemoriesDocument,
  type SearchUserMemoriesQueryVariables,
} from '../generated/graphql.js';
import { createProjectClient, startTestApp, type TestApp } from '../helpers/test-app.js';

const MODES = ['SEMANTIC', 'LEXICAL', 'HYBRID'] as const;

describe('searchMemories (USE-lite, real Chroma)', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};

  const create = async (userId: string, label: string, input: CreateMemoryInput) => {
    ids[label] = (await t.admin.ok(CreateMemoryDocument, { userId, input })).createMemory.id;
  };
  const search = async (variables: Omit<SearchUserMemoriesQueryVariables, 'userId'> & { userId?: string }) => {
    const { user } = await t.admin.ok(SearchUserMemoriesDocument, { userId: 'alex', ...variables });
    return user!.searchMemories;
  };
  const labelOf = (id: string) => Object.entries(ids).find(([, value]) => value === id)?.[0] ?? id;

  beforeAll(async () => {
    t = await startTestApp();
    for (const id of ['alex', 'blake']) await t.admin.ok(CreateUserDocument, { input: { id } });
    await create('alex', 'peanuts', { text: 'Is severely allergic to peanuts', tags: ['health'] });
    await create('alex', 'cello', { text: 'Plays the cello in a community orchestra', tags: ['music'] });
    await create('alex', 'nurse', { text: "Works as a nurse at St. Mary's hospital" });
    await create('alex', 'dog', { text: 'Has a golden retriever named Biscuit', tags: ['pets'] });
    await create('alex', 'game', { text: 'Loves the board game Zyxquorp' });
    await create('alex', 'window', { text: 'Prefers window seats on planes', agentId: 'travel', runId: 'trip-1' });
    await create('alex', 'aisle', { text: 'Prefers aisle seats on planes', agentId: 'travel', runId: 'trip-2' });
    await create('alex', 'seat-chef', { text: 'Prefers a seat near the kitchen', agentId: 'chef', runId: 'trip-1' });
    await create('blake', 'blake-peanuts', { text: 'Is allergic to peanuts and shellfish' });
    await t.app.indexer.drain();
  }, 120_000);
  afterAll(async () => t?.destroy());

  it('finds a memory by a paraphrase (SEMANTIC), by a rare token (LEXICAL), and by both in HYBRID', async () => {
    const paraphrase = 'Which nuts must this person never eat?';
    const semantic = await search({ text: paraphrase, mode: 'SEMANTIC', topK: 3 });
    expect(labelOf(semantic[0]!.memory.id)).toBe('peanuts');
    expect(semantic[0]!.score).toBeGreaterThan(semantic[1]!.score);

    const lexical = await search({ text: 'zyxquorp', mode: 'LEXICAL' });
    expect(lexical.map((m) => labelOf(m.memory.id))).toEqual(['game']);

    for (const text of [paraphrase, 'What instrument do they play?', 'zyxquorp']) {
      const hybrid = await search({ text, mode: 'HYBRID', topK: 3 });
      const semanticTop = (await search({ text, mode: 'SEMANTIC', topK: 1 }))[0]!.memory.id;
      const lexicalTop = (await search({ text, mode: 'LEXICAL', topK: 1 }))[0]?.memory.id;
      expect([semanticTop, lexicalTop]).toContain(hybrid[0]!.memory.id);
    }
    expect(labelOf((await search({ text: 'What instrument do they play?', mode: 'HYBRID' }))[0]!.memory.id)).toBe(
      'cello',
    );
  });

  it('returns nothing for an unrelated question once a threshold is set, in every mode', async () => {
    const unrelated = 'What is the boiling point of mercury in kelvin?';
    expect((await search({ text: unrelated, mode: 'SEMANTIC' })).length).toBeGreaterThan(0);
    expect(await search({ text: unrelated, mode: 'SEMANTIC', threshold: 0.4 })).toEqual([]);
    expect(await search({ text: unrelated, mode: 'HYBRID', threshold: 0.4 })).toEqual([]);
    expect(await search({ text: unrelated, mode: 'LEXICAL', threshold: 0.4 })).toEqual([]);
    // A relevant question keeps its answer under the same threshold.
    const relevant = await search({ text: 'Is allergic to peanuts', mode: 'SEMANTIC', threshold: 0.4 });
    expect(labelOf(relevant[0]!.memory.id)).toBe('peanuts');
    expect(relevant.every((m) => m.score >= 0.4)).toBe(true);
  });

  it('gives User.query the same threshold', async () => {
    await t.admin.ok(InsertBlobDocument, {
      userId: 'blake',
      input: { doc: { content: 'The quarterly budget for the marketing campaign is forty thousand euros.' } },
    });
    await t.app.indexer.drain();
    const ask = (text: string, threshold?: number) =>
      t.admin.ok(QueryUserDocument, { userId: 'blake', text, mode: 'SEMANTIC', threshold });
    expect((await ask('What is the boiling point of mercury in kelvin?')).user!.query.length).toBe(1);
    expect((await ask('What is the boiling point of mercury in kelvin?', 0.4)).user!.query).toEqual([]);
    expect((await ask('How much money is the marketing budget?', 0.4)).user!.query.length).toBe(1);
  });

  it('keeps scoped searches inside their scope, in every mode', async () => {
    for (const mode of MODES) {
      const travel = await search({ text: 'seats on planes', mode, filter: { agentId: { eq: 'travel' } } });
      expect(travel.map((m) => labelOf(m.memory.id)).sort(), mode).toEqual(['aisle', 'window']);
      const trip = await search({ text: 'seats on planes', mode, filter: { runId: { eq: 'trip-1' } } });
      expect(trip.map((m) => labelOf(m.memory.id)).sort(), mode).toEqual(['seat-chef', 'window']);
      const both = await search({
        text: 'prefers seats',
        mode,
        filter: { agentId: { eq: 'travel' }, runId: { eq: 'trip-2' } },
      });
      expect(
        both.map((m) => labelOf(m.memory.id)),
        mode,
      ).toEqual(['aisle']);
      const unscoped = await search({ text: 'prefers seats on planes', mode, filter: { agentId: { isNull: true } } });
      expect(
        unscoped.every((m) => m.memory.agentId === null),
        mode,
      ).toBe(true);
      const tagged = await search({
        text: 'allergic peanuts cello',
        mode,
        filter: { tags: { containsAny: ['music'] } },
      });
      expect(
        tagged.map((m) => labelOf(m.memory.id)),
        mode,
      ).toEqual(['cello']);
    }
  });

  it('re-indexes an update and forgets a deleted memory', async () => {
    await t.admin.ok(PatchMemoryDocument, { id: ids.dog!, input: { text: 'Has a tabby cat named Quixblot' } });
    await t.app.indexer.drain();
    expect((await search({ text: 'quixblot', mode: 'LEXICAL' })).map((m) => labelOf(m.memory.id))).toEqual(['dog']);
    expect(await search({ text: 'biscuit retriever', mode: 'LEXICAL' })).toEqual([]);
    const semantic = await search({ text: 'a kitten', mode: 'SEMANTIC', topK: 1 });
    expect(labelOf(semantic[0]!.memory.id)).toBe('dog');

    await t.admin.ok(DeleteMemoryDocument, { id: ids.game! });
    await t.app.indexer.drain();
    for (const mode of MODES)
      expect((await search({ text: 'board game zyxquorp', mode, topK: 20 })).map((m) => m.memory.id)).not.toContain(
        ids.game,
      );
  });

  it('searches the whole project, or some of its users, and never another project', async () => {
    const both = await t.admin.ok(SearchProjectMemoriesDocument, { text: 'allergic to peanuts', mode: 'LEXICAL' });
    expect(both.searchMemories.map((m) => m.memory.user.id).sort()).toEqual(['alex', 'blake']);
    const semantic = await t.admin.ok(SearchProjectMemoriesDocument, {
      text: 'nut allergy',
      mode: 'SEMANTIC',
      topK: 2,
    });
    expect(semantic.searchMemories.map((m) => labelOf(m.memory.id)).sort()).toEqual(['blake-peanuts', 'peanuts']);
    const onlyBlake = await t.admin.ok(SearchProjectMemoriesDocument, {
      text: 'allergic to peanuts',
      userIds: ['blake'],
    });
    expect(onlyBlake.searchMemories.map((m) => m.memory.user.id)).toEqual(['blake']);
    const missing = await t.admin.fails(SearchProjectMemoriesDocument, { text: 'x', userIds: ['nobody'] });
    expect(missing.extensions?.code).toBe('NOT_FOUND');

    const other = (await createProjectClient(t, 'elsewhere')).client;
    await other.ok(CreateUserDocument, { input: { id: 'alex' } });
    for (const mode of MODES) {
      expect(
        (await other.ok(SearchProjectMemoriesDocument, { text: 'allergic to peanuts', mode })).searchMemories,
      ).toEqual([]);
      const { user } = await other.ok(SearchUserMemoriesDocument, {
        userId: 'alex',
        text: 'allergic to peanuts',
        mode,
      });
      expect(user!.searchMemories).toEqual([]);
    }
  });

  it('refuses bad search input, naming the argument', async () => {
    const refused: [Omit<SearchUserMemoriesQueryVariables, 'userId'>, string][] = [
      [{ text: '  ' }, 'text'],
      [{ text: 'x', topK: 0 }, 'topK'],
      [{ text: 'x', filter: { tags: { containsAll: [] } } }, 'filter.tags.containsAll'],
    ];
    for (const [variables, field] of refused) {
      const error = await t.admin.fails(SearchUserMemoriesDocument, { userId: 'alex', ...variables });
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});
