// How memql records are laid out inside Chroma: collection names, the
// metadata stored with each vector, and the `where` clauses that select one
// user's vectors. Pure functions, no I/O.
//
// Measured on Chroma 1.0 (docs/vector-partitioning.md): each clause of a
// `where` costs in proportion to the rows IT matches in the collection,
// before the clauses are intersected. `{ blobType: { $in } }` or
// `{ createdAt: { $gte } }` match a large part of a shared shard, whoever owns
// the rows. So every clause we send is built on composite keys that match
// only the user's rows: `uk` (user), `ut` (user + blob type) and, for time
// filters, `uty`/`utm`/`utd` (user + type + calendar year/month/day).

import type { Metadata, Where } from 'chromadb';
import { BLOB_TYPES, type BlobType } from '../../domain/types.js';
import type { MemoryVectorRecord, VectorRecord } from '../../domain/ports.js';

/** Chroma accepts names of 3-512 characters from [a-zA-Z0-9._-], alphanumeric at both ends. */
export function sanitizeNamePart(part: string): string {
  const cleaned = part
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  if (cleaned === '') throw new Error(`"${part}" has no characters usable in a Chroma collection name`);
  return cleaned.slice(0, 120);
}

/** Names of one index "space": one embedding model at one dimension. */
export interface SpaceNames {
  /** Common prefix, e.g. memql_use-lite-512_512 (also stored as IndexState.collection). */
  readonly base: string;
  /** The user -> shard directory. */
  readonly directory: string;
  /** Prefix of every shard collection of the space. */
  readonly shardPrefix: string;
  shard(index: number): string;
  /** The shard index encoded in a collection name, or null when the name is not a shard of this space. */
  parseShard(name: string): number | null;
}

export function spaceNames(prefix: string, modelTag: string, dimension: number): SpaceNames {
  const base = `${sanitizeNamePart(prefix)}_${sanitizeNamePart(modelTag)}_${dimension}`;
  const shardPrefix = `${base}_s`;
  return {
    base,
    directory: `${base}_dir`,
    shardPrefix,
    shard: (index) => `${shardPrefix}${index}`,
    parseShard: (name) => {
      if (!name.startsWith(shardPrefix)) return null;
      const rest = name.slice(shardPrefix.length);
      return /^\d+$/.test(rest) ? Number(rest) : null;
    },
  };
}

/** One user of one project: the unit of partitioning. */
export function userKey(projectId: string, userPk: string): string {
  return `${projectId}/${userPk}`;
}

export interface RecordMetadata extends Metadata {
  projectId: string;
  userPk: string;
  blobId: string;
  blobType: BlobType;
  /** Seconds since epoch, as given. */
  createdAt: number;
  /** userKey() */
  uk: string;
  /** userKey|blobType */
  ut: string;
  /** userKey|blobType|YYYY (UTC year of createdAt) */
  uty: string;
  /** userKey|blobType|YYYY-MM */
  utm: string;
  /** userKey|blobType|YYYY-MM-DD */
  utd: string;
}

export function recordMetadata(record: VectorRecord): RecordMetadata {
  const uk = userKey(record.projectId, record.userPk);
  const ut = `${uk}|${record.blobType}`;
  const buckets = timeKeys(record.createdAt);
  return {
    projectId: record.projectId,
    userPk: record.userPk,
    blobId: record.blobId,
    blobType: record.blobType,
    createdAt: record.createdAt,
    uk,
    ut,
    uty: `${ut}|${buckets.year}`,
    utm: `${ut}|${buckets.month}`,
    utd: `${ut}|${buckets.day}`,
  };
}

/** Every record of one user. */
export function whereUser(key: string): Where {
  return { uk: key };
}

/** One blob of one user. */
export function whereBlob(key: string, blobId: string): Where {
  return { $and: [{ uk: key }, { blobId }] };
}

// ------------------------------------------------------------------ time buckets
//
// A time range becomes a set of calendar buckets (whole years, whole months,
// days at the edges) matched with `$in` on the uty/utm/utd keys: clauses that
// only touch the user's rows. Rows of the two edge days may fall outside the
// range, so the caller re-checks createdAt on what comes back.

// Open ranges enumerate every year up to the bounds, so keep the span short;
// rows outside it share the "pre"/"post" buckets and are re-checked exactly.
const MIN_YEAR = 2000;
const MAX_YEAR = 2040;
const pad = (n: number) => String(n).padStart(2, '0');

/** Bucket keys of one instant; years outside 2000-2040 share one "pre"/"post" bucket. */
export function timeKeys(seconds: number): { year: string; month: string; day: string } {
  const date = new Date(seconds * 1000);
  const year = date.getUTCFullYear();
  if (!(year >= MIN_YEAR)) return { year: 'pre', month: 'pre', day: 'pre' };
  if (year > MAX_YEAR) return { year: 'post', month: 'post', day: 'post' };
  const month = `${year}-${pad(date.getUTCMonth() + 1)}`;
  return { year: String(year), month, day: `${month}-${pad(date.getUTCDate())}` };
}

interface Buckets {
  years: string[];
  months: string[];
  days: string[];
}

