// How memql records are laid out inside Chroma: collection names, the
// metadata stored with each vector, and the `where` clauses that select one
// user's vectors. Pure functions, no I/O.
//
// Why composite keys: measured on Chroma 1.0 (docs/vector-partitioning.md),
// each clause of a `where` costs in proportion to the rows IT matches in the
// collection, before the clauses are intersected. `{ blobType: { $in } }` or
// `{ createdAt: { $gte } }` match most of a shard, whoever owns the rows. So
// every clause we send starts with the user: `uk` (user key), `ut` (user key +
// blob type) and `uc` (a per-user numeric band + createdAt in ms). Each then
// matches only (about) the user's own rows.

import type { Metadata, Where } from 'chromadb';
import type { BlobType } from '../../domain/types.js';
import type { VectorRecord } from '../../domain/ports.js';

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

// createdAt is stored to the millisecond in the low 42 bits (up to year 2109)
// and a hash of the user key in the 11 bits above: the sum stays below 2^53,
// exact in a JSON number and in Chroma's int64 metadata.
const TIME_BITS = 2 ** 42;
const USER_BANDS = 2 ** 11;

function band(key: string): number {
  // FNV-1a, 32 bit.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % USER_BANDS;
}

function clampMs(ms: number): number {
  return Math.min(Math.max(Math.round(ms), 0), TIME_BITS - 1);
}

/** A user's band plus a time in ms: what the `uc` field holds. */
export function userTime(key: string, ms: number): number {
  return band(key) * TIME_BITS + clampMs(ms);
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
  /** userTime(userKey, createdAt in ms) */
  uc: number;
}

export function recordMetadata(record: VectorRecord): RecordMetadata {
  const uk = userKey(record.projectId, record.userPk);
  return {
    projectId: record.projectId,
    userPk: record.userPk,
    blobId: record.blobId,
    blobType: record.blobType,
    createdAt: record.createdAt,
    uk,
    ut: `${uk}|${record.blobType}`,
    uc: userTime(uk, record.createdAt * 1000),
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

/** One user's records, optionally of some blob types and within [since, until]. */
export function whereQuery(key: string, filter: { types: readonly BlobType[] | null; since: Date | null; until: Date | null }): Where {
  const clauses: Where[] = [];
  const types = filter.types ? [...new Set(filter.types)] : null;
  if (types === null) clauses.push({ uk: key });
  else if (types.length === 1) clauses.push({ ut: `${key}|${types[0]}` });
  else clauses.push({ ut: { $in: types.map((type) => `${key}|${type}`) } });

  if (filter.since) clauses.push({ uc: { $gte: userTime(key, filter.since.getTime()) } });
  if (filter.until) clauses.push({ uc: { $lte: userTime(key, filter.until.getTime()) } });
  // Only a time bound on one side still has to stay inside the user's band.
  if (filter.since && !filter.until) clauses.push({ uc: { $lte: userTime(key, TIME_BITS - 1) } });
  if (filter.until && !filter.since) clauses.push({ uc: { $gte: userTime(key, 0) } });

  return clauses.length === 1 ? clauses[0]! : { $and: clauses };
}
