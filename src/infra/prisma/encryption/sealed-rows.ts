// Which columns are sealed, in one place: every Prisma repository opens the
// rows it read with these before mapping them, and seals with the same
// ciphers before writing. `keys` null (no MEMQL_ENCRYPTION_KEY): rows pass
// through untouched.

import type { Prisma } from '../generated/client.js';
import type { KeyReader, UserCiphers, UserKeyring } from './user-keys.js';

interface OfUser {
  userPk: string;
}

/** Opens `rows` with their users' keys (read through `db` inside a transaction). */
async function openRows<T extends OfUser>(
  keys: UserKeyring | null,
  rows: T[],
  open: (row: T, ciphers: UserCiphers) => T,
  db?: KeyReader,
): Promise<T[]> {
  if (!keys || rows.length === 0) return rows;
  const ciphers = await keys.forRead(
    rows.map((row) => row.userPk),
    db,
  );
  return rows.map((row) => open(row, ciphers));
}

/** Blob rows: `content` is the type's JSON payload sealed whole. */
export function openBlobRows<T extends OfUser & { content: unknown }>(
  keys: UserKeyring | null,
  rows: T[],
): Promise<T[]> {
  return openRows(keys, rows, (row, c) => ({ ...row, content: c.openJson(row.userPk, row.content) as T['content'] }));
}

/** Chunk rows: the hit's text and the searched text. */
export function openChunkRows<T extends OfUser & { text: string; searchText: string }>(
  keys: UserKeyring | null,
  rows: T[],
): Promise<T[]> {
  return openRows(keys, rows, (row, c) => ({
    ...row,
    text: c.open(row.userPk, row.text),
    searchText: c.open(row.userPk, row.searchText),
  }));
}

/** Memory rows: text, title and summary (topics, tags and the rest stay in clear for filters). */
export function openMemoryRows<T extends OfUser & { text: string; title: string | null; summary: string | null }>(
  keys: UserKeyring | null,
  rows: T[],
  db?: KeyReader,
): Promise<T[]> {
  return openRows(
    keys,
    rows,
    (row, c) => ({
      ...row,
      text: c.open(row.userPk, row.text),
      title: c.openNullable(row.userPk, row.title),
      summary: c.openNullable(row.userPk, row.summary),
    }),
    db,
  );
}

/** A memory change's before/after snapshots, each sealed whole (a JSON string). */
export function openChangeRows<T extends OfUser & { before: unknown; after: unknown }>(
  keys: UserKeyring | null,
  rows: T[],
): Promise<T[]> {
  const open = (c: UserCiphers, userPk: string, value: unknown) =>
    value === null ? null : (c.openJson(userPk, value) as Prisma.JsonValue);
  type Snapshot = T['before'] & T['after'];
  return openRows(keys, rows, (row, c) => ({
    ...row,
    before: open(c, row.userPk, row.before) as Snapshot,
    after: open(c, row.userPk, row.after) as Snapshot,
  }));
}

/**
 * An extraction event's summary is sealed (written from the user's messages);
 * other kinds' summaries are written by memql (BLOBS_FORGOTTEN: counts) and stay in clear.
 */
export function eventSummaryIsSealed(kind: string | undefined): boolean {
  return kind === undefined || kind === 'EXTRACTION';
}

export function openEventRows<T extends OfUser & { summary: string; kind: string }>(
  keys: UserKeyring | null,
  rows: T[],
): Promise<T[]> {
  return openRows(keys, rows, (row, c) =>
    eventSummaryIsSealed(row.kind) ? { ...row, summary: c.open(row.userPk, row.summary) } : row,
  );
}

/** The text a memory's full-text vector is made of (as the trigger does for a row in clear). */
export function memorySearchSource(memory: { text: string; title: string | null; summary: string | null }): string {
  return `${memory.title ?? ''} ${memory.text} ${memory.summary ?? ''}`;
}
