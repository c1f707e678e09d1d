// Forgetting (Memobase-style): a user's stored blob tokens stay under the
// project's cap by removing its oldest blobs. Memories are not touched:
// MemorySource holds plain blob ids (no foreign key), so a memory keeps the
// ids of the blobs it came from after they are gone.

import type { BlobRetentionRepository, ForgottenBlobs } from '../../domain/ports.js';
import type { PrismaClient } from './generated/client.js';
import { toEventRecord } from './memory.mappers.js';
import { usageDay, usageUpsert } from './usage.repository.js';

export class PrismaBlobRetentionRepository implements BlobRetentionRepository {
  constructor(private readonly db: PrismaClient) {}

  async storedTokens(userPks: readonly string[]): Promise<Map<string, number>> {
    const totals = new Map(userPks.map((userPk) => [userPk, 0]));
    if (userPks.length === 0) return totals;
    const rows = await this.db.$queryRaw<{ userPk: string; tokens: bigint | null }[]>`
      SELECT "userPk"::text AS "userPk", sum("storedTokens") AS "tokens" FROM "Blob"
      WHERE "userPk" = ANY(${[...totals.keys()]}::uuid[]) GROUP BY "userPk"`;
    for (const row of rows) totals.set(row.userPk, Number(row.tokens ?? 0));
    return totals;
  }

  async forgetOldest(owner: { projectId: string; userPk: string }, cap: number): Promise<ForgottenBlobs | null> {
    // Callers first read storedTokens() for a whole round and come here only
    // for users over their cap; under the cap the DELETE below removes nothing
    // and this answers null. A blob committed after that read has its own
    // index job, which brings its own check.
    return this.db.$transaction(async (tx) => {
      // One forgetting per user at a time (across processes): the second reads
      // what the first left, so no blob is removed twice and none needlessly.
      // An advisory lock rather than a row lock: inserts (their foreign-key
      // checks lock the user row) never wait for it.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`memql.blob-retention:${owner.userPk}`}, 0))`;
      // Newest first, each blob with the tokens of itself and every newer blob:
      // those over the cap are the oldest ones that do not fit.
      const removed = await tx.$queryRaw<{ id: string; storedTokens: number; createdAt: Date }[]>`
        WITH ranked AS (
          SELECT "id", "bufferState",
                 sum("storedTokens") OVER (ORDER BY "createdAt" DESC, "id" DESC) AS "withNewer"
          FROM "Blob"
          WHERE "userPk" = ${owner.userPk}::uuid AND "projectId" = ${owner.projectId}::uuid
        )
        DELETE FROM "Blob" b
        USING ranked r
        WHERE b."id" = r."id" AND r."withNewer" > ${cap}
          -- Blobs still waiting for extraction stay until their memories are made.
          AND r."bufferState" IN ('NONE', 'DONE')
        RETURNING b."id", b."storedTokens", b."createdAt"`;
      if (removed.length === 0) return null;
      // RETURNING has no order; the event lists them oldest first.
      const ordered = removed.sort(
        (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
      const tokens = ordered.reduce((total, blob) => total + blob.storedTokens, 0);
      const blobIds = ordered.map((blob) => blob.id);
      await tx.$executeRaw`
        INSERT INTO "IndexJob" ("kind", "projectId", "userPk", "blobId")
        SELECT 'DELETE_BLOB', ${owner.projectId}::uuid, ${owner.userPk}::uuid, id
        FROM unnest(${blobIds}::uuid[]) AS id`;
      const event = await tx.memoryEvent.create({
        data: {
          projectId: owner.projectId,
          userPk: owner.userPk,
          kind: 'BLOBS_FORGOTTEN',
          summary: `Forgot the ${blobIds.length} oldest blob${blobIds.length === 1 ? '' : 's'} (${tokens} tokens) to stay under the project's cap of ${cap} tokens.`,
          tags: ['forgotten'],
          blobIds,
        },
      });
      await tx.$executeRaw(
        usageUpsert({
          projectId: owner.projectId,
          userPk: owner.userPk,
          day: usageDay(new Date()),
          blobsForgotten: blobIds.length,
          tokensForgotten: tokens,
        }),
      );
      return { event: toEventRecord(event), blobIds, tokens };
    });
  }
}
