// The use-case services on in-memory fakes: AuthService, UserService,
// BlobService, MemoryService. Errors are asserted by class and field, as the
// GraphQL layer maps them to codes.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthService } from '../../../src/domain/auth/auth.service.js';
import {
  BadInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
} from '../../../src/domain/errors.js';
import type { DomainEvent, ProjectRepository } from '../../../src/domain/ports.js';
import { DEFAULT_PROFILE_CONFIG } from '../../../src/domain/profile/default-profile.js';
import type { UserRecord } from '../../../src/domain/types.js';
import { encodeCursor } from '../../../src/lib/cursor.js';
import { generateSecret } from '../../../src/lib/secrets.js';
import { op } from '../../fakes/scripted.extractor.js';
import { createTestDomain, RecordingLog, type TestDomain } from '../../fakes/test-domain.js';

let domain: TestDomain;

beforeEach(async () => {
  domain = await createTestDomain();
});
afterEach(async () => {
  await domain.stop();
});

/** The error a promise rejects with; fails when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('expected a rejection');
  return outcome;
}

async function fieldOf(promise: Promise<unknown>): Promise<string> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(BadInputError);
  return (error as BadInputError).field;
}

/** A call that may throw at once, as a promise. */
const later = <T>(call: () => Promise<T>): Promise<T> => Promise.resolve().then(call);

const MISSING = '00000000-0000-4000-8000-000000000000';

// ---------------------------------------------------------------- auth

describe('AuthService', () => {
  it('turns a bearer key into its viewer, and refuses a missing, malformed, unknown or revoked key', async () => {
    const { auth } = domain.services;
    expect(domain.admin).toEqual({ projectId: domain.project.id, role: 'admin', keyId: expect.any(String) });
    for (const header of [undefined, null, '', 'Basic abc', 'Bearer', 'Bearer a b', `Bearer ${generateSecret()}`])
      expect(await rejection(auth.authenticate(header))).toBeInstanceOf(UnauthenticatedError);

    const project = await auth.createProject(domain.admin, 'acme');
    const { key, secret } = await auth.createApiKey(domain.admin, project.id, 'ci');
    expect(key).toMatchObject({ projectId: project.id, name: 'ci', role: 'project', revokedAt: null });
    expect(secret).not.toContain(key.id);
    expect(await auth.authenticate(`bearer   ${secret}  `)).toEqual({
      projectId: project.id,
      role: 'project',
      keyId: key.id,
    });
    expect(await auth.revokeApiKey(domain.admin, key.id)).toBe(true);
    expect(await rejection(auth.authenticate(`Bearer ${secret}`))).toBeInstanceOf(UnauthenticatedError);
  });

  it('bootstraps the default project and admin key once, however often it starts', async () => {
    const secret = generateSecret();
    const first = await domain.services.auth.bootstrap(secret);
    const again = await domain.services.auth.bootstrap(secret);
    expect(first).toEqual(domain.project);
    expect(again).toEqual(domain.project);
    const viewer = await domain.services.auth.authenticate(`Bearer ${secret}`);
    expect(viewer).toMatchObject({ projectId: domain.project.id, role: 'admin' });
    expect([...domain.repos.tables.apiKeys.values()].filter((k) => k.projectId === domain.project.id)).toHaveLength(2);
  });

  it('keeps admin operations for admin keys', async () => {
    const projectViewer = await domain.newProject('tenant');
    const { auth } = domain.services;
    expect(await rejection(auth.createProject(projectViewer, 'x'))).toBeInstanceOf(ForbiddenError);
    expect(await rejection(auth.createApiKey(projectViewer, projectViewer.projectId, null))).toBeInstanceOf(
      ForbiddenError,
    );
    expect(await rejection(auth.revokeApiKey(projectViewer, projectViewer.keyId))).toBeInstanceOf(ForbiddenError);
    expect(await auth.currentProject(projectViewer)).toMatchObject({ id: projectViewer.projectId, name: 'tenant' });
  });

  it('validates project names and key names, and names missing projects and keys', async () => {
    const { auth } = domain.services;
    expect(await fieldOf(auth.createProject(domain.admin, '   '))).toBe('name');
    expect(await fieldOf(auth.createProject(domain.admin, 'x'.repeat(129)))).toBe('name');
    expect(await auth.createProject(domain.admin, '  trimmed  ')).toMatchObject({ name: 'trimmed' });
    const taken = await rejection(auth.createProject(domain.admin, 'trimmed'));
    expect(taken).toBeInstanceOf(ConflictError);
    expect(await fieldOf(auth.createApiKey(domain.admin, domain.project.id, ''))).toBe('name');
    expect(await rejection(auth.createApiKey(domain.admin, 'not-a-uuid', null))).toBeInstanceOf(NotFoundError);
    expect(await rejection(auth.createApiKey(domain.admin, MISSING, null))).toBeInstanceOf(NotFoundError);
    expect(await rejection(auth.revokeApiKey(domain.admin, MISSING))).toBeInstanceOf(NotFoundError);
    expect(await fieldOf(auth.revokeApiKey(domain.admin, domain.admin.keyId))).toBe('id');
  });

  it('survives a second process creating the default project at the same moment', async () => {
    const { projects } = domain.repos;
    let lookups = 0;
    const racing: ProjectRepository = {
      findById: (id) => projects.findById(id),
      // The first lookup misses, the create loses the race, the second lookup finds the winner's row.
      findByName: async (name) => (++lookups === 1 ? null : projects.findByName(name)),
      create: () => Promise.reject(new Error('unique constraint')),
      list: () => projects.list(),
    };
    const auth = new AuthService(racing, domain.repos.apiKeys, domain.services.events, new RecordingLog());
    expect(await auth.bootstrap(generateSecret())).toEqual(domain.project);
    expect(lookups).toBe(2);
  });
});

