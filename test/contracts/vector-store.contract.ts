// One suite for every VectorStore implementation. Call it from a test file:
//
//   vectorStoreContract('chroma', async () => ({ store, dispose }));
//
// `create` must return an empty store that has NOT been opened yet.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VectorRecord, VectorStore } from '../../src/domain/ports.js';
import type { BlobType } from '../../src/domain/types.js';

export interface VectorStoreFixture {
  store: VectorStore;
  dispose(): Promise<void>;
}

const DIM = 8;

/** Deterministic unit vector from a seed (small LCG). */
export function seededVector(seed: number, dimension = DIM): number[] {
  let state = (seed * 2654435761) >>> 0 || 1;
  const values: number[] = [];
  for (let i = 0; i < dimension; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values.push(state / 2 ** 32 - 0.5);
  }
  const norm = Math.hypot(...values);
  return values.map((value) => value / norm);
}

/** A unit vector close to `base` (cosine ~0.99). */
function near(base: number[], seed: number): number[] {
  const noise = seededVector(seed, base.length);
  const mixed = base.map((value, i) => value + 0.1 * noise[i]!);
  const norm = Math.hypot(...mixed);
  return mixed.map((value) => value / norm);
}

interface RecordInput {
  chunkId: string;
  projectId?: string;
  userPk?: string;
  blobId?: string;
  blobType?: BlobType;
  createdAt?: number;
  vector?: number[];
  seed?: number;
}

function record(input: RecordInput): VectorRecord {
  return {
    chunkId: input.chunkId,
    projectId: input.projectId ?? 'p1',
    userPk: input.userPk ?? 'u1',
    blobId: input.blobId ?? 'b1',
    blobType: input.blobType ?? 'CHAT',
    createdAt: input.createdAt ?? 1_700_000_000,
    vector: input.vector ?? seededVector(input.seed ?? hash(input.chunkId)),
  };
}

function hash(text: string): number {
  let h = 7;
  for (const char of text) h = (h * 31 + char.charCodeAt(0)) >>> 0;
  return h;
}

const ids = (hits: { chunkId: string }[]): string[] => hits.map((hit) => hit.chunkId).sort();

