import type {
  ChunkRepository,
  ChunkSearchFilter,
  RankedChunkRows,
  ScoredChunkId,
  SignalHint,
} from '../../domain/ports.js';
import type { BlobRecord, BlobType, ChunkRecord } from '../../domain/types.js';
import { isUuid } from '../../lib/ids.js';
import type { Prisma, PrismaClient } from './generated/client.js';
import { type BlobRowFields, type ChunkRowFields, chunkSelect, toBlobRecord, toChunkRecord } from './blob.mappers.js';
import { type PreparedStatements, preparedStatements } from './client.js';
import { contextReach, rankWindows } from '../../domain/search/lexical-ranking.js';
import { openBlobRows, openChunkRows } from './encryption/sealed-rows.js';
import type { UserKeyring } from './encryption/user-keys.js';

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
  const words =
    query
      .normalize('NFC')
      .toLowerCase()
      .match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
  return [...new Set(words.filter((w) => w.length <= MAX_WORD_LENGTH))].slice(0, MAX_QUERY_WORDS);
}

/**
 * Words and forms that usually say when (a PostgreSQL regular expression,
 * case-insensitive): what findRanked guesses chrono-node will find. Only a
 * guess of which blobs to bring; the signals themselves use chrono-node.
 */
const WHEN_PATTERN = [
  '\\m(today|tonight|yesterday|tomorrow|ago|weekend|noon|midnight|morning|afternoon|evening',
  '|(last|next|this) (week|month|year|spring|summer|autumn|fall|winter)',
  '|(mon|tues|wednes|thurs|fri|satur|sun)day',
  '|jan(uary)?|feb(ruary)?|april|june|july|aug(ust)?|sept?(ember)?|oct(ober)?|nov(ember)?|dec(ember)?',
  '|(19|20)[0-9][0-9])\\M|[0-9]{1,2}[:/][0-9]{1,2}|[0-9] ?(am|pm)\\M',
].join('');

/**
 * The query path's read (findRanked) in one statement: the ranked chunk ids
 * and scores in, the owner's chunks out, each top blob's columns on the row
 * of its first-ranked chunk (so a blob's content is sent once). Times as
 * epoch milliseconds: `pg` would read a `timestamp` in the local zone.
 *
 * With a SignalHint ($6-$11), blobs rank by the scores the signals are
 * expected to give (domain/search/signals.ts), guessed here so that the
 * signals need no read of their own: the speaker is the "name: " before a
 * message's or segment's text (chat roles name no one) and is named when its
 * first word is a word of the question; a chunk says when if its text has a
 * date-like word (WHEN_PATTERN, a rough stand-in for chrono-node); the period
 * is exact. A wrong guess costs the caller one more read of the blobs missed.
 */