// ---------------------------------------------------------------- users

describe('UserService', () => {
  it("creates users with the app's id or a generated one, scoped to the project", async () => {
    const { users } = domain.services;
    const ann = await users.create(domain.admin, { id: 'ann', data: { plan: 'pro' } });
    expect(ann).toMatchObject({ id: 'ann', projectId: domain.project.id, data: { plan: 'pro' } });
    const generated = await users.create(domain.admin, {});
    expect(generated.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.data).toEqual({});
    const elsewhere = await domain.newProject('elsewhere');
    expect(await users.find(elsewhere, 'ann')).toBeNull();
    expect((await users.create(elsewhere, { id: 'ann' })).pk).not.toBe(ann.pk);
    expect(await users.find(domain.admin, 'ann')).toEqual(ann);
  });

  it('names what is wrong with an id or data', async () => {
    const { users } = domain.services;
    expect(await fieldOf(users.create(domain.admin, { id: '' }))).toBe('input.id');
    expect(await fieldOf(users.create(domain.admin, { id: 'x'.repeat(129) }))).toBe('input.id');
    expect(await fieldOf(users.create(domain.admin, { id: 'tab\there' }))).toBe('input.id');
    expect(await fieldOf(users.create(domain.admin, { id: 'a', data: [1, 2] }))).toBe('input.data');
    expect(await fieldOf(users.create(domain.admin, { id: 'a', data: 'text' }))).toBe('input.data');
    expect(await fieldOf(users.create(domain.admin, { id: 'a', data: { big: 'x'.repeat(70_000) } }))).toBe(
      'input.data',
    );
    await users.create(domain.admin, { id: 'taken' });
    const conflict = await rejection(users.create(domain.admin, { id: 'taken' }));
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict).toMatchObject({ field: 'input.id' });
    expect(await users.list(domain.admin, 10, null)).toMatchObject({ totalCount: 1 });
  });

  it('updates data, refuses null data and unknown users', async () => {
    const { users } = domain.services;
    await users.create(domain.admin, { id: 'ann', data: { a: 1 } });
    expect(await users.update(domain.admin, 'ann', { data: { b: 2 } })).toMatchObject({ data: { b: 2 } });
    expect(await fieldOf(users.update(domain.admin, 'ann', { data: null }))).toBe('input.data');
    expect(await rejection(users.update(domain.admin, 'bob', { data: {} }))).toBeInstanceOf(NotFoundError);
  });

  it('deletes a user with its data and queues the index cleanup', async () => {
    const { users, blobs } = domain.services;
    const ann = await users.create(domain.admin, { id: 'ann' });
    await blobs.insert(ann, { doc: { content: 'Hello.' } });
    expect(await users.delete(domain.admin, 'ann')).toBe(true);
    expect(await users.find(domain.admin, 'ann')).toBeNull();
    expect((await domain.repos.indexJobs.due(10)).map((job) => job.kind)).toEqual(['UPSERT_BLOB', 'DELETE_USER']);
    expect(await rejection(users.delete(domain.admin, 'ann'))).toBeInstanceOf(NotFoundError);
    expect(await users.find(domain.admin, '')).toBeNull();
    expect(await users.find(domain.admin, 'x'.repeat(200))).toBeNull();
  });

  it('pages users with opaque cursors and validates paging arguments', async () => {
    const { users } = domain.services;
    for (const id of ['a', 'b', 'c']) await users.create(domain.admin, { id });
    const first = await users.list(domain.admin, 2, null);
    expect(first).toMatchObject({ totalCount: 3, hasNextPage: true });
    const last = first.items[1]!;
    const rest = await users.list(domain.admin, 2, encodeCursor({ createdAt: last.createdAt, id: last.id }));
    expect([...first.items, ...rest.items].map((u) => u.id).sort()).toEqual(['a', 'b', 'c']);
    expect(rest.hasNextPage).toBe(false);
    // list() checks its arguments before it returns a promise: it throws.
    expect(() => users.list(domain.admin, 101, null)).toThrow(BadInputError);
    expect(await fieldOf(later(() => users.list(domain.admin, 101, null)))).toBe('first');
    expect(await fieldOf(later(() => users.list(domain.admin, -1, null)))).toBe('first');
    expect(await fieldOf(later(() => users.list(domain.admin, 10, 'not a cursor')))).toBe('after');
  });
});

