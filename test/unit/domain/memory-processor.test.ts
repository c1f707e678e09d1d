// MemoryProcessor on in-memory fakes: one user's batch from claim to commit,
// and what is left behind when it cannot run or fails.

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DomainEvent } from '../../../src/domain/ports.js';
import type { UserRecord } from '../../../src/domain/types.js';
import { DEFAULT_PROFILE_CONFIG } from '../../../src/domain/profile/default-profile.js';
import { bufferStateOf } from '../../fakes/in-memory.repositories.js';
import { op, ScriptedExtractor } from '../../fakes/scripted.extractor.js';
import { createTestDomain, type TestDomain } from '../../fakes/test-domain.js';

let domain: TestDomain;

afterEach(async () => {
  vi.useRealTimers();
  await domain?.stop();
});

const chat = (...contents: string[]) => ({
  chat: { messages: contents.map((content) => ({ role: 'user', content })) },
});

async function userWithChat(...contents: string[]): Promise<UserRecord> {
  const user = await domain.newUser();
  await domain.services.blobs.insert(user, chat(...contents));
  return user;
}

/** The user as the processor addresses it. */
const owner = (user: UserRecord) => ({ userPk: user.pk, projectId: user.projectId });

/** Everything published on the bus for the default project, in order. */
function record(): DomainEvent[] {
  const seen: DomainEvent[] = [];
  const original = domain.events.publish.bind(domain.events);
  vi.spyOn(domain.events, 'publish').mockImplementation(async (event) => {
    seen.push(event);
    await original(event);
  });
  return seen;
}

