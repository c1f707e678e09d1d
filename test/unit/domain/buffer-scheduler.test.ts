// BufferScheduler on in-memory fakes: when a user's buffer is processed
// (token threshold, idle time, explicit flush, retry time) and what
// flushAndWait reports.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { WaitTimeoutError } from '../../../src/domain/errors.js';
import type { UserRecord } from '../../../src/domain/types.js';
import { op } from '../../fakes/scripted.extractor.js';
import { createTestDomain, type TestDomain } from '../../fakes/test-domain.js';

let domain: TestDomain;

afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await domain?.stop();
});

const owner = (user: UserRecord) => ({ userPk: user.pk, projectId: user.projectId });
/** A chat blob of about `tokens` tokens (4 characters a token). */
const chatOf = (tokens: number, text = 'x') => ({
  chat: { messages: [{ role: 'user', content: text.padEnd(tokens * 4, '.') }] },
});

async function pending(user: UserRecord): Promise<number> {
  const [status] = await domain.repos.processing.status([user.pk]);
  return status!.pendingBlobs;
}

/** Waits until the scheduler has swept at least `rounds` more times. */
async function sweeps(rounds: number): Promise<void> {
  const dueUsers = vi.mocked(domain.repos.processing.dueUsers);
  const target = dueUsers.mock.calls.length + rounds;
  await vi.waitFor(() => expect(dueUsers.mock.calls.length).toBeGreaterThanOrEqual(target), { timeout: 5_000 });
}

describe('BufferScheduler', () => {
  it('leaves a buffer under the token threshold alone, and processes it once an insert crosses it', async () => {
    domain = await createTestDomain({ scheduler: { tokenThreshold: 100, idleMs: 3_600_000, sweepMs: 3_600_000 } });
    domain.extractor.enqueue({ operations: [op.add('User said something.', 'misc', 'notes')] });
    domain.services.buffer.start();
    const user = await domain.newUser();
    await domain.services.blobs.insert(user, chatOf(60));
    await domain.services.buffer.stop(); // waits for any round a kick started
    expect(domain.extractor.calls).toHaveLength(0);
    expect(await pending(user)).toBe(1);

    domain.services.buffer.start();
    await domain.services.blobs.insert(user, chatOf(50));
    await vi.waitFor(async () => expect(await pending(user)).toBe(0));
    expect(domain.extractor.calls).toHaveLength(1);
    expect(domain.extractor.calls[0]!.messages).toHaveLength(2);
    expect(await domain.repos.memories.listProfile(user.pk, null, new Date())).toHaveLength(1);
  });

  it('processes a buffer that stayed idle for idleMs, found by the periodic sweep', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = new Date('2025-06-01T12:00:00Z').getTime();
    vi.setSystemTime(t0);
    domain = await createTestDomain({ scheduler: { tokenThreshold: 10_000, idleMs: 60_000, sweepMs: 5 } });
    vi.spyOn(domain.repos.processing, 'dueUsers');
    domain.extractor.enqueue({ operations: [] });
    const user = await domain.newUser();
    await domain.services.blobs.insert(user, chatOf(5));
    domain.services.buffer.start();
    await sweeps(3);
    expect(domain.extractor.calls).toHaveLength(0);

    vi.setSystemTime(t0 + 60_000);
    await vi.waitFor(async () => expect(await pending(user)).toBe(0));
    expect(domain.extractor.calls).toHaveLength(1);
  });

  it('retries a failed batch when its retry time comes, not before', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = new Date('2025-06-01T12:00:00Z').getTime();
    vi.setSystemTime(t0);
    domain = await createTestDomain({
      scheduler: { tokenThreshold: 1, idleMs: 0, sweepMs: 5 },
      processor: { retryBaseMs: 30_000 },
    });
    vi.spyOn(domain.repos.processing, 'dueUsers');
    domain.extractor.enqueue(new Error('model overloaded'), { operations: [] });
    const user = await domain.newUser();
    await domain.services.blobs.insert(user, chatOf(5));
    domain.services.buffer.start();
    await vi.waitFor(() => expect(domain.extractor.calls).toHaveLength(1));
    await sweeps(3);
    expect(domain.extractor.calls).toHaveLength(1);
    expect((await domain.repos.processing.status([user.pk]))[0]).toMatchObject({ state: 'FAILED', attempts: 1 });

    vi.setSystemTime(t0 + 30_000);
    await vi.waitFor(async () => expect(await pending(user)).toBe(0));
    expect(domain.extractor.calls).toHaveLength(2);
    expect((await domain.repos.processing.status([user.pk]))[0]).toMatchObject({ state: 'IDLE', attempts: 0 });
  });

  it('processes a requested flush whatever the size and age of the buffer', async () => {
    domain = await createTestDomain({ scheduler: { tokenThreshold: 10_000, idleMs: 3_600_000, sweepMs: 3_600_000 } });
    domain.extractor.enqueue({ operations: [] });
    const user = await domain.newUser();
    await domain.services.blobs.insert(user, chatOf(3));
    domain.services.buffer.start();
    domain.services.buffer.requestFlush(owner(user));
    await vi.waitFor(async () => expect(await pending(user)).toBe(0));
    expect(domain.extractor.calls).toHaveLength(1);
  });

  it('runs one batch per user and sweep, and users take turns', async () => {
    domain = await createTestDomain({
      scheduler: { tokenThreshold: 1, idleMs: 0, sweepMs: 3_600_000, concurrency: 1 },
      processor: { maxBatchTokens: 10 },
    });
    const ann = await domain.newUser('ann');
    const bob = await domain.newUser('bob');
    for (let i = 0; i < 3; i++) await domain.services.blobs.insert(ann, chatOf(10, `ann${i}`));
    await domain.services.blobs.insert(bob, chatOf(10, 'bob0'));
    const order: string[] = [];
    domain.extractor.enqueue(
      ...Array.from({ length: 4 }, () => (input: { messages: { content: string }[] }) => {
        order.push(input.messages[0]!.content.slice(0, 4));
        return { operations: [] };
      }),
    );
    domain.services.buffer.start(); // one sweep, and no other for an hour
    await vi.waitFor(() => expect(order).toHaveLength(2));
    await domain.services.buffer.stop();
    expect(order.sort()).toEqual(['ann0', 'bob0']);
    expect(await pending(ann)).toBe(2);
    expect(await pending(bob)).toBe(0);
  });

  it('logs a sweep that fails and keeps sweeping', async () => {
    domain = await createTestDomain({ scheduler: { tokenThreshold: 1, idleMs: 0, sweepMs: 5 } });
    domain.extractor.enqueue({ operations: [] });
    const user = await domain.newUser();
    await domain.services.blobs.insert(user, chatOf(5));
    vi.spyOn(domain.repos.processing, 'dueUsers').mockRejectedValueOnce(new Error('database restarting'));
    domain.services.buffer.start();
    await vi.waitFor(async () => expect(await pending(user)).toBe(0));
    expect(domain.log.at('error').map((entry) => entry.message)).toEqual([
      'buffer sweep failed; retrying on the next sweep',
    ]);
  });
});