// ---------------------------------------------------------------- blobs

describe('BlobService', () => {
  let user: UserRecord;
  beforeEach(async () => {
    user = await domain.newUser('ann');
  });

  it('stores a blob with its chunks and tells listeners its buffer tokens (chats and summaries only)', async () => {
    const told: [string, number][] = [];
    domain.services.blobs.onInserted((blob, tokens) => told.push([blob.content.type, tokens]));
    const chat = await domain.services.blobs.insert(user, {
      chat: {
        messages: [
          { role: ' user ', content: 'x'.repeat(40) },
          { role: 'assistant', content: 'y'.repeat(8) },
        ],
      },
      metadata: { source: 'app' },
    });
    await domain.services.blobs.insert(user, { summary: { summary: 'z'.repeat(12) } });
    await domain.services.blobs.insert(user, { doc: { content: 'A doc.' } });
    await domain.services.blobs.insert(user, { code: { content: 'let x = 1;', language: 'ts' } });
    await domain.services.blobs.insert(user, { transcript: { segments: [{ start: 0, end: 1, text: 'Hi.' }] } });
    expect(told).toEqual([
      ['CHAT', 12],
      ['SUMMARY', 3],
      ['DOC', 0],
      ['CODE', 0],
      ['TRANSCRIPT', 0],
    ]);
    expect(chat.content).toEqual({
      type: 'CHAT',
      messages: [
        { role: 'user', content: 'x'.repeat(40), name: null, createdAt: null },
        { role: 'assistant', content: 'y'.repeat(8), name: null, createdAt: null },
      ],
    });
    expect(chat.metadata).toEqual({ source: 'app' });
    expect(await domain.repos.chunks.findByBlob(chat.id)).toHaveLength(2);
    expect((await domain.repos.processing.status([user.pk]))[0]).toMatchObject({ pendingBlobs: 2, pendingTokens: 15 });
  });

  it('stamps createdAt with the given time, else now', async () => {
    const given = new Date('2020-02-02T02:02:02Z');
    const now = new Date('2025-05-05T05:05:05Z');
    expect(
      (await domain.services.blobs.insert(user, { doc: { content: 'a' }, createdAt: given }, now)).createdAt,
    ).toEqual(given);
    expect((await domain.services.blobs.insert(user, { doc: { content: 'b' } }, now)).createdAt).toEqual(now);
  });

  it('names the field of bad input and stores nothing', async () => {
    const { blobs } = domain.services;
    expect(await fieldOf(blobs.insert(user, {}))).toBe('input');
    expect(await fieldOf(blobs.insert(user, { doc: { content: 'a' }, summary: { summary: 'b' } }))).toBe('input');
    expect(await fieldOf(blobs.insert(user, { chat: { messages: [] } }))).toBe('input.chat.messages');
    expect(await fieldOf(blobs.insert(user, { chat: { messages: [{ role: 'user', content: '  ' }] } }))).toBe(
      'input.chat.messages[0].content',
    );
    expect(await fieldOf(blobs.insert(user, { chat: { messages: [{ role: ' ', content: 'x' }] } }))).toBe(
      'input.chat.messages[0].role',
    );
    expect(await fieldOf(blobs.insert(user, { doc: { content: 'x', title: 't'.repeat(257) } }))).toBe(
      'input.doc.title',
    );
    expect(await fieldOf(blobs.insert(user, { doc: { content: 'x'.repeat(1_000_001) } }))).toBe('input.doc');
    expect(
      await fieldOf(blobs.insert(user, { transcript: { segments: [{ start: 2, end: 1, text: 'backwards' }] } })),
    ).toBe('input.transcript.segments[0].end');
    expect(await fieldOf(blobs.insert(user, { doc: { content: 'x' }, metadata: [1] }))).toBe('input.metadata');
    expect(await fieldOf(blobs.insert(user, { doc: { content: 'x' }, createdAt: new Date('bad') }))).toBe(
      'input.createdAt',
    );
    expect(await domain.services.blobs.list(user, { type: null }, 10, null)).toMatchObject({ totalCount: 0 });
    expect(await domain.repos.indexJobs.pendingCount()).toBe(0);
  });

  it('finds, lists and deletes within the viewer project only', async () => {
    const { blobs } = domain.services;
    const doc = await blobs.insert(user, { doc: { content: 'Mine.' } });
    const other = await domain.newProject('other');
    expect(await blobs.find(domain.admin, doc.id)).toEqual(doc);
    expect(await blobs.find(other, doc.id)).toBeNull();
    expect(await blobs.find(domain.admin, 'not-a-uuid')).toBeNull();
    expect(await rejection(blobs.delete(other, doc.id))).toBeInstanceOf(NotFoundError);
    expect((await blobs.list(user, { type: 'DOC' }, 10, null)).items).toEqual([doc]);
    expect((await blobs.list(user, { type: 'CHAT' }, 10, null)).items).toEqual([]);
    expect(await blobs.delete(domain.admin, doc.id)).toBe(true);
    expect(await blobs.find(domain.admin, doc.id)).toBeNull();
    expect(await rejection(blobs.delete(domain.admin, doc.id))).toBeInstanceOf(NotFoundError);
  });
});