export function vectorStoreContract(name: string, create: () => Promise<VectorStoreFixture>): void {
  describe(`VectorStore contract: ${name}`, () => {
    let fixture: VectorStoreFixture;
    let store: VectorStore;

    beforeEach(async () => {
      fixture = await create();
      store = fixture.store;
      await store.open(DIM);
    });

    afterEach(async () => {
      await fixture.dispose();
    });

    const query = (overrides: Partial<Parameters<VectorStore['query']>[0]> & { vector: number[] }) =>
      store.query({ projectId: 'p1', userPk: 'u1', limit: 10, types: null, since: null, until: null, ...overrides });

    it('answers ping', async () => {
      expect(await store.ping()).toBe(true);
    });

    it('returns the nearest chunks of the user, best first, with a similarity score', async () => {
      const target = seededVector(1);
      await store.upsert([
        record({ chunkId: 'c-near', vector: near(target, 2) }),
        record({ chunkId: 'c-exact', vector: target }),
        record({ chunkId: 'c-far', vector: target.map((value) => -value) }),
      ]);
      const hits = await query({ vector: target });
      expect(hits.map((hit) => hit.chunkId)).toEqual(['c-exact', 'c-near', 'c-far']);
      expect(hits[0]!.score).toBeCloseTo(1, 3);
      expect(hits[1]!.score).toBeGreaterThan(0.9);
      expect(hits[2]!.score).toBeCloseTo(-1, 3);
    });

    it('honours the limit', async () => {
      await store.upsert(Array.from({ length: 12 }, (_, i) => record({ chunkId: `c${i}` })));
      expect(await query({ vector: seededVector(5), limit: 5 })).toHaveLength(5);
      expect(await query({ vector: seededVector(5), limit: 50 })).toHaveLength(12);
    });

    it('returns nothing for a user without vectors', async () => {
      await store.upsert([record({ chunkId: 'c1' })]);
      expect(await query({ vector: seededVector(1), userPk: 'nobody' })).toEqual([]);
    });

    it('isolates users of one project and the same user pk in two projects', async () => {
      await store.upsert([
        record({ chunkId: 'p1-u1', projectId: 'p1', userPk: 'u1' }),
        record({ chunkId: 'p1-u2', projectId: 'p1', userPk: 'u2' }),
        record({ chunkId: 'p2-u1', projectId: 'p2', userPk: 'u1' }),
      ]);
      const vector = seededVector(9);
      expect(ids(await query({ vector, projectId: 'p1', userPk: 'u1' }))).toEqual(['p1-u1']);
      expect(ids(await query({ vector, projectId: 'p1', userPk: 'u2' }))).toEqual(['p1-u2']);
      expect(ids(await query({ vector, projectId: 'p2', userPk: 'u1' }))).toEqual(['p2-u1']);
      expect(await query({ vector, projectId: 'p2', userPk: 'u2' })).toEqual([]);
    });

    it('filters by blob types', async () => {
      await store.upsert([
        record({ chunkId: 'chat', blobType: 'CHAT' }),
        record({ chunkId: 'doc', blobType: 'DOC' }),
        record({ chunkId: 'code', blobType: 'CODE' }),
        record({ chunkId: 'other-user-doc', blobType: 'DOC', userPk: 'u2' }),
      ]);
      const vector = seededVector(3);
      expect(ids(await query({ vector, types: ['DOC'] }))).toEqual(['doc']);
      expect(ids(await query({ vector, types: ['CHAT', 'CODE'] }))).toEqual(['chat', 'code']);
      expect(ids(await query({ vector, types: ['SUMMARY'] }))).toEqual([]);
      expect(ids(await query({ vector, types: [] }))).toEqual([]);
    });

    it('filters by creation time, inclusive at both ends', async () => {
      const day = 86_400;
      const t0 = 1_700_000_000;
      await store.upsert([
        record({ chunkId: 'd0', createdAt: t0 }),
        record({ chunkId: 'd1', createdAt: t0 + day }),
        record({ chunkId: 'd2', createdAt: t0 + 2 * day }),
        record({ chunkId: 'other-d1', createdAt: t0 + day, userPk: 'u2' }),
      ]);
      const vector = seededVector(4);
      const at = (seconds: number) => new Date(seconds * 1000);
      expect(ids(await query({ vector, since: at(t0 + day) }))).toEqual(['d1', 'd2']);
      expect(ids(await query({ vector, until: at(t0 + day) }))).toEqual(['d0', 'd1']);
      expect(ids(await query({ vector, since: at(t0 + day), until: at(t0 + day) }))).toEqual(['d1']);
      expect(ids(await query({ vector, since: at(t0 + 3 * day) }))).toEqual([]);
      expect(ids(await query({ vector, since: at(t0 + 1), until: at(t0 + 2 * day - 1), types: ['CHAT'] }))).toEqual([
        'd1',
      ]);
      expect(ids(await query({ vector, since: at(t0), types: ['DOC'] }))).toEqual([]);
    });

    it('applies time bounds to the second, also when many rows of the same day fall outside', async () => {
      const day = Date.parse('2024-05-05T00:00:00Z') / 1000;
      const vector = seededVector(21);
      // 30 rows on one day, the earlier ones closest to the query vector.
      await store.upsert(
        Array.from({ length: 30 }, (_, i) =>
          record({
            chunkId: `h${String(i).padStart(2, '0')}`,
            createdAt: day + i * 600,
            vector: near(vector, 100 + i),
          }),
        ),
      );
      const hits = await query({ vector, limit: 3, since: new Date((day + 25 * 600) * 1000) });
      expect(ids(hits)).toHaveLength(3);
      expect(hits.every((hit) => hit.chunkId >= 'h25')).toBe(true);
      expect(
        ids(
          await query({
            vector,
            limit: 50,
            since: new Date((day + 600) * 1000 + 1),
            until: new Date((day + 3 * 600) * 1000),
          }),
        ),
      ).toEqual(['h02', 'h03']);
    });

    it('filters by time far in the past and in the future', async () => {
      const at = (iso: string) => Date.parse(iso) / 1000;
      await store.upsert([
        record({ chunkId: 'old', createdAt: at('1960-06-01T00:00:00Z') }),
        record({ chunkId: 'now', createdAt: at('2024-01-01T00:00:00Z') }),
        record({ chunkId: 'far', createdAt: at('2200-01-01T00:00:00Z') }),
      ]);
      const vector = seededVector(22);
      expect(ids(await query({ vector, until: new Date('1965-01-01T00:00:00Z') }))).toEqual(['old']);
      expect(ids(await query({ vector, since: new Date('2100-01-01T00:00:00Z') }))).toEqual(['far']);
      expect(
        ids(await query({ vector, since: new Date('1950-01-01T00:00:00Z'), until: new Date('2150-01-01T00:00:00Z') })),
      ).toEqual(['now', 'old']);
    });

    it('replaces a chunk on upsert of the same id', async () => {
      const first = seededVector(10);
      const second = seededVector(11);
      await store.upsert([record({ chunkId: 'c1', vector: first, blobType: 'CHAT' })]);
      await store.upsert([record({ chunkId: 'c1', vector: second, blobType: 'DOC' })]);
      const hits = await query({ vector: second });
      expect(hits).toHaveLength(1);
      expect(hits[0]!.score).toBeCloseTo(1, 3);
      expect(ids(await query({ vector: second, types: ['CHAT'] }))).toEqual([]);
      expect(ids(await query({ vector: second, types: ['DOC'] }))).toEqual(['c1']);
    });

    it('deletes one blob of one user', async () => {
      await store.upsert([
        record({ chunkId: 'a1', blobId: 'a' }),
        record({ chunkId: 'a2', blobId: 'a' }),
        record({ chunkId: 'b1', blobId: 'b' }),
        record({ chunkId: 'u2-a', blobId: 'a2', userPk: 'u2' }),
      ]);
      await store.deleteByBlob({ projectId: 'p1', userPk: 'u1' }, 'a');
      const vector = seededVector(6);
      expect(ids(await query({ vector }))).toEqual(['b1']);
      expect(ids(await query({ vector, userPk: 'u2' }))).toEqual(['u2-a']);
      // Deleting for a user or blob that has nothing is a no-op.
      await store.deleteByBlob({ projectId: 'p1', userPk: 'ghost' }, 'a');
      await store.deleteByBlob({ projectId: 'p1', userPk: 'u1' }, 'missing');
    });

    it('deletes every vector of one user and nothing else', async () => {
      await store.upsert([
        record({ chunkId: 'u1-a', blobId: 'a' }),
        record({ chunkId: 'u1-b', blobId: 'b' }),
        record({ chunkId: 'u2-a', userPk: 'u2' }),
        record({ chunkId: 'p2-u1', projectId: 'p2' }),
      ]);
      await store.deleteByUser({ projectId: 'p1', userPk: 'u1' });
      const vector = seededVector(7);
      expect(await query({ vector })).toEqual([]);
      expect(ids(await query({ vector, userPk: 'u2' }))).toEqual(['u2-a']);
      expect(ids(await query({ vector, projectId: 'p2' }))).toEqual(['p2-u1']);
      await store.deleteByUser({ projectId: 'p1', userPk: 'ghost' });
      // The user can come back.
      await store.upsert([record({ chunkId: 'u1-new' })]);
      expect(ids(await query({ vector }))).toEqual(['u1-new']);
    });

    it('upserts more records than one request may carry', async () => {
      const many = Array.from({ length: 6_000 }, (_, i) =>
        record({ chunkId: `m${i}`, blobId: `b${i % 7}`, seed: i + 1 }),
      );
      await store.upsert(many);
      const hits = await query({ vector: many[4_321]!.vector, limit: 3 });
      expect(hits[0]!.chunkId).toBe('m4321');
    });

    it('rejects vectors of the wrong dimension with a clear error', async () => {
      await expect(store.upsert([record({ chunkId: 'bad', vector: [1, 0, 0] })])).rejects.toThrow(/dimension/);
      await expect(query({ vector: [1, 0] })).rejects.toThrow(/dimension/);
    });

    it('reset drops every vector and the store stays usable', async () => {
      await store.upsert([record({ chunkId: 'c1' }), record({ chunkId: 'c2', userPk: 'u2' })]);
      await store.reset();
      expect(await query({ vector: seededVector(1) })).toEqual([]);
      expect(await query({ vector: seededVector(1), userPk: 'u2' })).toEqual([]);
      await store.open(DIM);
      await store.upsert([record({ chunkId: 'c3' })]);
      expect(ids(await query({ vector: seededVector(1) }))).toEqual(['c3']);
    });
  });
}
