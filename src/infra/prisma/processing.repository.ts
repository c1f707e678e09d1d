// The extraction buffer and per-user processing state. Leases use the
// database clock (now()), so several processes agree on who holds a user.

import { randomUUID } from 'node:crypto';
import { extractedMemoryContent } from '../../domain/memory/extracted-memory.js';
import type { BatchCommit, ProcessingRepository } from '../../domain/ports.js';
import type {
  BlobRecord,
  BufferStatus,
  MemoryChangeRecord,
  MemoryContent,
  MemoryEventRecord,
  NewFact,
} from '../../domain/types.js';
import type { Prisma, PrismaClient } from './generated/client.js';
import { toBlobRecord } from './blob.mappers.js';
import { usageDay, usageUpsert } from './usage.repository.js';
import {
  enqueueMemorySync,
  insertChanges,
  lockMemories,
  markDeleted,
  memoryTextColumns,
  type NewChange,
  setMemorySearchVectors,
  type Tx,
  updateContents,
} from './memory-writes.js';
import { contentOf, toEventRecord, toMemoryRecord } from './memory.mappers.js';
import { openBlobRows } from './encryption/sealed-rows.js';
import type { UserCiphers, UserKeyring } from './encryption/user-keys.js';

export class PrismaProcessingRepository implements ProcessingRepository {
  /** `keys`: encryption at rest (null: off). */
  constructor(
    private readonly db: PrismaClient,
    private readonly keys: UserKeyring | null = null,
  ) {}

  async claim(userPk: string, workerId: string, leaseMs: number): Promise<boolean> {
    // Never re-entrant: a second claim by the same worker fails too, so one
    // process cannot run two batches of one user either.
    const rows = await this.db.$queryRaw<{ userPk: string }[]>`
      INSERT INTO "UserProcessing" ("userPk", "projectId", "state", "lockedBy", "lockedUntil", "updatedAt")
      SELECT u."pk", u."projectId", 'IDLE', ${workerId}, now() + ${leaseMs} * interval '1 millisecond', now()
      FROM "User" u WHERE u."pk" = ${userPk}::uuid
      ON CONFLICT ("userPk") DO UPDATE
        SET "lockedBy" = EXCLUDED."lockedBy", "lockedUntil" = EXCLUDED."lockedUntil", "updatedAt" = now()
        WHERE "UserProcessing"."lockedUntil" IS NULL OR "UserProcessing"."lockedUntil" < now()
      RETURNING "userPk"`;
    return rows.length === 1;
  }

  async nextBatch(userPk: string, maxTokens: number): Promise<BlobRecord[]> {
    const rows = await this.db.blob.findMany({
      where: { userPk, bufferState: { in: ['PENDING', 'PROCESSING'] } },
      orderBy: [{ insertedAt: 'asc' }, { id: 'asc' }],
      take: 500,
    });
    // One scope and one blob type per batch, so what is extracted inherits both. Other scopes are
    // independent and wait for their own batch; within the scope a change of type ends the batch
    // (a later blob must never be extracted before an earlier one of the same scope).
    const first = rows[0];
    const batch: typeof rows = [];
    let tokens = 0;
    for (const row of rows) {
      if (row.agentId !== first?.agentId || row.runId !== first.runId) continue;
      if (row.type !== first.type) break;
      if (batch.length > 0 && tokens + row.tokens > maxTokens) break;
      batch.push(row);
      tokens += row.tokens;
    }
    if (batch.length > 0) {
      await this.db.blob.updateMany({
        where: { id: { in: batch.map((row) => row.id) } },
        data: { bufferState: 'PROCESSING' },
      });
    }
    return (await openBlobRows(this.keys, batch)).map(toBlobRecord);
  }

  async commit(batch: BatchCommit): Promise<{ event: MemoryEventRecord; changes: MemoryChangeRecord[] }> {
    const ciphers = this.keys && (await this.keys.forWrite([batch.userPk]));
    return this.db.$transaction(
      async (tx) => {
        // Still ours? A worker whose lease expired must not write over the one that took over.
        const held = await tx.$queryRaw<{ userPk: string }[]>`
          SELECT "userPk" FROM "UserProcessing" WHERE "userPk" = ${batch.userPk}::uuid AND "lockedBy" = ${batch.workerId} FOR UPDATE`;
        if (held.length !== 1) throw new Error('lost the processing lease before commit; the batch will be retried');

        const event = await tx.memoryEvent.create({
          data: {
            projectId: batch.projectId,
            userPk: batch.userPk,
            summary: ciphers ? ciphers.seal(batch.userPk, batch.summary) : batch.summary,
            tags: batch.tags,
            blobIds: batch.blobIds,
            usage: (batch.usage ?? undefined) as Prisma.InputJsonValue | undefined,
          },
        });
        if (batch.usage && batch.usage.calls > 0)
          await tx.$executeRaw(
            usageUpsert({
              projectId: batch.projectId,
              userPk: batch.userPk,
              day: usageDay(new Date()),
              llmCalls: batch.usage.calls,
              llmPromptTokens: batch.usage.promptTokens,
              llmCompletionTokens: batch.usage.completionTokens,
            }),
          );
        const changes = await applyOperations(tx, batch, event.id, this.keys, ciphers);
        await tx.blob.updateMany({
          where: { id: { in: batch.blobIds }, userPk: batch.userPk },
          data: { bufferState: 'DONE' },
        });
        await tx.userProcessing.update({
          where: { userPk: batch.userPk },
          data: { state: 'IDLE', lastError: null, attempts: 0, nextAttemptAt: null, lockedBy: null, lockedUntil: null },
        });
        return { event: toEventRecord({ ...event, summary: batch.summary }), changes };
      },
      { timeout: 60_000 },
    );
  }