const RANKED_SQL = `
WITH ranked AS (
  SELECT r.id, r.score, r.pos FROM unnest($1::uuid[], $2::float8[]) WITH ORDINALITY AS r(id, score, pos)
),
hits AS (
  SELECT c.*, r.score, r.pos FROM ranked r JOIN "Chunk" c ON c."id" = r.id
  WHERE c."userPk" = $3::uuid AND c."projectId" = $4::uuid
),
expected AS (
  SELECT h."blobId", h.pos, s.score
  FROM hits h, LATERAL (SELECT h.score * (1
    + CASE WHEN $7::float8 > 0
            AND (h."messageIndex" IS NOT NULL OR h."startTime" IS NOT NULL)
            AND right(h."searchText", length(h."text")) = h."text"
            AND left(h."searchText", length(h."searchText") - length(h."text")) LIKE '%: '
            AND left(h."searchText", length(h."searchText") - length(h."text") - 2)
                NOT IN ('user', 'assistant', 'system', 'tool')
            AND lower(substring(h."searchText" FROM '^[^[:alnum:]]*([[:alnum:]]+)')) = ANY($6::text[])
           THEN $7::float8 ELSE 0 END
    + CASE WHEN $8::float8 > 0 AND h."text" ~* '${WHEN_PATTERN}' THEN $8::float8 ELSE 0 END
    + CASE WHEN (extract(epoch FROM h."createdAt") * 1000)::float8 >= $9::float8
            AND (extract(epoch FROM h."createdAt") * 1000)::float8 < $10::float8
           THEN $11::float8 ELSE 0 END) AS score) s
),
top AS (
  SELECT e."blobId", min(e.pos) AS "firstPos" FROM expected e
  GROUP BY e."blobId" ORDER BY max(e.score) DESC, min(e.pos) LIMIT $5
)
SELECT h."id"::text, h."blobId"::text, h."projectId"::text, h."userPk"::text, h."ordinal", h."text", h."searchText",
       h."messageIndex", h."charStart", h."charEnd", h."startTime", h."endTime",
       (extract(epoch FROM h."createdAt") * 1000)::float8 AS "createdAtMs",
       b."type"::text AS "blobType",
       t."blobId" IS NOT NULL AS "withBlob",
       CASE WHEN t."blobId" IS NOT NULL THEN b."content" END AS "content",
       CASE WHEN t."blobId" IS NOT NULL THEN b."metadata" END AS "metadata",
       CASE WHEN t."blobId" IS NOT NULL THEN (extract(epoch FROM b."createdAt") * 1000)::float8 END AS "blobCreatedAtMs",
       CASE WHEN t."blobId" IS NOT NULL THEN b."agentId" END AS "agentId",
       CASE WHEN t."blobId" IS NOT NULL THEN b."runId" END AS "runId"
FROM hits h
JOIN "Blob" b ON b."id" = h."blobId"
LEFT JOIN top t ON t."blobId" = h."blobId" AND t."firstPos" = h.pos`;

/**
 * searchLexical's statement, prepared on the `pg` pool like findRanked (the
 * ORM's raw query cost about 4 ms more per call on the embedded database).
 * $1 the query's words, $2 the user, $3 the context reach in ordinals, then
 * the filters, each null when unset: $4 blob types, $5 and $6 the time
 * window in epoch ms (a chunk carries its blob's createdAt). "Blob" is read
 * only to filter by type, so an unfiltered search touches the user's chunks
 * alone.
 *
 * The user's chunks are read once through the userPk index and matched there
 * (MATERIALIZED keeps the planner from combining the GIN index, whose scan
 * for a common word grows with every user's data: 60 ms instead of 8 at
 * 1,000 users and 200,000 chunks). A user's query costs in proportion to
 * that user's chunks.
 */
const LEXICAL_SQL = `
WITH query AS (
  SELECT to_tsquery('simple', string_agg(lexeme, ' | ')) AS q, array_agg(lexeme) AS lexemes
  FROM (SELECT DISTINCT lexeme FROM unnest(tsvector_to_array(to_tsvector('english', $1::text))) AS lexeme) AS terms
),
mine AS MATERIALIZED (
  SELECT c."id", c."blobId", c."ordinal", c."searchTsv" FROM "Chunk" c
  WHERE c."userPk" = $2::uuid
    AND ($4::text[] IS NULL
         OR EXISTS (SELECT 1 FROM "Blob" b WHERE b."id" = c."blobId" AND b."type"::text = ANY($4::text[])))
    AND ($5::float8 IS NULL OR c."createdAt" >= to_timestamp($5::float8 / 1000) AT TIME ZONE 'UTC')
    AND ($6::float8 IS NULL OR c."createdAt" <= to_timestamp($6::float8 / 1000) AT TIME ZONE 'UTC')
),
matched AS (
  SELECT m."blobId", m."ordinal" FROM mine m, query WHERE m."searchTsv" @@ query.q
)
SELECT n."id"::text AS "id", n."blobId"::text AS "blobId", n."ordinal", length(n."searchTsv") AS "length",
       CASE WHEN n."searchTsv" @@ query.q THEN n."searchTsv"::text END AS "vector",
       query.lexemes AS "lexemes",
       (SELECT count(*) FROM mine) AS "documents"
FROM mine n, query
WHERE EXISTS (
  SELECT 1 FROM matched m
  WHERE m."blobId" = n."blobId" AND n."ordinal" BETWEEN m."ordinal" - $3::int AND m."ordinal" + $3::int
)`;

