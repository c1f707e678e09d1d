import type { ChunkRepository, ChunkSearchFilter, ScoredChunkId } from '../../domain/ports.js';
import type { ChunkRecord } from '../../domain/types.js';
import { isUuid } from '../../lib/ids.js';
import { Prisma, type PrismaClient } from './generated/client.js';
import { chunkSelect, toChunkRecord } from './blob.mappers.js';
import { contextReach, rankWindows } from '../../domain/search/lexical-ranking.js';

/** At most this many distinct words of a query are searched for. */
const MAX_QUERY_WORDS = 32;
/** Longer "words" are noise (hashes, base64); PostgreSQL ignores words over 2047 bytes anyway. */
const MAX_WORD_LENGTH = 64;

/**
 * The words of a free-text query: runs of letters, combining marks and
 * digits, deduplicated. Everything else (including all tsquery syntax:
 * & | ! ( ) : * ' < - > \) is a separator, so the words can be joined into a
 * tsquery without escaping.
 */
export function queryWords(query: string): string[] {
  const words = query.normalize('NFC').toLowerCase().match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
  return [...new Set(words.filter((w) => w.length <= MAX_WORD_LENGTH))].slice(0, MAX_QUERY_WORDS);
}

export class PrismaChunkRepository implements ChunkRepository {
  constructor(private readonly db: PrismaClient) {}

  /** The chunks that exist among `ids`, in the order of `ids`. */
  async findByIds(ids: readonly string[]): Promise<ChunkRecord[]> {
    const valid = [...new Set(ids.filter(isUuid))];
    if (valid.length === 0) return [];
    const rows = await this.db.chunk.findMany({ where: { id: { in: valid } }, select: chunkSelect });
    const byId = new Map(rows.map((row) => [row.id, toChunkRecord(row)]));
    return valid.flatMap((id) => byId.get(id) ?? []);
  }

  async findByBlob(blobId: string): Promise<ChunkRecord[]> {
    if (!isUuid(blobId)) return [];
    const rows = await this.db.chunk.findMany({ where: { blobId }, orderBy: { ordinal: 'asc' }, select: chunkSelect });
    return rows.map(toChunkRecord);
  }

  /**
   * Full-text search over one user's chunks (English stemming and stop
   * words, the generated "searchTsv" column and its GIN index).
   *
   * Natural-language questions rarely have all their words in one chunk, so
   * a chunk matches when it has ANY of the query's terms. The database finds
   * those chunks, counts their query terms and returns them with their
   * neighbours' lengths; rankWindows() (domain/search/lexical-ranking.ts)
   * ranks each chunk with BM25 over its context window, so a chunk can also
   * match through the chunks around it. Score: higher is better; ties by id.
   */
  async searchLexical(query: string, filter: ChunkSearchFilter, limit: number): Promise<ScoredChunkId[]> {
    const words = queryWords(query);
    if (words.length === 0 || limit <= 0 || !isUuid(filter.userPk)) return [];
    const scope = scopeConditions(filter);
    const reach = contextReach();
    const rows = await this.db.$queryRaw<{ id: string; blobId: string; ordinal: number; length: number; terms: Record<string, number> | null; documents: bigint }[]>`
      WITH query AS (
        SELECT to_tsquery('simple', string_agg(lexeme, ' | ')) AS q, array_agg(lexeme) AS lexemes
        FROM (SELECT DISTINCT lexeme FROM unnest(tsvector_to_array(to_tsvector('english', ${words.join(' ')}::text))) AS lexeme) AS terms
      ),
      matched AS (
        SELECT c."blobId", c."ordinal"
        FROM "Chunk" c JOIN "Blob" b ON b."id" = c."blobId", query
        WHERE c."searchTsv" @@ query.q ${scope}
      )
      SELECT c."id"::text AS "id", c."blobId"::text AS "blobId", c."ordinal", length(c."searchTsv") AS "length",
             CASE WHEN c."searchTsv" @@ query.q THEN
               (SELECT jsonb_object_agg(entry.lexeme, cardinality(entry.positions)) FROM unnest(c."searchTsv") AS entry WHERE entry.lexeme = ANY(query.lexemes))
             END AS "terms",
             (SELECT count(*) FROM "Chunk" c JOIN "Blob" b ON b."id" = c."blobId" WHERE true ${scope}) AS "documents"
      FROM "Chunk" c, query
      WHERE EXISTS (
        SELECT 1 FROM matched m
        WHERE m."blobId" = c."blobId" AND c."ordinal" BETWEEN m."ordinal" - ${reach}::int AND m."ordinal" + ${reach}::int
      )`;
    if (rows.length === 0) return [];
    return rankWindows({
      chunks: rows.map((row) => ({
        id: row.id,
        blobId: row.blobId,
        ordinal: row.ordinal,
        length: Number(row.length),
        terms: new Map(Object.entries(row.terms ?? {}).map(([term, count]) => [term, Number(count)])),
      })),
      documents: Number(rows[0]!.documents),
      limit,
    });
  }

  /** Every chunk, in batches of `batchSize`, ordered by id (keyset: safe while rows are added). */
  async *scanAll(batchSize: number): AsyncIterable<ChunkRecord[]> {
    let after: string | null = null;
    for (;;) {
      const rows: Prisma.ChunkGetPayload<{ select: typeof chunkSelect }>[] = await this.db.chunk.findMany({
        where: after ? { id: { gt: after } } : {},
        orderBy: { id: 'asc' },
        take: batchSize,
        select: chunkSelect,
      });
      if (rows.length === 0) return;
      yield rows.map(toChunkRecord);
      if (rows.length < batchSize) return;
      after = rows[rows.length - 1]!.id;
    }
  }
}

/** SQL conditions (each starting with AND) on c = "Chunk" and b = "Blob" for a search filter. */
function scopeConditions(filter: ChunkSearchFilter): Prisma.Sql {
  const conditions: Prisma.Sql[] = [Prisma.sql`AND c."userPk" = ${filter.userPk}::uuid`];
  if (filter.types) conditions.push(Prisma.sql`AND b."type"::text = ANY(${filter.types}::text[])`);
  if (filter.since) conditions.push(Prisma.sql`AND b."createdAt" >= ${filter.since}::timestamp`);
  if (filter.until) conditions.push(Prisma.sql`AND b."createdAt" <= ${filter.until}::timestamp`);
  return Prisma.join(conditions, ' ');
}