describe('MemoryProcessor.processNext', () => {
  it('is empty, and frees the lease, when nothing is buffered', async () => {
    domain = await createTestDomain();
    const user = await domain.newUser();
    expect(await domain.processor.processNext(owner(user))).toEqual({ kind: 'empty' });
    expect(domain.extractor.calls).toHaveLength(0);
    expect(await domain.repos.processing.claim(user.pk, 'another-worker', 60_000)).toBe(true);
  });

  it('is busy while another worker holds the lease, and touches nothing', async () => {
    domain = await createTestDomain();
    const user = await userWithChat('I live in Porto.');
    expect(await domain.repos.processing.claim(user.pk, 'another-worker', 60_000)).toBe(true);
    expect(await domain.processor.processNext(owner(user))).toEqual({ kind: 'busy' });
    expect(domain.extractor.calls).toHaveLength(0);
    const [status] = await domain.repos.processing.status([user.pk]);
    expect(status).toMatchObject({ pendingBlobs: 1, state: 'PROCESSING' });
  });

  it('extracts, commits memories, history and event, marks the blobs done and frees the lease', async () => {
    domain = await createTestDomain();
    const user = await userWithChat('I live in Porto.', 'I have a cat called Miso.');
    domain.extractor.enqueue({
      operations: [
        op.add('User lives in Porto.', 'basic_info', 'location'),
        op.add('User has a cat called Miso.', 'family', 'pets', ['pets']),
      ],
      summary: 'Where the user lives; their cat.',
      tags: ['home', 'pets'],
      usage: { promptTokens: 10, completionTokens: 5, calls: 1 },
    });

    const outcome = await domain.processor.processNext(owner(user));

    if (outcome.kind !== 'processed') throw new Error(`expected processed, got ${outcome.kind}`);
    const [blob] = (await domain.repos.blobs.listByUser(user.pk, { type: null }, { first: 1, after: null })).items;
    expect(outcome.event).toMatchObject({
      userPk: user.pk,
      projectId: user.projectId,
      summary: 'Where the user lives; their cat.',
      tags: ['home', 'pets'],
      blobIds: [blob!.id],
      usage: { promptTokens: 10, completionTokens: 5, calls: 1 },
    });
    const memories = await domain.repos.memories.listProfile(user.pk, null, new Date());
    expect(memories.map((m) => [m.topic, m.subTopic, m.text])).toEqual([
      ['basic_info', 'location', 'User lives in Porto.'],
      ['family', 'pets', 'User has a cat called Miso.'],
    ]);
    const [changes] = await domain.repos.memories.changesOfEvents([outcome.event.id]);
    expect(changes!.map((c) => [c.kind, c.actor, c.sourceBlobIds])).toEqual([
      ['ADD', 'EXTRACTOR', [blob!.id]],
      ['ADD', 'EXTRACTOR', [blob!.id]],
    ]);
    expect(bufferStateOf(domain.repos, blob!.id)).toBe('DONE');
    expect(await domain.repos.processing.status([user.pk])).toEqual([
      { pendingBlobs: 0, pendingTokens: 0, state: 'IDLE', lastError: null, attempts: 0, nextAttemptAt: null },
    ]);
    expect(await domain.repos.processing.claim(user.pk, 'another-worker', 60_000)).toBe(true);
  });

  it('shows the extractor the messages, the default profile, the live memories and the time', async () => {
    domain = await createTestDomain();
    const user = await domain.newUser();
    const sentAt = new Date('2025-02-01T10:00:00Z');
    await domain.services.blobs.insert(user, {
      chat: {
        messages: [
          { role: 'user', content: 'Hi, I am Ann.', createdAt: sentAt },
          { role: 'assistant', content: 'Hello Ann.' },
        ],
      },
      createdAt: new Date('2025-02-01T09:00:00Z'),
    });
    await domain.services.blobs.insert(user, { summary: { summary: 'Ann talked about Lisbon.' } });
    await domain.services.blobs.insert(user, { doc: { content: 'A doc never reaches extraction.' } });
    domain.extractor.enqueue({ operations: [op.add('User is called Ann.', 'basic_info', 'name')] });
    await domain.processor.processNext(owner(user));
    domain.extractor.enqueue({ operations: [] });
    domain.extractor.enqueue({ operations: [] });
    await domain.services.blobs.insert(user, chat('I moved.'));
    await domain.processor.processNext(owner(user));
    await domain.processor.processNext(owner(user));

    // One blob type per batch (extracted memories take it as their source): the chat, then the summary.
    const [first, second, third] = domain.extractor.calls;
    expect(first!.messages).toEqual([
      { role: 'user', content: 'Hi, I am Ann.', name: null, createdAt: sentAt },
      { role: 'assistant', content: 'Hello Ann.', name: null, createdAt: new Date('2025-02-01T09:00:00Z') },
    ]);
    expect(first!.profile).toEqual(DEFAULT_PROFILE_CONFIG);
    expect(first!.existing).toEqual([]);
    expect(second!.messages).toEqual([
      { role: 'summary', content: 'Ann talked about Lisbon.', createdAt: expect.any(Date) },
    ]);
    expect(second!.existing).toEqual([
      { id: expect.any(String), text: 'User is called Ann.', topic: 'basic_info', subTopic: 'name' },
    ]);
    expect(third!.messages.map((m) => m.content)).toEqual(['I moved.']);
  });

  it("uses the project's own profile configuration", async () => {
    domain = await createTestDomain();
    const strict = {
      strict: true,
      blobTokenCap: 3_000_000,
      topics: [
        { name: 'diet', description: 'Food', subTopics: [{ name: 'rules', description: '', singleValued: false }] },
      ],
    };
    await domain.services.memories.setProfileConfig(domain.admin, strict);
    const user = await userWithChat('I am vegetarian.');
    domain.extractor.enqueue({ operations: [op.add('User is vegetarian.', 'diet', 'rules')] });
    expect((await domain.processor.processNext(owner(user))).kind).toBe('processed');
    expect(domain.extractor.calls[0]!.profile).toEqual(strict);
  });

  it('applies the decisions guard: no duplicate, no no-op update, no change to an unknown memory', async () => {
    // An extractor that breaks the rules: the guard behind it still holds.
    const unruly = new ScriptedExtractor({ unchecked: true });
    domain = await createTestDomain({ extractor: unruly });
    const user = await userWithChat('I live in Porto.');
    unruly.enqueue({ operations: [op.add('User lives in Porto.', 'basic_info', 'location')] });
    await domain.processor.processNext(owner(user));
    const [porto] = await domain.repos.memories.listProfile(user.pk, null, new Date());
    await domain.services.blobs.insert(user, chat('Yes, Porto. And I have a dog.'));
    unruly.enqueue({
      operations: [
        op.add('user lives in porto', 'basic_info', 'location'), // duplicate
        op.update(porto!.id, 'User lives in Porto!', 'basic_info', 'location'), // changes nothing
        op.update('00000000-0000-4000-8000-000000000000', 'User lives in Lyon.', 'basic_info', 'location'),
        op.delete('00000000-0000-4000-8000-000000000001'),
        op.add('User has a dog.', 'family', 'pets'),
        op.add('User has a dog!', 'family', 'pets'), // duplicate within the batch
      ],
    });
    const outcome = await domain.processor.processNext(owner(user));
    if (outcome.kind !== 'processed') throw new Error(`expected processed, got ${outcome.kind}`);
    const [changes] = await domain.repos.memories.changesOfEvents([outcome.event.id]);
    expect(changes!.map((c) => [c.kind, c.after?.text])).toEqual([['ADD', 'User has a dog.']]);
  });

  it('writes UPDATE and DELETE with before and after, and keeps the deleted memory readable', async () => {
    domain = await createTestDomain();
    const user = await userWithChat('I live in Porto and play chess.');
    domain.extractor.enqueue({
      operations: [
        op.add('User lives in Porto.', 'basic_info', 'location'),
        op.add('User plays chess.', 'interests', 'hobbies'),
      ],
    });
    await domain.processor.processNext(owner(user));
    const [porto, chess] = await domain.repos.memories.listProfile(user.pk, null, new Date());
    await domain.services.blobs.insert(user, chat('I moved to Lyon. Forget the chess.'));
    domain.extractor.enqueue({
      operations: [op.update(porto!.id, 'User lives in Lyon.', 'basic_info', 'location'), op.delete(chess!.id)],
    });
    const outcome = await domain.processor.processNext(owner(user));
    if (outcome.kind !== 'processed') throw new Error(`expected processed, got ${outcome.kind}`);
    const [changes] = await domain.repos.memories.changesOfEvents([outcome.event.id]);
    expect(changes!.map((c) => [c.kind, c.before?.text ?? null, c.after?.text ?? null])).toEqual([
      ['UPDATE', 'User lives in Porto.', 'User lives in Lyon.'],
      ['DELETE', 'User plays chess.', null],
    ]);
    expect((await domain.repos.memories.listProfile(user.pk, null, new Date())).map((m) => m.text)).toEqual([
      'User lives in Lyon.',
    ]);
    expect((await domain.repos.memories.findById(user.projectId, chess!.id))!.deletedAt).toBeInstanceOf(Date);
    const sources = await domain.repos.memories.sourceBlobIds([porto!.id]);
    expect(sources[0]).toHaveLength(2);
  });

  it('publishes each change, then the event, only after the commit', async () => {
    domain = await createTestDomain();
    const user = await userWithChat('I live in Porto.');
    const published: DomainEvent[] = [];
    const visibleOnPublish: boolean[] = [];
    const original = domain.events.publish.bind(domain.events);
    vi.spyOn(domain.events, 'publish').mockImplementation(async (event) => {
      published.push(event);
      if (event.type === 'memory.changed')
        visibleOnPublish.push((await domain.repos.memories.findById(user.projectId, event.change.memoryId)) !== null);
      await original(event);
    });
    domain.extractor.enqueue({
      operations: [
        op.add('User lives in Porto.', 'basic_info', 'location'),
        op.add('User likes rain.', 'interests', 'likes'),
      ],
    });
    const outcome = await domain.processor.processNext(owner(user));
    if (outcome.kind !== 'processed') throw new Error(`expected processed, got ${outcome.kind}`);
    expect(published.map((e) => e.type)).toEqual(['memory.changed', 'memory.changed', 'memory.event']);
    expect(published.every((e) => e.projectId === user.projectId && 'userPk' in e && e.userPk === user.pk)).toBe(true);
    expect(published[2]).toMatchObject({ event: { id: outcome.event.id } });
    expect(visibleOnPublish).toEqual([true, true]);
  });

  it('publishes nothing when the commit fails', async () => {
    domain = await createTestDomain();
    const user = await userWithChat('I live in Porto.');
    const published = record();
    vi.spyOn(domain.repos.processing, 'commit').mockRejectedValueOnce(new Error('database went away'));
    domain.extractor.enqueue({ operations: [op.add('User lives in Porto.', 'basic_info', 'location')] });
    expect(await domain.processor.processNext(owner(user))).toEqual({ kind: 'failed', error: 'database went away' });
    expect(published).toEqual([]);
    expect(await domain.repos.memories.listProfile(user.pk, null, new Date())).toEqual([]);
  });

  it('on failure, returns the blobs to the buffer, records the error and frees the lease', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-06-01T12:00:00Z'));
    domain = await createTestDomain({ processor: { retryBaseMs: 1_000, retryMaxMs: 5_000 } });
    const user = await userWithChat('I live in Porto.');
    domain.extractor.enqueue(new Error('LLM unreachable'));

    expect(await domain.processor.processNext(owner(user))).toEqual({ kind: 'failed', error: 'LLM unreachable' });

    expect(await domain.repos.processing.status([user.pk])).toEqual([
      {
        pendingBlobs: 1,
        pendingTokens: expect.any(Number),
        state: 'FAILED',
        lastError: 'LLM unreachable',
        attempts: 1,
        nextAttemptAt: new Date('2025-06-01T12:00:01Z'),
      },
    ]);
    const [blob] = (await domain.repos.blobs.listByUser(user.pk, { type: null }, { first: 1, after: null })).items;
    expect(bufferStateOf(domain.repos, blob!.id)).toBe('PENDING');
    expect(domain.log.at('warn')).toEqual([
      expect.objectContaining({ message: 'extraction batch failed; will retry' }),
    ]);
    expect(await domain.repos.processing.claim(user.pk, 'another-worker', 1)).toBe(true);
  });

  it('backs off exponentially, capped, and starts over after a success', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = new Date('2025-06-01T12:00:00Z').getTime();
    vi.setSystemTime(t0);
    domain = await createTestDomain({ processor: { retryBaseMs: 1_000, retryMaxMs: 5_000 } });
    const user = await userWithChat('I live in Porto.');
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      domain.extractor.enqueue(new Error(`failure ${i + 1}`));
      await domain.processor.processNext(owner(user));
      const [status] = await domain.repos.processing.status([user.pk]);
      delays.push(status!.nextAttemptAt!.getTime() - t0);
      expect(status!.attempts).toBe(i + 1);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);

    domain.extractor.enqueue({ operations: [] });
    expect((await domain.processor.processNext(owner(user))).kind).toBe('processed');
    const [status] = await domain.repos.processing.status([user.pk]);
    expect(status).toMatchObject({ state: 'IDLE', attempts: 0, lastError: null, nextAttemptAt: null });
  });

  it('takes at most maxBatchTokens per batch (at least one blob), oldest first', async () => {
    domain = await createTestDomain({ processor: { maxBatchTokens: 10 } });
    const user = await domain.newUser();
    const texts = ['a'.repeat(24), 'b'.repeat(24), 'c'.repeat(80), 'd'.repeat(8)]; // 6, 6, 20, 2 tokens
    for (const text of texts) await domain.services.blobs.insert(user, chat(text));
    domain.extractor.enqueue({ operations: [] }, { operations: [] }, { operations: [] }, { operations: [] });
    const batches: string[][] = [];
    for (let round = 0; round < 10; round++) {
      const outcome = await domain.processor.processNext(owner(user));
      if (outcome.kind === 'empty') break;
      expect(outcome.kind).toBe('processed');
      batches.push(domain.extractor.calls.at(-1)!.messages.map((m) => m.content[0]!));
    }
    expect(batches).toEqual([['a'], ['b'], ['c'], ['d']]);
    const big = await createTestDomain({ processor: { maxBatchTokens: 15 } });
    try {
      const bigUser = await big.newUser();
      for (const text of texts) await big.services.blobs.insert(bigUser, chat(text));
      big.extractor.enqueue({ operations: [] }, { operations: [] }, { operations: [] });
      await big.processor.processNext(owner(bigUser));
      expect(big.extractor.calls[0]!.messages.map((m) => m.content[0])).toEqual(['a', 'b']);
    } finally {
      await big.stop();
    }
  });

  it('shows the extractor only the memories nearest to the batch when there are many', async () => {
    domain = await createTestDomain({ processor: { maxExistingShown: 2 } });
    const user = await userWithChat('seed');
    domain.extractor.enqueue({
      operations: [
        op.add('User owns a red bicycle.', 'interests', 'hobbies'),
        op.add('User works as a nurse in Lisbon.', 'work', 'job'),
        op.add('User is allergic to peanuts.', 'health', 'allergies'),
        op.add('User rides the bicycle to work every day.', 'interests', 'sports'),
      ],
    });
    await domain.processor.processNext(owner(user));
    await domain.services.blobs.insert(user, chat('My bicycle got a flat tyre on the way to work.'));
    domain.extractor.enqueue({ operations: [] });
    await domain.processor.processNext(owner(user));
    const shown = domain.extractor.calls[1]!.existing.map((m) => m.text).sort();
    expect(shown).toEqual(['User owns a red bicycle.', 'User rides the bicycle to work every day.']);
  });

  it('fails the batch, and writes nothing, when another worker took the lease over before the commit', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-06-01T12:00:00Z'));
    domain = await createTestDomain({ processor: { leaseMs: 1_000 } });
    const user = await userWithChat('I live in Porto.');
    domain.extractor.enqueue(async () => {
      // The extraction outlives the lease and a second worker takes the user over.
      vi.setSystemTime(new Date('2025-06-01T12:00:05Z'));
      expect(await domain.repos.processing.claim(user.pk, 'worker-b', 60_000)).toBe(true);
      return { operations: [op.add('User lives in Porto.', 'basic_info', 'location')] };
    });
    const outcome = await domain.processor.processNext(owner(user));
    expect(outcome).toEqual({ kind: 'failed', error: expect.stringMatching(/lost the processing lease/) });
    expect(await domain.repos.memories.listProfile(user.pk, null, new Date())).toEqual([]);
    // worker-b still holds the user; the failure did not free its lease.
    expect(await domain.repos.processing.claim(user.pk, 'worker-c', 60_000)).toBe(false);
  });
});