  async fail(userPk: string, workerId: string, error: string, retryAt: Date): Promise<void> {
    await this.db.$transaction([
      this.db.blob.updateMany({ where: { userPk, bufferState: 'PROCESSING' }, data: { bufferState: 'PENDING' } }),
      this.db.userProcessing.updateMany({
        where: { userPk, lockedBy: workerId },
        data: {
          state: 'FAILED',
          lastError: error.slice(0, 2_000),
          attempts: { increment: 1 },
          nextAttemptAt: retryAt,
          lockedBy: null,
          lockedUntil: null,
        },
      }),
    ]);
  }

  async release(userPk: string, workerId: string): Promise<void> {
    await this.db.userProcessing.updateMany({
      where: { userPk, lockedBy: workerId },
      data: { lockedBy: null, lockedUntil: null },
    });
  }

  async dueUsers(
    _now: Date,
    idleMs: number,
    tokenThreshold: number,
    limit: number,
  ): Promise<{ userPk: string; projectId: string }[]> {
    return this.db.$queryRaw<{ userPk: string; projectId: string }[]>`
      SELECT b."userPk", b."projectId"
      FROM "Blob" b
      LEFT JOIN "UserProcessing" p ON p."userPk" = b."userPk"
      WHERE b."bufferState" IN ('PENDING', 'PROCESSING')
        AND (p."lockedUntil" IS NULL OR p."lockedUntil" < now())
      GROUP BY b."userPk", b."projectId", p."state", p."nextAttemptAt"
      HAVING CASE
        WHEN p."state" = 'FAILED' THEN p."nextAttemptAt" <= now()
        -- A PROCESSING blob whose lease has expired belongs to a batch that never finished (a crash): due now.
        ELSE bool_or(b."bufferState" = 'PROCESSING')
          OR sum(b."tokens") >= ${tokenThreshold}
          OR max(b."insertedAt") <= now() - ${idleMs} * interval '1 millisecond'
      END
      ORDER BY min(b."insertedAt")
      LIMIT ${limit}`;
  }

  async status(userPks: readonly string[]): Promise<BufferStatus[]> {
    const [pending, states] = await Promise.all([
      this.db.blob.groupBy({
        by: ['userPk'],
        where: { userPk: { in: [...userPks] }, bufferState: { in: ['PENDING', 'PROCESSING'] } },
        _count: { _all: true },
        _sum: { tokens: true },
      }),
      this.db.$queryRaw<
        {
          userPk: string;
          state: BufferStatus['state'];
          lastError: string | null;
          attempts: number;
          nextAttemptAt: Date | null;
          held: boolean;
        }[]
      >`
        SELECT "userPk", "state"::text AS "state", "lastError", "attempts", "nextAttemptAt", ("lockedUntil" IS NOT NULL AND "lockedUntil" > now()) AS "held"
        FROM "UserProcessing" WHERE "userPk" = ANY(${[...userPks]}::uuid[])`,
    ]);
    const pendingBy = new Map(pending.map((row) => [row.userPk, row]));
    const stateBy = new Map(states.map((row) => [row.userPk, row]));
    return userPks.map((userPk) => {
      const p = pendingBy.get(userPk);
      const s = stateBy.get(userPk);
      return {
        pendingBlobs: p?._count._all ?? 0,
        pendingTokens: p?._sum.tokens ?? 0,
        state: s?.held ? 'PROCESSING' : (s?.state ?? 'IDLE'),
        lastError: s?.lastError ?? null,
        attempts: s?.attempts ?? 0,
        nextAttemptAt: s?.state === 'FAILED' ? s.nextAttemptAt : null,
      };
    });
  }
}

/**
 * Writes an extraction batch's operations: new memories inherit the batch's
 * scope and blob type (source), their categories become tags; UPDATE and
 * DELETE re-read the memory under lock. An immutable memory is never changed
 * by extraction: an UPDATE of it becomes a new memory, a DELETE is dropped.
 */
