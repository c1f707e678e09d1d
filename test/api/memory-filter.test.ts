// The MemoryFilter grammar through User.memories: every operator alone and
// combined, each against a hand-computed set; validation errors naming the
// path; orderBy and Relay pagination that stays stable under inserts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateMemoryDocument,
  type CreateMemoryInput,
  CreateUserDocument,
  DeleteMemoryDocument,
  FilterMemoriesDocument,
  type FilterMemoriesQuery,
  type MemoryFilter,
  type MemoryOrder,
  PatchMemoryDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/** The data set; expected sets below are written by hand from it. */
const MEMORIES: Record<string, CreateMemoryInput> = {
  m1: {
    text: 'Loves hiking in the Alps',
    topic: 'interests',
    subTopic: 'hobbies',
    categories: ['hobby'],
    tags: ['outdoor', 'sport'],
    importance: 0.9,
    confidence: 0.8,
    source: 'crm',
    agentId: 'coach',
    runId: 'r1',
    metadata: { lang: 'en', score: 5, tags: ['a', 'b'], nested: { level: 'high' } },
  },
  m2: {
    text: 'Allergic to peanuts',
    topic: 'health',
    subTopic: 'allergies',
    categories: ['health', 'food'],
    tags: ['health'],
    importance: 1,
    confidence: 1,
    source: 'chat',
    metadata: { lang: 'en', score: 10 },
  },
  m3: {
    text: 'Plays the guitar',
    topic: 'interests',
    subTopic: 'music',
    categories: ['hobby', 'music'],
    tags: ['music'],
    importance: 0.5,
    source: 'crm',
    agentId: 'coach',
    runId: 'r2',
    metadata: { lang: 'de', score: 3.5, nested: { level: 'low' } },
  },
  m4: {
    text: 'Works as a nurse',
    topic: 'work',
    subTopic: 'title',
    categories: ['work'],
    confidence: 0.6,
    agentId: 'career',
    runId: 'r1',
  },
  m5: {
    text: 'Has a dog named Rex',
    topic: 'pets',
    subTopic: 'dogs',
    categories: ['pet'],
    tags: ['outdoor', 'family'],
    importance: 0.3,
    confidence: 0.9,
    source: 'chat',
    runId: 'r3',
    metadata: { lang: 'EN-us', tags: ['b', 'c'], score: '7' },
  },
  m6: {
    text: 'Speaks German and English',
    topic: 'basic_info',
    subTopic: 'languages',
    categories: ['language'],
    tags: ['language'],
    importance: 0.7,
    confidence: 0.5,
    source: 'import',
    agentId: 'career',
    metadata: { lang: 'de', flags: [1, 2, true] },
  },
  /** Deleted once created. */
  m7: { text: 'Lived in Oslo', topic: 'basic_info', subTopic: 'location', tags: ['old'], importance: 0.2 },
  /** Expires shortly after creation. */
  m8: { text: 'Is at the airport', tags: ['transient'], importance: 0.1 },
};