type RankedRow = Omit<ChunkRowFields, 'createdAt'> & {
  createdAtMs: number;
  blobType: BlobType;
  withBlob: boolean;
  content: BlobRowFields['content'];
  metadata: BlobRowFields['metadata'];
  blobCreatedAtMs: number | null;
  agentId: string | null;
  runId: string | null;
};

export class PrismaChunkRepository implements ChunkRepository {
  private readonly prepared: PreparedStatements;

  constructor(
    private readonly db: PrismaClient,
    private readonly keys: UserKeyring | null = null,
  ) {
    this.prepared = preparedStatements(db);
  }

  /**
   * One prepared statement on the `pg` pool, not two through the ORM (the
   * chunks, then their blobs): on the embedded database each statement
   * carries a fixed cost well above its execution (BENCHMARKS.md).
   */
  async findRanked(
    ranked: readonly ScoredChunkId[],
    owner: { projectId: string; userPk: string },
    topK: number,
    hint: SignalHint | null = null,
  ): Promise<RankedChunkRows> {
    const seen = new Set<string>();
    const ids: string[] = [];
    const scores: number[] = [];
    for (const { chunkId, score } of ranked) {
      if (seen.has(chunkId) || !isUuid(chunkId)) continue;
      seen.add(chunkId);
      ids.push(chunkId);
      scores.push(score);
    }
    if (ids.length === 0 || !isUuid(owner.userPk) || !isUuid(owner.projectId)) return { chunks: [], blobs: new Map() };
    let rows = await this.prepared.query<RankedRow>('memql_find_ranked_v2', RANKED_SQL, [
      ids,
      scores,
      owner.userPk,
      owner.projectId,
      topK,
      hint?.words ?? [],
      hint?.speaker ?? 0,
      hint?.when ?? 0,
      hint?.period?.start.getTime() ?? 0,
      hint?.period?.end.getTime() ?? 0,
      hint?.period?.boost ?? 0,
    ]);
    if (this.keys) {
      rows = await openChunkRows(this.keys, rows);
      const withBlob = await openBlobRows(
        this.keys,
        rows.filter((row) => row.withBlob),
      );
      const opened = new Map(withBlob.map((row) => [row.id, row.content]));
      rows = rows.map((row) => (row.withBlob ? { ...row, content: opened.get(row.id)! } : row));
    }
    const chunks: ChunkRecord[] = [];
    const blobs = new Map<string, BlobRecord>();
    for (const row of rows) {
      const createdAt = new Date(row.createdAtMs);
      chunks.push(toChunkRecord({ ...row, createdAt, blob: { type: row.blobType } }));
      if (row.withBlob)
        blobs.set(
          row.blobId,
          toBlobRecord({
            id: row.blobId,
            projectId: row.projectId,
            userPk: row.userPk,
            type: row.blobType,
            content: row.content,
            metadata: row.metadata,
            createdAt: new Date(row.blobCreatedAtMs!),
            agentId: row.agentId,
            runId: row.runId,
          }),
        );
    }
    return { chunks, blobs };
  }