async function applyOperations(
  tx: Tx,
  batch: BatchCommit,
  eventId: string,
  keys: UserKeyring | null,
  ciphers: UserCiphers | null,
): Promise<MemoryChangeRecord[]> {
  const now = new Date();
  const targets = batch.operations.flatMap((op) => (op.kind === 'ADD' ? [] : [op.memoryId]));
  const current = await lockMemories(tx, targets, keys);
  const live = (memoryId: string) => {
    const row = current.get(memoryId);
    // Deleted by an API call meanwhile, or another user's: the deletion stands.
    return row && row.deletedAt === null && row.userPk === batch.userPk ? toMemoryRecord(row) : null;
  };
  type Planned =
    | { kind: 'ADD'; id: string; content: MemoryContent; embedding: number[] }
    | { kind: 'UPDATE'; memory: MemoryContent & { id: string }; after: MemoryContent; embedding: number[] }
    | { kind: 'DELETE'; memory: MemoryContent & { id: string } };
  const plan: Planned[] = [];
  const add = ({ fact, embedding }: { fact: NewFact; embedding: number[] }) =>
    plan.push({ kind: 'ADD', id: randomUUID(), content: extractedMemoryContent(fact, batch), embedding });
  for (const operation of batch.operations) {
    switch (operation.kind) {
      case 'ADD':
        add(operation);
        break;
      case 'UPDATE': {
        const memory = live(operation.memoryId);
        if (!memory) break;
        if (memory.immutable) {
          add(operation); // a contradicting fact becomes a memory of its own
          break;
        }
        const { fact } = operation;
        plan.push({
          kind: 'UPDATE',
          memory,
          after: {
            ...contentOf(memory),
            text: fact.text,
            topic: fact.topic,
            subTopic: fact.subTopic,
            categories: fact.categories,
            tags: [...new Set([...memory.tags, ...fact.categories])],
            confidence: fact.confidence ?? memory.confidence,
          },
          embedding: operation.embedding,
        });
        break;
      }
      case 'DELETE': {
        const memory = live(operation.memoryId);
        if (memory && !memory.immutable) plan.push({ kind: 'DELETE', memory });
        break;
      }
      default: {
        const unreachable: never = operation;
        throw new Error(`unknown operation ${JSON.stringify(unreachable)}`);
      }
    }
  }

  const newMemories = plan.filter((p) => p.kind === 'ADD');
  const updates = plan.filter((p) => p.kind === 'UPDATE');
  if (newMemories.length > 0) {
    const stored = newMemories.map((m) => ({ id: m.id, ...memoryTextColumns(m.content, batch.userPk, ciphers) }));
    await tx.memory.createMany({
      data: newMemories.map((m, i) => ({
        id: m.id,
        projectId: batch.projectId,
        userPk: batch.userPk,
        ...m.content,
        text: stored[i]!.text,
        title: stored[i]!.title,
        summary: stored[i]!.summary,
        embedding: m.embedding,
        createdAt: now,
        updatedAt: now,
      })),
    });
    await setMemorySearchVectors(tx, stored);
  }
  await updateContents(
    tx,
    updates.map((u) => ({ id: u.memory.id, userPk: batch.userPk, content: u.after, embedding: u.embedding })),
    now,
    ciphers,
  );
  await markDeleted(
    tx,
    plan.flatMap((p) => (p.kind === 'DELETE' ? [p.memory.id] : [])),
    now,
  );
  const touched = [...newMemories.map((m) => m.id), ...updates.map((u) => u.memory.id)];
  if (touched.length > 0)
    await tx.memorySource.createMany({
      data: touched.flatMap((memoryId) => batch.blobIds.map((blobId) => ({ memoryId, blobId }))),
      skipDuplicates: true,
    });

  const base = {
    projectId: batch.projectId,
    userPk: batch.userPk,
    actor: 'EXTRACTOR' as const,
    sourceBlobIds: batch.blobIds,
    eventId,
  };
  const changes: NewChange[] = plan.map((p) => {
    switch (p.kind) {
      case 'ADD':
        return { ...base, memoryId: p.id, kind: p.kind, before: null, after: p.content };
      case 'UPDATE':
        return { ...base, memoryId: p.memory.id, kind: p.kind, before: contentOf(p.memory), after: p.after };
      case 'DELETE':
        return { ...base, memoryId: p.memory.id, kind: p.kind, before: contentOf(p.memory), after: null };
      default: {
        const unreachable: never = p;
        throw new Error(`unknown plan ${JSON.stringify(unreachable)}`);
      }
    }
  });
  const written = await insertChanges(tx, changes, now, ciphers);
  await enqueueMemorySync(
    tx,
    changes.map((c) => ({ id: c.memoryId, projectId: c.projectId, userPk: c.userPk })),
  );
  return written;
}
