// What /metrics reads from the database when Prometheus scrapes: the index
// outbox and the extraction buffers, across every process sharing the
// database. Used by the composition root only (no domain service needs it).

import type { PrismaClient } from './generated/client.js';

export class PrismaOpsStats {
  constructor(private readonly db: PrismaClient) {}

  /** Jobs not yet applied (due or waiting for a retry) and the age of the oldest due job, in seconds. */
  async outbox(): Promise<{ pending: number; oldestDueSeconds: number }> {
    const [row] = await this.db.$queryRaw<{ pending: bigint; oldest: number | null }[]>`
      SELECT count(*) AS pending,
             EXTRACT(EPOCH FROM (now() - min("createdAt") FILTER (WHERE "availableAt" <= now())))::float8 AS oldest
      FROM "IndexJob"`;
    return { pending: Number(row?.pending ?? 0), oldestDueSeconds: Math.max(0, row?.oldest ?? 0) };
  }

  /** Blobs and tokens waiting in buffers (pending or in a running batch), and users whose last batch failed. */
  async buffers(): Promise<{ pendingBlobs: number; pendingTokens: number; failedUsers: number }> {
    const [blobs] = await this.db.$queryRaw<{ blobs: bigint; tokens: bigint | null }[]>`
      SELECT count(*) AS blobs, sum("tokens") AS tokens
      FROM "Blob" WHERE "bufferState" IN ('PENDING', 'PROCESSING')`;
    const failedUsers = await this.db.userProcessing.count({ where: { state: 'FAILED' } });
    return { pendingBlobs: Number(blobs?.blobs ?? 0), pendingTokens: Number(blobs?.tokens ?? 0), failedUsers };
  }
}