describe('MemoryFilter through User.memories', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  const labels = new Map<string, string>();
  const created: Record<string, string> = {};
  let beforePatch = '';

  const select = async (filter: MemoryFilter | null, orderBy?: MemoryOrder): Promise<string[]> => {
    const { user } = await t.admin.ok(FilterMemoriesDocument, { userId: 'f', filter, orderBy, first: 100 });
    return user!.memories.edges.map((edge) => labels.get(edge.node.id) ?? edge.node.id);
  };

  beforeAll(async () => {
    // The sweep would delete m8 once expired; these tests look at reads, which hide it at expiresAt anyway.
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_EXPIRY_SWEEP_SECONDS: '3600' } });
    await t.admin.ok(CreateUserDocument, { input: { id: 'f' } });
    for (const [label, input] of Object.entries(MEMORIES)) {
      const expiresAt = label === 'm8' ? new Date(Date.now() + 1_500).toISOString() : undefined;
      const { createMemory } = await t.admin.ok(CreateMemoryDocument, { userId: 'f', input: { ...input, expiresAt } });
      ids[label] = createMemory.id;
      labels.set(createMemory.id, label);
      created[label] = createMemory.createdAt;
      await new Promise((resolve) => setTimeout(resolve, 5)); // distinct createdAt
    }
    await t.admin.ok(DeleteMemoryDocument, { id: ids.m7! });
    beforePatch = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await t.admin.ok(PatchMemoryDocument, { id: ids.m3!, input: { summary: 'Acoustic mostly' } });
    // m8 expires: every read leaves it out from then on, whether or not the sweep ran.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(created.m8!) + 1_600 - Date.now())));
  });
  afterAll(async () => t?.destroy());

  const cases: [string, MemoryFilter | null, string[]][] = [
    ['no filter: live, unexpired memories', null, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']],
    ['agentId eq', { agentId: { eq: 'coach' } }, ['m1', 'm3']],
    ['agentId in', { agentId: { in: ['coach', 'career'] } }, ['m1', 'm3', 'm4', 'm6']],
    ['agentId isNull true', { agentId: { isNull: true } }, ['m2', 'm5']],
    ['agentId isNull false', { agentId: { isNull: false } }, ['m1', 'm3', 'm4', 'm6']],
    ['runId eq', { runId: { eq: 'r1' } }, ['m1', 'm4']],
    ['runId in', { runId: { in: ['r2', 'r3', 'r9'] } }, ['m3', 'm5']],
    ['runId isNull', { runId: { isNull: true } }, ['m2', 'm6']],
    ['topic eq', { topic: { eq: 'interests' } }, ['m1', 'm3']],
    ['topic in', { topic: { in: ['work', 'pets'] } }, ['m4', 'm5']],
    ['subTopic eq', { subTopic: { eq: 'allergies' } }, ['m2']],
    ['subTopic in', { subTopic: { in: ['music', 'dogs'] } }, ['m3', 'm5']],
    ['source eq', { source: { eq: 'crm' } }, ['m1', 'm3']],
    ['source in', { source: { in: ['chat', 'import'] } }, ['m2', 'm5', 'm6']],
    ['categories contains', { categories: { contains: 'hobby' } }, ['m1', 'm3']],
    ['categories containsAny', { categories: { containsAny: ['music', 'pet'] } }, ['m3', 'm5']],
    ['categories containsAll', { categories: { containsAll: ['health', 'food'] } }, ['m2']],
    ['tags contains', { tags: { contains: 'outdoor' } }, ['m1', 'm5']],
    ['tags containsAny', { tags: { containsAny: ['music', 'language'] } }, ['m3', 'm6']],
    ['tags containsAll', { tags: { containsAll: ['outdoor', 'family'] } }, ['m5']],
    ['importance gte', { importance: { gte: 0.7 } }, ['m1', 'm2', 'm6']],
    ['importance lte', { importance: { lte: 0.5 } }, ['m3', 'm5']],
    ['importance between', { importance: { gte: 0.4, lte: 0.8 } }, ['m3', 'm6']],
    ['confidence gte', { confidence: { gte: 0.8 } }, ['m1', 'm2', 'm5']],
    ['confidence lte', { confidence: { lte: 0.6 } }, ['m4', 'm6']],
    ['text contains, case-insensitive', { text: { contains: 'GUITAR' } }, ['m3']],
    ['text contains a phrase', { text: { contains: 'in the' } }, ['m1']],
    ['metadata eq', { metadata: [{ path: ['lang'], eq: 'en' }] }, ['m1', 'm2']],
    ['metadata in', { metadata: [{ path: ['lang'], in: ['de', 'EN-us'] }] }, ['m3', 'm5', 'm6']],
    ['metadata gte (numbers only)', { metadata: [{ path: ['score'], gte: 5 }] }, ['m1', 'm2']],
    ['metadata lte', { metadata: [{ path: ['score'], lte: 4 }] }, ['m3']],
    ['metadata gte on strings', { metadata: [{ path: ['score'], gte: '5' }] }, ['m5']],
    ['metadata nested path', { metadata: [{ path: ['nested', 'level'], eq: 'high' }] }, ['m1']],
    ['metadata array index', { metadata: [{ path: ['tags', '0'], eq: 'a' }] }, ['m1']],
    ['metadata contains: array element', { metadata: [{ path: ['tags'], contains: 'b' }] }, ['m1', 'm5']],
    ['metadata contains: substring', { metadata: [{ path: ['lang'], contains: 'en' }] }, ['m1', 'm2', 'm5']],
    ['metadata contains: boolean element', { metadata: [{ path: ['flags'], contains: true }] }, ['m6']],
    ['metadata contains: number element', { metadata: [{ path: ['flags'], contains: 2 }] }, ['m6']],
    [
      'several metadata conditions (all hold)',
      {
        metadata: [
          { path: ['lang'], eq: 'de' },
          { path: ['score'], lte: 4 },
        ],
      },
      ['m3'],
    ],
    ['fields of one filter are ANDed', { topic: { eq: 'interests' }, runId: { eq: 'r1' } }, ['m1']],
    ['AND', { AND: [{ agentId: { eq: 'coach' } }, { tags: { contains: 'music' } }] }, ['m3']],
    ['OR', { OR: [{ topic: { eq: 'work' } }, { importance: { gte: 0.95 } }] }, ['m2', 'm4']],
    ['NOT', { NOT: { agentId: { isNull: true } } }, ['m1', 'm3', 'm4', 'm6']],
    ['NOT of a condition on a missing value', { NOT: { importance: { gte: 0.5 } } }, ['m4', 'm5']],
    ['NOT of a metadata condition', { NOT: { metadata: [{ path: ['lang'], eq: 'en' }] } }, ['m3', 'm4', 'm5', 'm6']],
    [
      'nested AND/OR/NOT',
      {
        OR: [{ AND: [{ source: { eq: 'crm' } }, { NOT: { runId: { eq: 'r2' } } }] }, { text: { contains: 'dog' } }],
      },
      ['m1', 'm5'],
    ],
    ['AND: [] matches all', { AND: [] }, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']],
    ['OR: [] matches none', { OR: [] }, []],
    ['includeDeleted', { includeDeleted: true }, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']],
    ['includeExpired', { includeExpired: true }, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm8']],
    [
      'includeDeleted and includeExpired with a condition',
      { includeDeleted: true, includeExpired: true, importance: { lte: 0.2 } },
      ['m7', 'm8'],
    ],
  ];

  for (const [name, filter, expected] of cases) {
    it(name, async () => {
      expect(await select(filter)).toEqual(expected);
    });
  }

  it('createdAt and updatedAt bounds', async () => {
    expect(await select({ createdAt: { gte: created.m4 } })).toEqual(['m4', 'm5', 'm6']);
    expect(await select({ createdAt: { lte: created.m2 } })).toEqual(['m1', 'm2']);
    expect(await select({ createdAt: { gte: created.m2, lte: created.m3 } })).toEqual(['m2', 'm3']);
    expect(await select({ updatedAt: { gte: beforePatch } })).toEqual(['m3']);
    expect(await select({ updatedAt: { gte: beforePatch }, includeDeleted: true })).toEqual(['m3']);
  });

  it('refuses bad filters with BAD_USER_INPUT naming the path', async () => {
    const refused = async (filter: unknown, field: string) => {
      const error = await t.admin.fails(FilterMemoriesDocument, { userId: 'f', filter: filter as MemoryFilter });
      expect(error.extensions, JSON.stringify(filter)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    };
    let deep: Record<string, unknown> = { importance: { gte: 0 } };
    for (let i = 0; i < 8; i++) deep = { NOT: deep };
    await refused(deep, 'filter.NOT.NOT.NOT.NOT.NOT.NOT.NOT.NOT');
    await refused({ AND: [{}, {}, { tags: { containsAny: [] } }] }, 'filter.AND[2].tags.containsAny');
    await refused({ AND: [{}, {}, { tags: { foo: ['x'] } }] }, 'filter.AND[2].tags.foo');
    await refused({ importance: { gte: 'high' } }, 'filter.importance.gte');
    await refused({ agentId: {} }, 'filter.agentId');
    await refused({ metadata: [{ path: ['a'], eq: 1, lte: 2 }] }, 'filter.metadata[0]');
    await refused({ metadata: [{ path: ['a'], eq: { nested: true } }] }, 'filter.metadata[0].eq');
    await refused({ metadata: [{ path: ['a'], gte: true }] }, 'filter.metadata[0].gte');
    await refused({ metadata: [{ path: [], eq: 1 }] }, 'filter.metadata[0].path');
    await refused({ OR: [{ includeDeleted: true }] }, 'filter.OR[0].includeDeleted');
    await refused({ text: { contains: '' } }, 'filter.text.contains');
    await refused({ createdAt: { gte: 'yesterday' } }, 'filter.createdAt.gte');
    // Eight levels are fine.
    let eight: Record<string, unknown> = { importance: { gte: 0.95 } };
    for (let i = 0; i < 7; i++) eight = { NOT: eight };
    expect(await select(eight as MemoryFilter)).toEqual(['m1', 'm3', 'm4', 'm5', 'm6']);
  });

  it('orders by createdAt, updatedAt and importance, both ways, nulls last', async () => {
    expect(await select(null, { field: 'CREATED_AT', direction: 'DESC' })).toEqual([
      'm6',
      'm5',
      'm4',
      'm3',
      'm2',
      'm1',
    ]);
    expect((await select(null, { field: 'UPDATED_AT', direction: 'DESC' }))[0]).toBe('m3');
    expect(await select(null, { field: 'IMPORTANCE', direction: 'DESC' })).toEqual([
      'm2',
      'm1',
      'm6',
      'm3',
      'm5',
      'm4',
    ]);
    expect(await select(null, { field: 'IMPORTANCE', direction: 'ASC' })).toEqual(['m5', 'm3', 'm6', 'm1', 'm2', 'm4']);
  });

  it('pages with cursors that stay stable while memories are inserted, in every order', async () => {
    await t.admin.ok(CreateUserDocument, { input: { id: 'pager' } });
    const make = async (i: number, importance: number | null) =>
      (await t.admin.ok(CreateMemoryDocument, { userId: 'pager', input: { text: `Fact number ${i}`, importance } }))
        .createMemory.id;
    const original: string[] = [];
    for (let i = 0; i < 9; i++) original.push(await make(i, i % 3 === 0 ? null : (i % 4) / 4));

    for (const orderBy of [
      { field: 'CREATED_AT', direction: 'ASC' },
      { field: 'CREATED_AT', direction: 'DESC' },
      { field: 'IMPORTANCE', direction: 'DESC' },
      { field: 'IMPORTANCE', direction: 'ASC' },
      { field: 'UPDATED_AT', direction: 'DESC' },
    ] as MemoryOrder[]) {
      const existing = [...original];
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 100; page++) {
        const result: FilterMemoriesQuery = await t.admin.ok(FilterMemoriesDocument, {
          userId: 'pager',
          orderBy,
          first: 2,
          after,
        });
        const connection = result.user!.memories;
        seen.push(...connection.edges.map((edge) => edge.node.id));
        // Inserts between pages: they may show up or not, but nothing repeats and nothing is skipped.
        if (page < 4) original.push(await make(100 + original.length, page % 2 ? 0.5 : null));
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor;
      }
      expect(new Set(seen).size, JSON.stringify(orderBy)).toBe(seen.length);
      expect(
        existing.filter((id) => !seen.includes(id)),
        JSON.stringify(orderBy),
      ).toEqual([]);
    }

    const otherOrder = await t.admin.ok(FilterMemoriesDocument, {
      userId: 'pager',
      orderBy: { field: 'IMPORTANCE', direction: 'DESC' },
      first: 1,
    });
    const cursor = otherOrder.user!.memories.pageInfo.endCursor!;
    const error = await t.admin.fails(FilterMemoriesDocument, { userId: 'pager', first: 1, after: cursor });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
