// Opaque Relay cursors over a (createdAt, id) keyset. A cursor is parsed
// strictly: anything this server did not make (another id format, a date
// outside the storable range) is refused, never passed to the database.

import { isUuid } from './ids.js';

export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

/** The instants the API accepts and stores: years 0001 to 9999, UTC. */
export const DATE_RANGE = {
  min: new Date('0001-01-01T00:00:00.000Z'),
  max: new Date('9999-12-31T23:59:59.999Z'),
} as const;

/** True for a valid Date within DATE_RANGE. */
export function isStorableDate(date: Date): boolean {
  const time = date.getTime();
  return !Number.isNaN(time) && time >= DATE_RANGE.min.getTime() && time <= DATE_RANGE.max.getTime();
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.createdAt.toISOString()}|${position.id}`, 'utf8').toString('base64url');
}

const CURSOR_PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|(.+)$/;

/** Returns null when the cursor is not one this server made. */
export function decodeCursor(cursor: string): KeysetPosition | null {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]*$/.test(cursor)) return null;
  const match = CURSOR_PATTERN.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return null;
  const createdAt = new Date(match[1]!);
  const id = match[2]!;
  if (!isStorableDate(createdAt) || createdAt.toISOString() !== match[1]) return null;
  // Ids are UUIDs or an app's own user ids (1-128 characters, no control characters).
  if (!isUuid(id) && (id.length > 128 || /[\p{Cc}\p{Cs}]/u.test(id))) return null;
  return { createdAt, id };
}
