// One suite for every MemoryVectorIndex: the Chroma adapter (a store of its
// own, partitioned like chunks) and the in-memory fake. Call it from a test:
//
//   memoryVectorIndexContract('chroma', async () => ({ index, dispose }));
//
// `create` must return an empty index that has NOT been opened yet.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemoryVectorIndex, MemoryVectorRecord } from '../../src/domain/ports.js';
import { seededVector } from './vector-store.contract.js';

export interface MemoryVectorIndexFixture {
  index: MemoryVectorIndex;
  dispose(): Promise<void>;
}

const DIM = 8;
const P1 = '11111111-1111-4111-8111-111111111111';
const P2 = '22222222-2222-4222-8222-222222222222';

function record(
  memoryId: string,
  seed: number,
  fields: Partial<Omit<MemoryVectorRecord, 'memoryId' | 'vector'>> = {},
): MemoryVectorRecord {
  return {
    memoryId,
    projectId: P1,
    userPk: 'u1',
    agentId: null,
    runId: null,
    ...fields,
    vector: seededVector(seed, DIM),
  };
}

export function memoryVectorIndexContract(name: string, create: () => Promise<MemoryVectorIndexFixture>): void {
  describe(`MemoryVectorIndex contract: ${name}`, () => {
    let fixture: MemoryVectorIndexFixture;
    let index: MemoryVectorIndex;
    const ask = (fields: Partial<Parameters<MemoryVectorIndex['query']>[0]> & { seed: number }) =>
      index.query({
        projectId: P1,
        userPks: ['u1'],
        limit: 10,
        agentIds: null,
        runIds: null,
        ...fields,
        vector: seededVector(fields.seed, DIM),
      });
    const ids = (hits: { memoryId: string }[]) => hits.map((hit) => hit.memoryId).sort();

    beforeEach(async () => {
      fixture = await create();
      index = fixture.index;
      await index.open(DIM);
    });
    afterEach(async () => {
      await fixture?.dispose();
    });

    it("returns one user's nearest memories by cosine similarity, never another user's or project's", async () => {
      await index.upsert([
        record('m1', 1),
        record('m2', 2),
        record('m3', 3),
        record('other-user', 1, { userPk: 'u2' }),
        record('other-project', 1, { projectId: P2 }),
      ]);
      const hits = await ask({ seed: 1, limit: 2 });
      expect(hits[0]).toEqual({ memoryId: 'm1', score: expect.closeTo(1, 4) });
      expect(hits).toHaveLength(2);
      expect(ids(await ask({ seed: 1 }))).toEqual(['m1', 'm2', 'm3']);
      expect(await ask({ seed: 1, userPks: ['nobody'] })).toEqual([]);
      expect(await ask({ seed: 1, limit: 0 })).toEqual([]);
    });

    it('narrows to the asked agents and runs (null: unscoped) for one user', async () => {
      await index.upsert([
        record('plain', 1),
        record('a1', 2, { agentId: 'a1' }),
        record('a1-r1', 3, { agentId: 'a1', runId: 'r1' }),
        record('a2-r1', 4, { agentId: 'a2', runId: 'r1' }),
      ]);
      expect(ids(await ask({ seed: 1, agentIds: ['a1'] }))).toEqual(['a1', 'a1-r1']);
      expect(ids(await ask({ seed: 1, agentIds: [null] }))).toEqual(['plain']);
      expect(ids(await ask({ seed: 1, runIds: ['r1'] }))).toEqual(['a1-r1', 'a2-r1']);
      expect(ids(await ask({ seed: 1, agentIds: ['a1', null], runIds: [null] }))).toEqual(['a1', 'plain']);
      expect(await ask({ seed: 1, agentIds: [] })).toEqual([]);
      // Re-upserting a memory with another scope moves it.
      await index.upsert([record('plain', 1, { agentId: 'a2' })]);
      expect(ids(await ask({ seed: 1, agentIds: ['a2'] }))).toEqual(['a2-r1', 'plain']);
    });

    it('searches several users, or the whole project, and never another project', async () => {
      await index.upsert([
        record('u1-m', 1),
        record('u2-m', 1, { userPk: 'u2' }),
        record('u3-m', 1, { userPk: 'u3' }),
        record('p2-m', 1, { projectId: P2, userPk: 'u1' }),
      ]);
      expect(ids(await ask({ seed: 1, userPks: ['u1', 'u3'] }))).toEqual(['u1-m', 'u3-m']);
      expect(ids(await ask({ seed: 1, userPks: null }))).toEqual(['u1-m', 'u2-m', 'u3-m']);
      expect(await ask({ seed: 1, userPks: null, limit: 1 })).toHaveLength(1);
      expect(await ask({ seed: 1, userPks: [] })).toEqual([]);
    });

    it('deletes by id within the user, by user, and everything on reset', async () => {
      await index.upsert([record('m1', 1), record('m2', 2), record('m3', 3), record('x', 4, { userPk: 'u2' })]);
      await index.delete({ projectId: P1, userPk: 'u1' }, ['m1', 'x', 'missing']);
      expect(ids(await ask({ seed: 1 }))).toEqual(['m2', 'm3']);
      expect(ids(await ask({ seed: 1, userPks: ['u2'] }))).toEqual(['x']);
      await index.delete({ projectId: P1, userPk: 'u1' }, []);
      await index.deleteByUser({ projectId: P1, userPk: 'u1' });
      expect(await ask({ seed: 1 })).toEqual([]);
      expect(ids(await ask({ seed: 1, userPks: ['u2'] }))).toEqual(['x']);
      await index.reset();
      await index.open(DIM);
      expect(await ask({ seed: 1, userPks: null })).toEqual([]);
    });

    it('refuses vectors of another dimension', async () => {
      await expect(index.upsert([{ ...record('m1', 1), vector: [1, 0] }])).rejects.toThrow(/dimension/);
      await expect(
        index.query({ projectId: P1, userPks: ['u1'], vector: [1, 0], limit: 1, agentIds: null, runIds: null }),
      ).rejects.toThrow(/dimension/);
    });

    it('keeps answering right for a user big enough for a shard of its own', async () => {
      const many = Array.from({ length: 40 }, (_, i) => record(`big-${i}`, 100 + i, { agentId: i % 2 ? 'odd' : null }));
      await index.upsert([record('small', 7, { userPk: 'u2' }), ...many]);
      expect(await ask({ seed: 100, limit: 40 })).toHaveLength(40);
      expect((await ask({ seed: 101, limit: 1, agentIds: ['odd'] }))[0]!.memoryId).toBe('big-1');
      expect(
        (await ask({ seed: 100, limit: 40, agentIds: [null] })).every((hit) => Number(hit.memoryId.slice(4)) % 2 === 0),
      ).toBe(true);
      expect(ids(await ask({ seed: 7, userPks: ['u2'] }))).toEqual(['small']);
    });
  });
}