// ---------------------------------------------------------------- memories

describe('MemoryService', () => {
  let user: UserRecord;
  let published: DomainEvent[];

  beforeEach(async () => {
    user = await domain.newUser('ann');
    await domain.services.blobs.insert(user, { chat: { messages: [{ role: 'user', content: 'Facts about me.' }] } });
    domain.extractor.enqueue({
      operations: [
        op.add('User plays chess.', 'interests', 'hobbies', ['games']),
        op.add('User lives in Porto.', 'basic_info', 'location'),
        op.add('User likes jazz.', 'zz_custom', 'music'),
      ],
    });
    await domain.services.buffer.flushAndWait({ userPk: user.pk, projectId: user.projectId });
    published = [];
    const subscription = domain.events.subscribe(user.projectId, () => true);
    void (async () => {
      for await (const event of subscription) published.push(event);
    })();
  });

  async function memoryByText(text: string) {
    const [found] = (await domain.repos.memories.listProfile(user.pk, null, new Date())).filter((m) => m.text === text);
    if (!found) throw new Error(`no memory "${text}"`);
    return found;
  }

  it('groups the profile by topic in the order of the profile configuration, unknown topics last', async () => {
    const profile = await domain.services.memories.profile(user, null);
    expect(profile.map((group) => [group.topic, group.entries.map((m) => m.text)])).toEqual([
      ['basic_info', ['User lives in Porto.']],
      ['interests', ['User plays chess.']],
      ['zz_custom', ['User likes jazz.']],
    ]);
    expect((await domain.services.memories.profile(user, ['interests'])).map((g) => g.topic)).toEqual(['interests']);
    expect((await domain.services.memories.profile(user, [])).length).toBe(3);
  });

  it('finds memories of the viewer project only, deleted ones included', async () => {
    const chess = await memoryByText('User plays chess.');
    expect(await domain.services.memories.find(domain.admin, chess.id)).toEqual(chess);
    expect(await domain.services.memories.find(await domain.newProject('other'), chess.id)).toBeNull();
    expect(await domain.services.memories.find(domain.admin, 'not-a-uuid')).toBeNull();
    await domain.services.memoryEdits.delete(domain.admin, chess.id);
    expect((await domain.services.memories.find(domain.admin, chess.id))!.deletedAt).toBeInstanceOf(Date);
    expect((await domain.services.memories.list(user, { first: 10 })).totalCount).toBe(2);
  });

  it('updates a memory: the given fields change, history records it as the API, subscribers hear of it', async () => {
    const chess = await memoryByText('User plays chess.');
    const updated = await domain.services.memoryEdits.update(domain.admin, chess.id, {
      text: '  User plays chess on Sundays. ',
      categories: ['games', ' weekly ', 'games'],
      metadata: { confirmed: true },
    });
    expect(updated).toMatchObject({
      id: chess.id,
      text: 'User plays chess on Sundays.',
      topic: 'interests',
      subTopic: 'hobbies',
      categories: ['games', 'weekly'],
      metadata: { confirmed: true },
    });
    const [history] = await domain.repos.memories.history([chess.id]);
    expect(history!.map((c) => [c.kind, c.actor])).toEqual([
      ['ADD', 'EXTRACTOR'],
      ['UPDATE', 'API'],
    ]);
    const [embedding] = await domain.embedder.embed(['User plays chess on Sundays.']);
    const live = await domain.repos.memories.listLiveWithEmbeddings(
      user.pk,
      { agentId: null, runId: null },
      new Date(),
    );
    expect(live.find((m) => m.id === chess.id)!.embedding).toEqual(embedding);
    await vi.waitFor(() => expect(published.length).toBeGreaterThanOrEqual(1));
    expect(published[0]).toMatchObject({
      type: 'memory.changed',
      change: { memoryId: chess.id, kind: 'UPDATE', actor: 'API' },
    });

    const moved = await domain.services.memoryEdits.update(domain.admin, chess.id, {
      topic: ' games ',
      subTopic: 'board',
    });
    expect(moved).toMatchObject({ topic: 'games', subTopic: 'board', text: 'User plays chess on Sundays.' });
  });

  it('names the field of a bad update and changes nothing', async () => {
    const chess = await memoryByText('User plays chess.');
    const { memoryEdits: memories } = domain.services;
    expect(await fieldOf(memories.update(domain.admin, chess.id, { text: '   ' }))).toBe('input.text');
    expect(await fieldOf(memories.update(domain.admin, chess.id, { text: 'x'.repeat(2_001) }))).toBe('input.text');
    expect(await fieldOf(memories.update(domain.admin, chess.id, { topic: '' }))).toBe('input.topic');
    expect(await fieldOf(memories.update(domain.admin, chess.id, { subTopic: 'x'.repeat(65) }))).toBe('input.subTopic');
    expect(await fieldOf(memories.update(domain.admin, chess.id, { categories: ['ok', ' '] }))).toBe(
      'input.categories[1]',
    );
    const many = Array.from({ length: 21 }, (_, i) => `c${i}`);
    expect(await fieldOf(memories.update(domain.admin, chess.id, { categories: many }))).toBe('input.categories');
    expect(await fieldOf(memories.update(domain.admin, chess.id, { metadata: 'text' }))).toBe('input.metadata');
    expect(await memoryByText('User plays chess.')).toEqual(chess);
    expect((await domain.repos.memories.history([chess.id]))[0]).toHaveLength(1);
  });

  it('deletes a memory once, publishes it, and refuses to edit it after', async () => {
    const chess = await memoryByText('User plays chess.');
    expect(await domain.services.memoryEdits.delete(domain.admin, chess.id)).toBe(true);
    await vi.waitFor(() => expect(published.length).toBeGreaterThanOrEqual(1));
    expect(published[0]).toMatchObject({ type: 'memory.changed', change: { kind: 'DELETE', actor: 'API' } });
    for (const again of [
      domain.services.memoryEdits.delete(domain.admin, chess.id),
      domain.services.memoryEdits.update(domain.admin, chess.id, { text: 'back' }),
      domain.services.memoryEdits.delete(domain.admin, MISSING),
      domain.services.memoryEdits.delete(await domain.newProject('other'), (await memoryByText('User likes jazz.')).id),
    ])
      expect(await rejection(again)).toBeInstanceOf(NotFoundError);
  });

  it("lists the user's events", async () => {
    const events = await domain.services.memories.listEvents(user, 10, null);
    expect(events.totalCount).toBe(1);
    expect(events.items[0]).toMatchObject({ userPk: user.pk });
    expect(await fieldOf(later(() => domain.services.memories.listEvents(user, 1_000, null)))).toBe('first');
  });

  it('answers the default profile configuration until the project saves a valid one of its own', async () => {
    const { memories } = domain.services;
    expect(await memories.profileConfig(user.projectId)).toEqual(DEFAULT_PROFILE_CONFIG);
    const config = {
      strict: true,
      blobTokenCap: 3_000_000,
      topics: [
        { name: 'diet', description: 'Food', subTopics: [{ name: 'rules', description: '', singleValued: false }] },
      ],
    };
    expect(await memories.setProfileConfig(domain.admin, config)).toEqual(config);
    expect(await memories.profileConfig(user.projectId)).toEqual(config);
    const bad = { strict: false, blobTokenCap: 3_000_000, topics: [{ name: '', description: '', subTopics: [] }] };
    const field = await fieldOf(memories.setProfileConfig(domain.admin, bad));
    expect(field.startsWith('input.topics[0]')).toBe(true);
    expect(await memories.profileConfig(user.projectId)).toEqual(config);
  });
});
