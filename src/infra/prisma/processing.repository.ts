// The extraction buffer and per-user processing state. Leases use the
// database clock (now()), so several processes agree on who holds a user.

import type { BatchCommit, ProcessingRepository, ResolvedOperation } from '../../domain/ports.js';
import type { BlobRecord, BufferStatus, MemoryChangeRecord, MemoryEventRecord } from '../../domain/types.js';
import type { Prisma, PrismaClient } from './generated/client.js';
import { toBlobRecord } from './blob.mappers.js';
import { snapshotJson, toChangeRecord, toEventRecord } from './memory.mappers.js';

type Tx = Prisma.TransactionClient;

export class PrismaProcessingRepository implements ProcessingRepository {
  constructor(private readonly db: PrismaClient) {}

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
    const batch: typeof rows = [];
    let tokens = 0;
    for (const row of rows) {
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
    return batch.map(toBlobRecord);
  }

  async commit(batch: BatchCommit): Promise<{ event: MemoryEventRecord; changes: MemoryChangeRecord[] }> {
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
            summary: batch.summary,
            tags: batch.tags,
            blobIds: batch.blobIds,
            usage: (batch.usage ?? undefined) as Prisma.InputJsonValue | undefined,
          },
        });
        const changes: MemoryChangeRecord[] = [];
        for (const operation of batch.operations) {
          const change = await applyOperation(tx, batch, event.id, operation);
          if (change) changes.push(change);
        }
        await tx.blob.updateMany({
          where: { id: { in: batch.blobIds }, userPk: batch.userPk },
          data: { bufferState: 'DONE' },
        });
        await tx.userProcessing.update({
          where: { userPk: batch.userPk },
          data: { state: 'IDLE', lastError: null, attempts: 0, nextAttemptAt: null, lockedBy: null, lockedUntil: null },
        });
        return { event: toEventRecord(event), changes };
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

async function applyOperation(
  tx: Tx,
  batch: BatchCommit,
  eventId: string,
  operation: ResolvedOperation,
): Promise<MemoryChangeRecord | null> {
  const base = {
    projectId: batch.projectId,
    userPk: batch.userPk,
    actor: 'EXTRACTOR' as const,
    sourceBlobs: batch.blobIds,
    eventId,
  };
  const sources = batch.blobIds.map((blobId) => ({ blobId }));
  switch (operation.kind) {
    case 'ADD': {
      const { fact } = operation;
      const memory = await tx.memory.create({
        data: {
          projectId: batch.projectId,
          userPk: batch.userPk,
          ...fact,
          embedding: operation.embedding,
          sources: { create: sources },
        },
      });
      return toChangeRecord(
        await tx.memoryChange.create({
          data: { ...base, memoryId: memory.id, kind: 'ADD', after: snapshotJson(fact) },
        }),
      );
    }
    case 'UPDATE': {
      const current = await tx.memory.findFirst({
        where: { id: operation.memoryId, userPk: batch.userPk, deletedAt: null },
      });
      if (!current) return null; // deleted by an API call meanwhile: the deletion stands
      await tx.memory.update({
        where: { id: current.id },
        data: { ...operation.fact, embedding: operation.embedding },
      });
      await tx.memorySource.createMany({
        data: sources.map((s) => ({ ...s, memoryId: current.id })),
        skipDuplicates: true,
      });
      return toChangeRecord(
        await tx.memoryChange.create({
          data: {
            ...base,
            memoryId: current.id,
            kind: 'UPDATE',
            before: snapshotJson(current),
            after: snapshotJson(operation.fact),
          },
        }),
      );
    }
    case 'DELETE': {
      const current = await tx.memory.findFirst({
        where: { id: operation.memoryId, userPk: batch.userPk, deletedAt: null },
      });
      if (!current) return null;
      await tx.memory.update({ where: { id: current.id }, data: { deletedAt: new Date() } });
      return toChangeRecord(
        await tx.memoryChange.create({
          data: { ...base, memoryId: current.id, kind: 'DELETE', before: snapshotJson(current) },
        }),
      );
    }
    default: {
      const unreachable: never = operation;
      throw new Error(`unknown operation ${JSON.stringify(unreachable)}`);
    }
  }
}