describe('BufferScheduler.flushAndWait', () => {
  it('processes every pending batch and returns the last event', async () => {
    domain = await createTestDomain({ processor: { maxBatchTokens: 10 } });
    const user = await domain.newUser();
    for (let i = 0; i < 3; i++) await domain.services.blobs.insert(user, chatOf(10));
    domain.extractor.enqueue(
      { operations: [], summary: 'one' },
      { operations: [], summary: 'two' },
      { operations: [], summary: 'three' },
    );
    const result = await domain.services.buffer.flushAndWait(owner(user));
    expect(result).toEqual({ event: expect.objectContaining({ summary: 'three' }), error: null });
    expect(domain.extractor.calls).toHaveLength(3);
    expect(await pending(user)).toBe(0);
  });

  it('returns no event and no error when nothing is pending', async () => {
    domain = await createTestDomain();
    const user = await domain.newUser();
    expect(await domain.services.buffer.flushAndWait(owner(user))).toEqual({ event: null, error: null });
  });

  it("returns the extractor's error, with the event of any batch before it", async () => {
    domain = await createTestDomain({ processor: { maxBatchTokens: 10 } });
    const user = await domain.newUser();
    for (let i = 0; i < 2; i++) await domain.services.blobs.insert(user, chatOf(10));
    domain.extractor.enqueue({ operations: [], summary: 'first' }, new Error('model overloaded'));
    expect(await domain.services.buffer.flushAndWait(owner(user))).toEqual({
      event: expect.objectContaining({ summary: 'first' }),
      error: 'model overloaded',
    });
    expect(await pending(user)).toBe(1);
  });

  it('waits for a batch another worker runs, then processes what is left', async () => {
    domain = await createTestDomain();
    const user = await domain.newUser();
    await domain.services.blobs.insert(user, chatOf(10));
    expect(await domain.repos.processing.claim(user.pk, 'other-process', 60_000)).toBe(true);
    domain.extractor.enqueue({ operations: [], summary: 'after the wait' });
    const claim = vi.spyOn(domain.repos.processing, 'claim');
    const flushed = domain.services.buffer.flushAndWait(owner(user));
    await vi.waitFor(() => expect(claim.mock.calls.length).toBeGreaterThanOrEqual(2)); // busy, and asked again
    await domain.repos.processing.release(user.pk, 'other-process');
    expect(await flushed).toEqual({ event: expect.objectContaining({ summary: 'after the wait' }), error: null });
  });

  it('gives up with an error, not silence, when another worker holds the user past waitTimeoutMs', async () => {
    domain = await createTestDomain({ scheduler: { waitTimeoutMs: 120 } });
    const user = await domain.newUser();
    await domain.services.blobs.insert(user, chatOf(10));
    expect(await domain.repos.processing.claim(user.pk, 'stuck-process', 60_000)).toBe(true);
    const started = Date.now();
    const error = await domain.services.buffer.flushAndWait(owner(user)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error).toMatchObject({ code: 'TIMEOUT', details: { waitedMs: 120 } });
    expect((error as Error).message).toMatch(/^Another worker is processing this user's buffer .* within 120 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(120);
    expect(domain.extractor.calls).toHaveLength(0);
    expect(await pending(user)).toBe(1);
  });
});