  /**
   * The chunks that exist among `ids`, in the order of `ids`. On the query
   * path (every User.query), so one raw statement with the blob's type joined
   * in: the ORM's findMany with the relation took two statements and about
   * twice the time on the embedded database.
   */
  async findByIds(ids: readonly string[]): Promise<ChunkRecord[]> {
    const valid = [...new Set(ids.filter(isUuid))];
    if (valid.length === 0) return [];
    const rows = await this.db.$queryRaw<(ChunkRowFields & { blobType: BlobType })[]>`
      SELECT c."id", c."blobId", c."projectId", c."userPk", c."ordinal", c."text", c."searchText", c."messageIndex",
             c."charStart", c."charEnd", c."startTime", c."endTime", c."createdAt", b."type"::text AS "blobType"
      FROM "Chunk" c JOIN "Blob" b ON b."id" = c."blobId"
      WHERE c."id" = ANY(${valid}::uuid[])`;
    const byId = new Map(
      (await openChunkRows(this.keys, rows)).map((row) => [
        row.id,
        toChunkRecord({ ...row, blob: { type: row.blobType } }),
      ]),
    );
    return valid.flatMap((id) => byId.get(id) ?? []);
  }

  async findByBlob(blobId: string): Promise<ChunkRecord[]> {
    if (!isUuid(blobId)) return [];
    const rows = await this.db.chunk.findMany({ where: { blobId }, orderBy: { ordinal: 'asc' }, select: chunkSelect });
    return (await openChunkRows(this.keys, rows)).map(toChunkRecord);
  }

  /**
   * Full-text search over one user's chunks (English stemming and stop
   * words, the generated "searchTsv" column). The GIN index is left out on
   * purpose: within one user's chunks a scan is cheaper (LEXICAL_SQL).
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
    const rows = await this.prepared.query<{
      id: string;
      blobId: string;
      ordinal: number;
      length: number;
      vector: string | null;
      lexemes: string[];
      documents: string;
    }>('memql_search_lexical_v1', LEXICAL_SQL, [
      words.join(' '),
      filter.userPk,
      contextReach(),
      filter.types,
      filter.since?.getTime() ?? null,
      filter.until?.getTime() ?? null,
    ]);
    if (rows.length === 0) return [];
    const lexemes = new Set(rows[0]!.lexemes);
    return rankWindows({
      chunks: rows.map((row) => ({
        id: row.id,
        blobId: row.blobId,
        ordinal: row.ordinal,
        length: Number(row.length),
        terms: row.vector === null ? new Map() : termCounts(row.vector, lexemes),
      })),
      documents: Number(rows[0]!.documents),
      limit,
    });
  }

  async findByBlobs(blobIds: readonly string[]): Promise<ChunkRecord[]> {
    const valid = [...new Set(blobIds.filter(isUuid))];
    if (valid.length === 0) return [];
    const rows = await this.db.chunk.findMany({
      where: { blobId: { in: valid } },
      orderBy: { ordinal: 'asc' },
      select: chunkSelect,
    });
    const order = new Map(valid.map((id, i) => [id, i]));
    return (await openChunkRows(this.keys, rows))
      .map(toChunkRecord)
      .sort((a, b) => order.get(a.blobId)! - order.get(b.blobId)! || a.ordinal - b.ordinal);
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
      yield (await openChunkRows(this.keys, rows)).map(toChunkRecord);
      if (rows.length < batchSize) return;
      after = rows[rows.length - 1]!.id;
    }
  }
}

/**
 * Occurrences of `lexemes` in a tsvector's text form ('lexeme':1,5A 'other':2),
 * where quotes and backslashes inside a lexeme are doubled. A lexeme without
 * positions counts once. (Sending the vector as text and counting here costs
 * PGlite less than unnesting it in SQL.)
 */
export function termCounts(vector: string, lexemes: ReadonlySet<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of vector.matchAll(/'((?:''|\\\\|[^'\\])*)'(?::([0-9A-D,]+))?/g)) {
    const lexeme = match[1]!.replace(/''/g, "'").replace(/\\\\/g, '\\');
    if (lexemes.has(lexeme)) counts.set(lexeme, match[2] ? match[2].split(',').length : 1);
  }
  return counts;
}
