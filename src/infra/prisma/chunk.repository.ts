import type { ChunkRepository, ChunkSearchFilter, ScoredChunkId } from '../../domain/ports.js';
import type { ChunkRecord } from '../../domain/types.js';
import { isUuid } from '../../lib/ids.js';
import { Prisma, type PrismaClient } from './generated/client.js';
import { chunkSelect, toChunkRecord } from './blob.mappers.js';

/** At most this many distinct words of a query are searched for. */
const MAX_QUERY_WORDS = 32;
/** Longer "words" are noise (hashes, base64); PostgreSQL ignores words over 2047 bytes anyway. */
const MAX_WORD_LENGTH = 64;

/**
 * Lexical context: a chunk is ranked on its own text and, at a lower weight,
 * on the chunks around it in the same blob (BM25F over two fields). Turns of
 * a conversation are short and elliptic ("Wow, love that painting!"); the
 * turns before and after say what they are about. `shift` is the chunk's
 * ordinal minus its neighbour's: 1 and 2 are the two chunks before it, -1 the
 * one after. Measured on LoCoMo (BENCHMARKS.md): +11 points of recall@10
 * over the chunk alone; weights 0.35-0.5 are a plateau. Computed at query
 * time, so context costs no embedding and applies to existing data.
 */
export const LEXICAL_CONTEXT: readonly { shift: number; weight: number }[] = [
  { shift: 0, weight: 1 },
  { shift: 1, weight: 0.5 },
  { shift: 2, weight: 0.5 },
  { shift: -1, weight: 0.5 },
];

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
   * a chunk matches when it has ANY of the query's terms, and matches are
   * ranked with BM25 (k1 = 1.2, b = 0.75) over the user's chunks that pass
   * the filters: a rare term (a name, a place) outweighs a common one, and
   * repeated terms saturate. Score: higher is better; ties by chunk id.
   *
   * Term frequencies and lengths are those of the chunk's context window
   * (LEXICAL_CONTEXT): its own searchText at weight 1 plus its neighbours'
   * at their weights, mixed before saturation as in BM25F. So a chunk can
   * match through its neighbours alone, below the chunks that match
   * themselves. Document frequencies count the windows holding a term, the
   * document count is every chunk in scope, the average length is that of
   * the matching windows.
   */
  async searchLexical(query: string, filter: ChunkSearchFilter, limit: number): Promise<ScoredChunkId[]> {
    const words = queryWords(query);
    if (words.length === 0 || limit <= 0 || !isUuid(filter.userPk)) return [];
    const scope = scopeConditions(filter);
    const context = Prisma.join(LEXICAL_CONTEXT.map(({ shift, weight }) => Prisma.sql`(${shift}::int, ${weight}::float8)`));
    const rows = await this.db.$queryRaw<{ chunkId: string; score: number }[]>`
      WITH terms AS (
        SELECT DISTINCT lexeme
        FROM unnest(tsvector_to_array(to_tsvector('english', ${words.join(' ')}::text))) AS lexeme
      ),
      query AS (
        SELECT to_tsquery('simple', string_agg(lexeme, ' | ')) AS q FROM terms
      ),
      context (shift, weight) AS (
        VALUES ${context}
      ),
      matched AS (
        SELECT c."blobId", c."ordinal", c."searchTsv" AS tsv
        FROM "Chunk" c JOIN "Blob" b ON b."id" = c."blobId", query
        WHERE c."searchTsv" @@ query.q ${scope}
      ),
      hits AS (
        SELECT m."blobId", m."ordinal", entry.lexeme, cardinality(entry.positions) AS tf
        FROM matched m, unnest(m.tsv) AS entry
        WHERE entry.lexeme IN (SELECT lexeme FROM terms)
      ),
      window_terms AS (
        SELECT h."blobId", h."ordinal" + context.shift AS "ordinal", h.lexeme, sum(h.tf * context.weight) AS tf
        FROM hits h CROSS JOIN context
        GROUP BY 1, 2, 3
      ),
      windows AS (
        SELECT c."id", c."blobId", c."ordinal",
               (SELECT sum(length(n."searchTsv") * context.weight)
                FROM context JOIN "Chunk" n ON n."blobId" = c."blobId" AND n."ordinal" = c."ordinal" - context.shift) AS len
        FROM (SELECT DISTINCT "blobId", "ordinal" FROM window_terms) w
        JOIN "Chunk" c ON c."blobId" = w."blobId" AND c."ordinal" = w."ordinal"
      ),
      scored AS (
        SELECT windows."id", windows.len, wt.lexeme, wt.tf
        FROM windows JOIN window_terms wt ON wt."blobId" = windows."blobId" AND wt."ordinal" = windows."ordinal"
      ),
      df AS (
        SELECT lexeme, count(*) AS n FROM scored GROUP BY lexeme
      ),
      stats AS (
        SELECT
          (SELECT count(*) FROM "Chunk" c JOIN "Blob" b ON b."id" = c."blobId" WHERE true ${scope}) AS docs,
          (SELECT greatest(avg(len), 1) FROM windows) AS avglen
      )
      SELECT scored."id"::text AS "chunkId",
             sum(
               ln(1 + greatest(stats.docs - df.n + 0.5, 0.5) / (df.n + 0.5))
               * (scored.tf * 2.2) / (scored.tf + 1.2 * (0.25 + 0.75 * scored.len / stats.avglen))
             )::float8 AS "score"
      FROM scored JOIN df ON df.lexeme = scored.lexeme CROSS JOIN stats
      GROUP BY scored."id"
      ORDER BY "score" DESC, scored."id"
      LIMIT ${limit}::int`;
    return rows.map((row) => ({ chunkId: row.chunkId, score: Number(row.score) }));
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
