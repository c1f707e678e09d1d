// Usage counters by day (UsageDay). The writes live with the work they count
// (blob.repository.ts, processing.repository.ts, through usageUpsert below),
// in the same transactions; this reads them.

import { Prisma } from './generated/client.js';
import type { UsageDayRecord, UsageRepository } from '../../domain/ports.js';
import type { PrismaClient } from './generated/client.js';

/** What one statement adds to one user's day. */
export interface UsageIncrement {
  projectId: string;
  userPk: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  blobs?: number;
  tokensStored?: number;
  llmCalls?: number;
  llmPromptTokens?: number;
  llmCompletionTokens?: number;
  blobsForgotten?: number;
  tokensForgotten?: number;
}

/** The UTC day of `at`, as UsageDay stores it. */
export function usageDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Adds to (or creates) one user's day: one row, so concurrent writers serialise on it and never lose a count. */
export function usageUpsert(add: UsageIncrement): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO "UsageDay" ("projectId", "userPk", "day", "blobs", "tokensStored", "llmCalls", "llmPromptTokens", "llmCompletionTokens",
                            "blobsForgotten", "tokensForgotten")
    VALUES (${add.projectId}::uuid, ${add.userPk}::uuid, ${add.day}::date, ${add.blobs ?? 0}, ${add.tokensStored ?? 0},
            ${add.llmCalls ?? 0}, ${add.llmPromptTokens ?? 0}, ${add.llmCompletionTokens ?? 0},
            ${add.blobsForgotten ?? 0}, ${add.tokensForgotten ?? 0})
    ON CONFLICT ("projectId", "userPk", "day") DO UPDATE SET
      "blobs" = "UsageDay"."blobs" + EXCLUDED."blobs",
      "tokensStored" = "UsageDay"."tokensStored" + EXCLUDED."tokensStored",
      "llmCalls" = "UsageDay"."llmCalls" + EXCLUDED."llmCalls",
      "llmPromptTokens" = "UsageDay"."llmPromptTokens" + EXCLUDED."llmPromptTokens",
      "llmCompletionTokens" = "UsageDay"."llmCompletionTokens" + EXCLUDED."llmCompletionTokens",
      "blobsForgotten" = "UsageDay"."blobsForgotten" + EXCLUDED."blobsForgotten",
      "tokensForgotten" = "UsageDay"."tokensForgotten" + EXCLUDED."tokensForgotten"`;
}

export class PrismaUsageRepository implements UsageRepository {
  constructor(private readonly db: PrismaClient) {}

  async daily(scope: { projectId: string; userPk?: string }, from: string, to: string): Promise<UsageDayRecord[]> {
    const rows = await this.db.usageDay.groupBy({
      by: ['day'],
      where: {
        projectId: scope.projectId,
        ...(scope.userPk ? { userPk: scope.userPk } : {}),
        day: { gte: new Date(`${from}T00:00:00Z`), lte: new Date(`${to}T00:00:00Z`) },
      },
      _sum: {
        blobs: true,
        tokensStored: true,
        llmCalls: true,
        llmPromptTokens: true,
        llmCompletionTokens: true,
        blobsForgotten: true,
        tokensForgotten: true,
      },
      orderBy: { day: 'asc' },
    });
    return rows.map((row) => ({
      day: usageDay(row.day),
      blobs: row._sum.blobs ?? 0,
      tokensStored: Number(row._sum.tokensStored ?? 0),
      llmCalls: row._sum.llmCalls ?? 0,
      llmPromptTokens: Number(row._sum.llmPromptTokens ?? 0),
      llmCompletionTokens: Number(row._sum.llmCompletionTokens ?? 0),
      blobsForgotten: row._sum.blobsForgotten ?? 0,
      tokensForgotten: Number(row._sum.tokensForgotten ?? 0),
    }));
  }
}
