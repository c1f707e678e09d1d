// Small input checks shared by the use cases. Each throws BadInputError
// naming the field path the client sent.

import { BadInputError } from './errors.js';
import type { JsonObject, PageRequest } from './types.js';
import { decodeCursor, isStorableDate } from '../lib/cursor.js';
import { isUuid } from '../lib/ids.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * A page of `first` items after a cursor. `ids` says what the keyset's ids
 * are: UUIDs (blobs, memories, events: a cursor with any other id was not
 * made here) or an app's own ids (users).
 */
export function pageRequest(
  first: number | null | undefined,
  after: string | null | undefined,
  ids: 'uuid' | 'text' = 'uuid',
): PageRequest {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE)
    throw new BadInputError('first', `must be between 0 and ${MAX_PAGE_SIZE}`);
  if (after === null || after === undefined) return { first: size, after: null };
  const position = decodeCursor(after);
  if (!position || (ids === 'uuid' && !isUuid(position.id)))
    throw new BadInputError('after', 'is not a cursor returned by this API');
  return { first: size, after: position };
}

export function jsonObject(field: string, value: unknown, maxBytes: number): JsonObject | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw new BadInputError(field, 'must be a JSON object');
  const size = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (size > maxBytes) throw new BadInputError(field, `is ${size} bytes; the limit is ${maxBytes}`);
  return value as JsonObject;
}

export function boundedString(field: string, value: string, { min, max }: { min: number; max: number }): string {
  if (value.length < min || value.length > max)
    throw new BadInputError(field, `must be ${min}-${max} characters (got ${value.length})`);
  return value;
}

/** An agentId or runId: 1-128 characters, no control characters; null or undefined when not given. */
export function scopeId(field: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value.length < 1 || value.length > 128)
    throw new BadInputError(field, `must be 1-128 characters (got ${value.length})`);
  if (/\p{Cc}/u.test(value)) throw new BadInputError(field, 'must not contain control characters');
  return value;
}

export function validDate(field: string, value: Date | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  if (Number.isNaN(value.getTime())) throw new BadInputError(field, 'is not a valid date-time');
  if (!isStorableDate(value)) throw new BadInputError(field, 'must be between 0001-01-01 and 9999-12-31 (UTC)');
  return value;
}
