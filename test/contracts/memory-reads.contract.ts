// Reads of the MemoryRepository that memory.contract.ts leaves to this
// suite: keyset pages in every order (nulls last, never a memory repeated or
// skipped), selection among ids within a scope, and the reindexing scan. Run
// against the Prisma adapter (PGlite or PostgreSQL) and the in-memory fake:
//
//   memoryReadsContract('prisma', async () => ({ repos, dispose }));

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_MEMORIES, type MemorySelection, parseMemoryFilter } from '../../src/domain/memory/memory-filter.js';
import { compareMemories, type MemoryOrder } from '../../src/domain/memory/memory-page.js';
import type { MemoryContent, MemoryRecord, UserRecord } from '../../src/domain/types.js';
import {
  type ContractRepositories,
  MISSING_UUID,
  newDoc,
  newUser,
  type RepositoriesFixture,
} from './repositories.contract.js';
import { newMemory } from './memory.contract.js';

const selection = (filter: object): MemorySelection => parseMemoryFilter(filter);

export function memoryReadsContract(name: string, create: () => Promise<RepositoriesFixture>): void {
  describe(`MemoryRepository reads contract: ${name}`, () => {
    let fixture: RepositoriesFixture;
    let repos: ContractRepositories;

    beforeAll(async () => {
      fixture = await create();
      repos = fixture.repos;
    });
    afterAll(async () => {
      await fixture?.dispose();
    });

    const write = (user: UserRecord, text: string, fields: Partial<MemoryContent> = {}) =>
      repos.memories.create(newMemory(user, { ...fields, text }));

    describe('reads', () => {
      let user: UserRecord;
      let all: MemoryRecord[];

      beforeAll(async () => {
        user = await newUser(repos, 'memories-reads');
        const made = [];
        for (const [i, importance] of [0.5, null, 0.9, 0.5, null, 0.1].entries())
          made.push(
            (
              await write(user, `memory ${i}`, {
                importance,
                agentId: i % 2 ? 'agent-b' : 'agent-a',
                runId: i < 2 ? 'run-1' : null,
              })
            ).memory,
          );
        await repos.memories.applyEdits([{ kind: 'DELETE', memory: made[5]! }]);
        all = (await repos.memories.findByIds(made.map((m) => m.id))).map((m) => m!);
        await repos.blobs.insert({ ...newDoc(user, ['x']), agentId: 'agent-c', runId: 'run-1' });
      });

      it('pages a selection in every order, by keyset, never repeating or skipping', async () => {
        const orders: MemoryOrder[] = [
          { field: 'createdAt', direction: 'asc' },
          { field: 'createdAt', direction: 'desc' },
          { field: 'updatedAt', direction: 'desc' },
          { field: 'importance', direction: 'desc' },
          { field: 'importance', direction: 'asc' },
        ];
        for (const order of orders) {
          for (const chosen of [LIVE_MEMORIES, selection({ includeDeleted: true })]) {
            const expected = all
              .filter((m) => chosen.includeDeleted || m.deletedAt === null)
              .sort(compareMemories(order))
              .map((m) => m.id);
            const seen: string[] = [];
            let after = null;
            for (let round = 0; round < 20; round++) {
              const page = await repos.memories.list(user.pk, chosen, { first: 2, after, order }, new Date());
              expect(page.totalCount).toBe(expected.length);
              seen.push(...page.items.map((m) => m.id));
              if (!page.hasNextPage) break;
              const last = page.items.at(-1)!;
              const value = last[order.field];
              after = { value: value instanceof Date ? value : (value ?? null), id: last.id };
            }
            expect(seen, `${order.field} ${order.direction}`).toEqual(expected);
          }
        }
        const none = await repos.memories.list(
          user.pk,
          LIVE_MEMORIES,
          { first: 0, after: null, order: orders[0]! },
          new Date(),
        );
        expect(none).toMatchObject({ items: [], totalCount: 5 });
      });

      it('selects among ids in their order, within the scope and the selection', async () => {
        const [m0, m1, m2] = all;
        const scope = { projectId: user.projectId, userPks: [user.pk] };
        expect(
          (await repos.memories.select([m2!.id, MISSING_UUID, m0!.id, 'bad'], scope, LIVE_MEMORIES, new Date())).map(
            (m) => m.id,
          ),
        ).toEqual([m2!.id, m0!.id]);
        expect(
          await repos.memories.select(
            [m0!.id],
            { projectId: user.projectId, userPks: [MISSING_UUID] },
            LIVE_MEMORIES,
            new Date(),
          ),
        ).toEqual([]);
        expect(
          await repos.memories.select([m0!.id], { projectId: MISSING_UUID, userPks: null }, LIVE_MEMORIES, new Date()),
        ).toEqual([]);
        expect(
          (
            await repos.memories.select(
              [m0!.id, m1!.id],
              { ...scope, userPks: null },
              selection({ agentId: { eq: 'agent-b' } }),
              new Date(),
            )
          ).map((m) => m.id),
        ).toEqual([m1!.id]);
        expect(await repos.memories.select([all[5]!.id], scope, LIVE_MEMORIES, new Date())).toEqual([]);
      });

      it('scans live memories with embeddings in batches, and stores new embeddings', async () => {
        const seen: string[] = [];
        for await (const batch of repos.memories.scanLive(2, new Date())) {
          expect(batch.length).toBeLessThanOrEqual(2);
          for (const memory of batch) {
            expect(memory.deletedAt).toBeNull();
            expect(Array.isArray(memory.embedding)).toBe(true);
          }
          seen.push(...batch.map((m) => m.id));
        }
        expect(new Set(seen).size).toBe(seen.length);
        for (const memory of all) expect(seen.includes(memory.id)).toBe(memory.deletedAt === null);
        await repos.memories.setEmbeddings([{ id: all[0]!.id, embedding: [0.5, 0.5] }]);
        expect((await repos.memories.findWithEmbeddings([all[0]!.id]))[0]!.embedding).toEqual([0.5, 0.5]);
        await repos.memories.setEmbeddings([]);
      });
    });
  });
}
