// The extraction buffer and its processing lease, which crash recovery
// depends on (ProcessingRepository in src/domain/ports.ts): one suite for the
// Prisma adapter (PGlite and PostgreSQL) and the in-memory fake.
//
// Lease expiry is real: a lease of a few milliseconds, then a wait several
// times as long. Nothing else waits, and nothing is asserted about a short
// lease before it has surely expired (a slow machine may outlive it).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchCommit } from '../../src/domain/ports.js';
import type { UserRecord } from '../../src/domain/types.js';
import {
  type ContractRepositories,
  newChat,
  newDoc,
  newUser,
  type RepositoriesFixture,
} from './repositories.contract.js';

const HOUR = 3_600_000;
const SHORT_LEASE_MS = 20;
/** Long enough after SHORT_LEASE_MS that the lease has certainly expired. */
const sleepPastShortLease = () => new Promise((resolve) => setTimeout(resolve, SHORT_LEASE_MS * 5));

export function processingContract(name: string, create: () => Promise<RepositoriesFixture>): void {
  describe(`ProcessingRepository contract: ${name}`, () => {
    let fixture: RepositoriesFixture;
    let repos: ContractRepositories;

    beforeAll(async () => {
      fixture = await create();
      repos = fixture.repos;
    });
    afterAll(async () => {
      await fixture?.dispose();
    });

    const status = async (user: UserRecord) => (await repos.processing.status([user.pk]))[0]!;

    function batchOf(user: UserRecord, workerId: string, blobIds: string[], text: string): BatchCommit {
      return {
        projectId: user.projectId,
        userPk: user.pk,
        scope: { agentId: null, runId: null },
        source: 'CHAT',
        workerId,
        blobIds,
        summary: `by ${workerId}`,
        tags: [],
        usage: null,
        operations: [
          { kind: 'ADD', fact: { text, topic: 'misc', subTopic: 'notes', categories: [] }, embedding: [1, 0] },
        ],
      };
    }

    async function dueOf(user: UserRecord, idleMs = HOUR, threshold = 1_000_000): Promise<boolean> {
      const due = await repos.processing.dueUsers(new Date(), idleMs, threshold, 10_000);
      return due.some((d) => d.userPk === user.pk && d.projectId === user.projectId);
    }

    describe('claim', () => {
      it('is taken by one worker, refused to others and to the holder itself while it lasts', async () => {
        const user = await newUser(repos, 'lease-claim');
        expect(await repos.processing.claim(user.pk, 'worker-a', HOUR)).toBe(true);
        expect(await repos.processing.claim(user.pk, 'worker-b', HOUR)).toBe(false);
        expect(await repos.processing.claim(user.pk, 'worker-a', HOUR)).toBe(false); // not re-entrant
        expect((await status(user)).state).toBe('PROCESSING');
      });

      it('cannot be taken for a user that does not exist', async () => {
        expect(await repos.processing.claim('00000000-0000-4000-8000-000000000000', 'worker-a', HOUR)).toBe(false);
      });

      it('is taken by exactly one of many concurrent claims', async () => {
        const user = await newUser(repos, 'lease-race');
        for (let round = 0; round < 3; round++) {
          const claims = await Promise.all(
            Array.from({ length: 12 }, (_, i) => repos.processing.claim(user.pk, `racer-${round}-${i}`, HOUR)),
          );
          expect(claims.filter(Boolean)).toHaveLength(1);
          const winner = `racer-${round}-${claims.indexOf(true)}`;
          await repos.processing.release(user.pk, winner);
        }
      });

      it('is free again once it expires, for another worker or the same one', async () => {
        const user = await newUser(repos, 'lease-expiry');
        expect(await repos.processing.claim(user.pk, 'worker-a', SHORT_LEASE_MS)).toBe(true);
        await sleepPastShortLease();
        expect((await status(user)).state).toBe('IDLE');
        expect(await repos.processing.claim(user.pk, 'worker-b', SHORT_LEASE_MS)).toBe(true);
        await sleepPastShortLease();
        expect(await repos.processing.claim(user.pk, 'worker-b', HOUR)).toBe(true);
      });
    });

    describe('after a crash', () => {
      it('gives the batch to a second worker once the first one lease expires, and runs it once', async () => {
        const user = await newUser(repos, 'lease-takeover');
        const first = await repos.blobs.insert(newChat(user, 'first', 10));
        const second = await repos.blobs.insert(newChat(user, 'second', 10));

        // Worker A claims and takes the batch, then "crashes": no commit, no fail, no release.
        expect(await repos.processing.claim(user.pk, 'worker-a', SHORT_LEASE_MS)).toBe(true);
        const taken = await repos.processing.nextBatch(user.pk, 1_000);
        expect(taken.map((b) => b.id)).toEqual([first.id, second.id]);
        // (While it lasts the lease keeps B out: see 'claim' and 'dueUsers'; asserting it here would race the clock.)
        await sleepPastShortLease();
        // The unfinished batch is due at once, whatever the thresholds say.
        expect(await dueOf(user)).toBe(true);
        expect(await repos.processing.claim(user.pk, 'worker-b', HOUR)).toBe(true);
        const retaken = await repos.processing.nextBatch(user.pk, 1_000);
        expect(retaken.map((b) => b.id)).toEqual([first.id, second.id]);
        const { event, changes } = await repos.processing.commit(
          batchOf(user, 'worker-b', [first.id, second.id], 'Taken over by B.'),
        );
        expect(event.blobIds).toEqual([first.id, second.id]);
        expect(changes).toHaveLength(1);

        // A wakes up and tries to finish: refused, nothing written twice.
        await expect(
          repos.processing.commit(batchOf(user, 'worker-a', [first.id, second.id], 'Late from A.')),
        ).rejects.toThrow(/lost the processing lease/);
        expect((await repos.memories.listProfile(user.pk, null, new Date())).map((m) => m.text)).toEqual([
          'Taken over by B.',
        ]);
        expect((await repos.events.listByUser(user.pk, { first: 10, after: null })).totalCount).toBe(1);
        expect(await status(user)).toMatchObject({ pendingBlobs: 0, state: 'IDLE' });
        expect(await repos.processing.nextBatch(user.pk, 1_000)).toEqual([]);
      });

      it('refuses the commit of a worker whose lease was taken over, even before the new holder commits', async () => {
        const user = await newUser(repos, 'lease-stale-commit');
        const blob = await repos.blobs.insert(newChat(user, 'hello', 10));
        expect(await repos.processing.claim(user.pk, 'worker-a', SHORT_LEASE_MS)).toBe(true);
        await repos.processing.nextBatch(user.pk, 1_000);
        await sleepPastShortLease();
        expect(await repos.processing.claim(user.pk, 'worker-b', HOUR)).toBe(true);
        await expect(repos.processing.commit(batchOf(user, 'worker-a', [blob.id], 'stale'))).rejects.toThrow(
          /lost the processing lease/,
        );
        expect(await repos.memories.listProfile(user.pk, null, new Date())).toEqual([]);
        // B still holds the user.
        expect(await repos.processing.claim(user.pk, 'worker-c', HOUR)).toBe(false);
        await repos.processing.release(user.pk, 'worker-a'); // not A's to release
        expect(await repos.processing.claim(user.pk, 'worker-c', HOUR)).toBe(false);
      });
    });

    describe('nextBatch', () => {
      it('takes pending blobs oldest first up to maxTokens, at least one, and only buffered ones', async () => {
        const user = await newUser(repos, 'lease-batch');
        const other = await newUser(repos, 'lease-batch-other');
        await repos.blobs.insert(newDoc(user, ['a doc never enters the buffer']));
        const big = await repos.blobs.insert(newChat(user, 'big', 50));
        const small = await repos.blobs.insert(newChat(user, 'small', 5));
        const tiny = await repos.blobs.insert(newChat(user, 'tiny', 1));
        await repos.blobs.insert(newChat(other, 'someone else', 1));
        expect(await repos.processing.claim(user.pk, 'worker-a', HOUR)).toBe(true);
        expect((await repos.processing.nextBatch(user.pk, 10)).map((b) => b.id)).toEqual([big.id]);
        // The blobs of the running batch are taken again (the same worker asking again, or a takeover).
        expect((await repos.processing.nextBatch(user.pk, 56)).map((b) => b.id)).toEqual([big.id, small.id, tiny.id]);
        expect(await status(user)).toMatchObject({ pendingBlobs: 3, pendingTokens: 56 });
      });
    });

    describe('commit', () => {
      it('writes the batch, marks its blobs done, resets a failure and frees the lease at once', async () => {
        const user = await newUser(repos, 'lease-commit');
        const blob = await repos.blobs.insert(newChat(user, 'one', 10));
        expect(await repos.processing.claim(user.pk, 'worker-a', HOUR)).toBe(true);
        await repos.processing.nextBatch(user.pk, 1_000);
        await repos.processing.fail(user.pk, 'worker-a', 'first try failed', new Date(Date.now() - 1));
        expect(await repos.processing.claim(user.pk, 'worker-a', HOUR)).toBe(true);
        const later = await repos.blobs.insert(newChat(user, 'arrives during the batch', 3));
        const batch = await repos.processing.nextBatch(user.pk, 10);
        expect(batch.map((b) => b.id)).toEqual([blob.id]);

        const { event, changes } = await repos.processing.commit(batchOf(user, 'worker-a', [blob.id], 'Committed.'));

        expect(changes).toEqual([
          expect.objectContaining({ kind: 'ADD', actor: 'EXTRACTOR', eventId: event.id, sourceBlobIds: [blob.id] }),
        ]);
        expect(await status(user)).toEqual({
          pendingBlobs: 1,
          pendingTokens: 3,
          state: 'IDLE',
          lastError: null,
          attempts: 0,
          nextAttemptAt: null,
        });
        expect((await repos.processing.nextBatch(user.pk, 1_000)).map((b) => b.id)).toEqual([later.id]);
        expect(await repos.processing.claim(user.pk, 'worker-b', HOUR)).toBe(true);
      });
    });

    describe('fail', () => {
      it('returns the blobs to the buffer, records the failure, counts attempts and frees the lease', async () => {
        const user = await newUser(repos, 'lease-fail');
        const blob = await repos.blobs.insert(newChat(user, 'one', 7));
        const retryAt = new Date(Date.now() + HOUR);
        expect(await repos.processing.claim(user.pk, 'worker-a', HOUR)).toBe(true);
        await repos.processing.nextBatch(user.pk, 1_000);
        await repos.processing.fail(user.pk, 'worker-a', `model said no ${'!'.repeat(3_000)}`, retryAt);

        const failed = await status(user);
        expect(failed).toMatchObject({
          pendingBlobs: 1,
          pendingTokens: 7,
          state: 'FAILED',
          attempts: 1,
          nextAttemptAt: retryAt,
        });
        expect(failed.lastError!.startsWith('model said no')).toBe(true);
        expect(failed.lastError!.length).toBeLessThanOrEqual(2_000);
        expect(await dueOf(user, 0, 0)).toBe(false); // not before its retry time

        expect(await repos.processing.claim(user.pk, 'worker-b', HOUR)).toBe(true);
        expect((await repos.processing.nextBatch(user.pk, 1_000)).map((b) => b.id)).toEqual([blob.id]);
        await repos.processing.fail(user.pk, 'worker-b', 'again', new Date(Date.now() - 1));
        expect(await status(user)).toMatchObject({ state: 'FAILED', attempts: 2, lastError: 'again' });
        expect(await dueOf(user)).toBe(true); // its retry time came
      });

      it("by a worker that lost the lease leaves the new holder's lease and state alone", async () => {
        const user = await newUser(repos, 'lease-fail-stale');
        await repos.blobs.insert(newChat(user, 'one', 7));
        expect(await repos.processing.claim(user.pk, 'worker-a', SHORT_LEASE_MS)).toBe(true);
        await sleepPastShortLease();
        expect(await repos.processing.claim(user.pk, 'worker-b', HOUR)).toBe(true);
        await repos.processing.fail(user.pk, 'worker-a', 'too late', new Date(Date.now() + HOUR));
        expect(await status(user)).toMatchObject({ state: 'PROCESSING', attempts: 0, lastError: null });
        expect(await repos.processing.claim(user.pk, 'worker-c', HOUR)).toBe(false);
      });
    });

    describe('release', () => {
      it("frees the holder's lease only, and keeps the buffer", async () => {
        const user = await newUser(repos, 'lease-release');
        await repos.blobs.insert(newChat(user, 'one', 7));
        expect(await repos.processing.claim(user.pk, 'worker-a', HOUR)).toBe(true);
        await repos.processing.release(user.pk, 'worker-b');
        expect(await repos.processing.claim(user.pk, 'worker-b', HOUR)).toBe(false);
        await repos.processing.release(user.pk, 'worker-a');
        expect(await status(user)).toMatchObject({ state: 'IDLE', pendingBlobs: 1 });
        expect(await repos.processing.claim(user.pk, 'worker-b', HOUR)).toBe(true);
      });
    });

    describe('dueUsers', () => {
      it('finds buffers over the token threshold or idle long enough, oldest first, within the limit', async () => {
        const quiet = await newUser(repos, 'due-quiet');
        const full = await newUser(repos, 'due-full');
        const idle = await newUser(repos, 'due-idle');
        const empty = await newUser(repos, 'due-empty');
        await repos.blobs.insert(newChat(quiet, 'q', 5));
        await repos.blobs.insert(newChat(full, 'f1', 60));
        await repos.blobs.insert(newChat(full, 'f2', 60));
        await repos.blobs.insert(newChat(idle, 'i', 5));
        await repos.blobs.insert(newDoc(empty, ['docs do not count']));

        expect(await dueOf(full, HOUR, 100)).toBe(true);
        expect(await dueOf(quiet, HOUR, 100)).toBe(false);
        expect(await dueOf(empty, 0, 0)).toBe(false);
        // Idle for 0 ms: every buffered user is due, oldest buffer first.
        const due = await repos.processing.dueUsers(new Date(), 0, 1_000_000, 10_000);
        const mine = due.filter((d) => [quiet.pk, full.pk, idle.pk].includes(d.userPk)).map((d) => d.userPk);
        expect(mine).toEqual([quiet.pk, full.pk, idle.pk]);
        expect(await repos.processing.dueUsers(new Date(), 0, 0, 2)).toHaveLength(2);
        // A leased user is not due; done blobs are not a buffer.
        expect(await repos.processing.claim(full.pk, 'worker-a', HOUR)).toBe(true);
        expect(await dueOf(full, 0, 0)).toBe(false);
        const batch = await repos.processing.nextBatch(full.pk, 1_000);
        await repos.processing.commit({
          ...batchOf(
            full,
            'worker-a',
            batch.map((b) => b.id),
            'x',
          ),
          operations: [],
        });
        expect(await dueOf(full, 0, 0)).toBe(false);
      });
    });

    describe('status', () => {
      it('answers in key order, IDLE and empty for users never seen', async () => {
        const a = await newUser(repos, 'status-a');
        const b = await newUser(repos, 'status-b');
        await repos.blobs.insert(newChat(a, 'x', 4));
        await repos.blobs.insert(newChat(a, 'y', 6));
        const idle = {
          pendingBlobs: 0,
          pendingTokens: 0,
          state: 'IDLE',
          lastError: null,
          attempts: 0,
          nextAttemptAt: null,
        };
        expect(await repos.processing.status([b.pk, a.pk, b.pk])).toEqual([
          idle,
          { ...idle, pendingBlobs: 2, pendingTokens: 10 },
          idle,
        ]);
        expect(await repos.processing.status([])).toEqual([]);
      });
    });
  });
}