/** Calendar buckets covering [lo, hi] (seconds, inclusive; infinite ends allowed). */
export function timeBuckets(lo: number, hi: number): Buckets {
  const buckets: Buckets = { years: [], months: [], days: [] };
  if (!(lo <= hi)) return buckets;
  const seconds = (ms: number) => ms / 1000;
  const firstYear = yearOf(lo);
  const lastYear = yearOf(hi);
  // An interval [start, end) is covered when every instant in it is within [lo, hi].
  const covered = (start: number, end: number) => lo <= start && hi >= end;
  for (let year = firstYear; year <= lastYear; year++) {
    if (year < MIN_YEAR) {
      buckets.years.push('pre');
      continue;
    }
    if (year > MAX_YEAR) {
      buckets.years.push('post');
      continue;
    }
    if (covered(seconds(Date.UTC(year, 0, 1)), seconds(Date.UTC(year + 1, 0, 1)))) {
      buckets.years.push(String(year));
      continue;
    }
    for (let month = 0; month < 12; month++) {
      const start = seconds(Date.UTC(year, month, 1));
      const end = seconds(Date.UTC(year, month + 1, 1));
      if (end <= lo || start > hi) continue;
      const monthKey = `${year}-${pad(month + 1)}`;
      if (covered(start, end)) {
        buckets.months.push(monthKey);
        continue;
      }
      const days = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
      for (let day = 1; day <= days; day++) {
        const dayStart = seconds(Date.UTC(year, month, day));
        if (dayStart + 86_400 <= lo || dayStart > hi) continue;
        buckets.days.push(`${monthKey}-${pad(day)}`);
      }
    }
  }
  return buckets;
}

/** The year of an instant, clamped to the pre/post buckets (also for infinite or out-of-range instants). */
function yearOf(seconds: number): number {
  const year = new Date(seconds * 1000).getUTCFullYear();
  if (Number.isNaN(year)) return seconds < 0 ? MIN_YEAR - 1 : MAX_YEAR + 1;
  return Math.min(Math.max(year, MIN_YEAR - 1), MAX_YEAR + 1);
}

// ------------------------------------------------------------------ queries

export interface QueryPlan {
  /** undefined: no filter at all (a solo shard without filters). */
  where: Where | undefined;
  /** Exact createdAt bounds in seconds to re-check on returned rows; null without a time filter. */
  bounds: { since: number; until: number } | null;
  /** The filter can match nothing (empty type list, since after until). */
  empty: boolean;
}

/**
 * How to ask Chroma for one user's nearest records. `solo`: the shard holds
 * only this user, so without filters no `where` is needed at all.
 */
export function queryPlan(
  key: string,
  filter: { types: readonly BlobType[] | null; since: Date | null; until: Date | null },
  solo: boolean,
): QueryPlan {
  const types = filter.types ? [...new Set(filter.types)] : null;
  if (types !== null && types.length === 0) return { where: undefined, bounds: null, empty: true };

  if (!filter.since && !filter.until) {
    if (types === null) return { where: solo ? undefined : { uk: key }, bounds: null, empty: false };
    return {
      where: inClause(
        'ut',
        types.map((type) => `${key}|${type}`),
      ),
      bounds: null,
      empty: false,
    };
  }

  const since = filter.since ? filter.since.getTime() / 1000 : -Infinity;
  const until = filter.until ? filter.until.getTime() / 1000 : Infinity;
  const buckets = timeBuckets(since, until);
  const prefixes = (types ?? BLOB_TYPES).map((type) => `${key}|${type}|`);
  const clauses: Where[] = [];
  const add = (field: string, values: string[]) => {
    if (values.length > 0)
      clauses.push(
        inClause(
          field,
          prefixes.flatMap((prefix) => values.map((value) => prefix + value)),
        ),
      );
  };
  add('uty', buckets.years);
  add('utm', buckets.months);
  add('utd', buckets.days);
  if (clauses.length === 0) return { where: undefined, bounds: null, empty: true };
  return { where: clauses.length === 1 ? clauses[0]! : { $or: clauses }, bounds: { since, until }, empty: false };
}

function inClause(field: string, values: string[]): Where {
  return values.length === 1 ? { [field]: values[0]! } : { [field]: { $in: values } };
}

// ------------------------------------------------------------------ memories
//
// Memories live in a space of their own (another prefix, the same shard
// layout), so chunk queries never see them. Besides the user key, each memory
// carries its scopes as composite keys that only match the user's rows:
// `ua` = user|a:agentId and `ur` = user|r:runId (empty after the colon when
// unscoped: ids are at least one character long).

export interface MemoryMetadata extends Metadata {
  projectId: string;
  userPk: string;
  memoryId: string;
  uk: string;
  ua: string;
  ur: string;
}

export function memoryMetadata(record: MemoryVectorRecord): MemoryMetadata {
  const uk = userKey(record.projectId, record.userPk);
  return {
    projectId: record.projectId,
    userPk: record.userPk,
    memoryId: record.memoryId,
    uk,
    ua: `${uk}|a:${record.agentId ?? ''}`,
    ur: `${uk}|r:${record.runId ?? ''}`,
  };
}

/** How to ask one user's memory shard, narrowed to some agents and runs when the search says so. */
export function memoryQueryPlan(
  key: string,
  solo: boolean,
  scopes: { agentIds: readonly (string | null)[] | null; runIds: readonly (string | null)[] | null },
): QueryPlan {
  const clauses: Where[] = [];
  if (scopes.agentIds)
    clauses.push(
      inClause(
        'ua',
        scopes.agentIds.map((id) => `${key}|a:${id ?? ''}`),
      ),
    );
  if (scopes.runIds)
    clauses.push(
      inClause(
        'ur',
        scopes.runIds.map((id) => `${key}|r:${id ?? ''}`),
      ),
    );
  if ((scopes.agentIds && scopes.agentIds.length === 0) || (scopes.runIds && scopes.runIds.length === 0))
    return { where: undefined, bounds: null, empty: true };
  if (clauses.length === 0) return { where: solo ? undefined : { uk: key }, bounds: null, empty: false };
  return { where: clauses.length === 1 ? clauses[0]! : { $and: clauses }, bounds: null, empty: false };
}
