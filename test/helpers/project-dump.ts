// A canonical dump of one project's data, to compare two databases row by
// row (an export imported elsewhere must reproduce the rows). Every table
// that holds the project's data, every column, ordered by id, as JSON.
// Normalised only where the two databases must differ:
//
// - projectId: each server has its own project ids; users' internal `pk`
//   (random per database, never exported) is replaced by the user's
//   external id wherever it appears (the `userPk` columns);
// - Chunk.id: chunks are derived from the blob (chunked again on import,
//   with the same ordinals, text and locators); rows are ordered and
//   compared by (blobId, ordinal);
// - MemoryChange.seq: a sequence of the whole database; what it means, the
//   order of a memory's history, is kept as `position` (its rank within the
//   memory);
// - Memory.embedding of memories that are not live (deleted or expired):
//   exports carry no vectors, the indexer embeds live memories again, and a
//   dead memory's stored embedding is never read (no search, no dedup);
// - ProfileConfig.updatedAt: the write's time, not part of the config.
//
// Left out, with why: IndexJob (the outbox, drained), UserProcessing
// (extraction scheduling state), UsageDay (metering of the server that did
// the work), ApiKey, Webhook, WebhookDelivery, Export, Import, MemoryExport
// (credentials, endpoints and jobs: not a project's data, not exported).

import type { PrismaClient } from '../../src/infra/prisma/generated/client.js';

export type ProjectDump = Record<string, unknown[]>;

export async function dumpProject(db: PrismaClient, projectId: string): Promise<ProjectDump> {
  const rows = async (sql: string): Promise<unknown[]> =>
    (await db.$queryRawUnsafe<{ row: unknown }[]>(sql, projectId)).map((r) => r.row);
  const withUser = (alias: string) =>
    `(to_jsonb(${alias}) - 'projectId' - 'userPk' || jsonb_build_object('user', u."externalId"))`;
  return {
    profileConfig: await rows(`SELECT p."config" AS row FROM "ProfileConfig" p WHERE p."projectId" = $1::uuid`),
    users: await rows(
      `SELECT to_jsonb(u) - 'projectId' - 'pk' AS row FROM "User" u WHERE u."projectId" = $1::uuid ORDER BY u."externalId"`,
    ),
    blobs: await rows(
      `SELECT ${withUser('b')} AS row FROM "Blob" b JOIN "User" u ON u."pk" = b."userPk"
       WHERE b."projectId" = $1::uuid ORDER BY b."id"`,
    ),
    chunks: await rows(
      `SELECT ${withUser('c')} - 'id' AS row FROM "Chunk" c JOIN "User" u ON u."pk" = c."userPk"
       WHERE c."projectId" = $1::uuid ORDER BY c."blobId", c."ordinal"`,
    ),
    memories: await rows(
      `SELECT CASE WHEN m."deletedAt" IS NULL AND (m."expiresAt" IS NULL OR m."expiresAt" > now())
                   THEN ${withUser('m')} ELSE ${withUser('m')} - 'embedding' END AS row
       FROM "Memory" m JOIN "User" u ON u."pk" = m."userPk"
       WHERE m."projectId" = $1::uuid ORDER BY m."id"`,
    ),
    memorySources: await rows(
      `SELECT to_jsonb(s) AS row FROM "MemorySource" s JOIN "Memory" m ON m."id" = s."memoryId"
       WHERE m."projectId" = $1::uuid ORDER BY s."memoryId", s."blobId"`,
    ),
    memoryChanges: await rows(
      `SELECT (${withUser('c')} - 'seq')
                || jsonb_build_object('position', row_number() OVER (PARTITION BY c."memoryId" ORDER BY c."seq")) AS row
       FROM "MemoryChange" c JOIN "User" u ON u."pk" = c."userPk"
       WHERE c."projectId" = $1::uuid ORDER BY c."memoryId", c."seq"`,
    ),
    events: await rows(
      `SELECT ${withUser('e')} AS row FROM "MemoryEvent" e JOIN "User" u ON u."pk" = e."userPk"
       WHERE e."projectId" = $1::uuid ORDER BY e."id"`,
    ),
  };
}

/** The id of the project a key acts on, by name. */
export async function projectIdByName(db: PrismaClient, name: string): Promise<string> {
  const project = await db.project.findUniqueOrThrow({ where: { name } });
  return project.id;
}
