// Relay pagination of memories in a chosen order: keyset cursors over
// (sort value, id), so a page never repeats or skips a memory when others are
// inserted meanwhile. A cursor only fits the order it was made for.

import { isUuid } from '../../lib/ids.js';
import { BadInputError } from '../errors.js';
import type { MemoryRecord } from '../types.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../validation.js';

export type MemoryOrderField = 'createdAt' | 'updatedAt' | 'importance';
export type OrderDirection = 'asc' | 'desc';

/** Ties are broken by id in the same direction; memories without importance come last either way. */
export interface MemoryOrder {
  field: MemoryOrderField;
  direction: OrderDirection;
}

export const DEFAULT_MEMORY_ORDER: MemoryOrder = { field: 'createdAt', direction: 'asc' };

/** Where the previous page ended: the sort value (null for a memory without importance) and the id. */
export interface MemoryKeyset {
  value: Date | number | null;
  id: string;
}

export interface MemoryPageRequest {
  first: number;
  after: MemoryKeyset | null;
  order: MemoryOrder;
}

const ORDER_FIELDS: readonly MemoryOrderField[] = ['createdAt', 'updatedAt', 'importance'];

export function memoryPageRequest(
  first: number | null | undefined,
  after: string | null | undefined,
  order: MemoryOrder | null | undefined,
): MemoryPageRequest {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE)
    throw new BadInputError('first', `must be between 0 and ${MAX_PAGE_SIZE}`);
  const chosen = order ?? DEFAULT_MEMORY_ORDER;
  if (!ORDER_FIELDS.includes(chosen.field)) throw new BadInputError('orderBy.field', `unknown field ${chosen.field}`);
  if (chosen.direction !== 'asc' && chosen.direction !== 'desc')
    throw new BadInputError('orderBy.direction', `unknown direction ${String(chosen.direction)}`);
  if (after === null || after === undefined) return { first: size, after: null, order: chosen };
  const keyset = decodeMemoryCursor(after, chosen);
  if (!keyset) throw new BadInputError('after', 'is not a cursor returned by this API for this orderBy');
  return { first: size, after: keyset, order: chosen };
}

export function encodeMemoryCursor(memory: MemoryRecord, order: MemoryOrder): string {
  const value = memory[order.field];
  const encoded = value instanceof Date ? value.toISOString() : value;
  return Buffer.from(JSON.stringify([order.field, order.direction, encoded, memory.id]), 'utf8').toString('base64url');
}

function decodeMemoryCursor(cursor: string, order: MemoryOrder): MemoryKeyset | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null; // not JSON: not one of ours
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) return null;
  const [field, direction, value, id] = parsed as unknown[];
  if (field !== order.field || direction !== order.direction || typeof id !== 'string' || !isUuid(id)) return null;
  if (order.field === 'importance') {
    if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) return null;
    return { value: value as number | null, id };
  }
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : { value: date, id };
}

/** Sorts memories as the order says (the in-memory twin of the SQL ORDER BY). */
export function compareMemories(order: MemoryOrder): (a: MemoryRecord, b: MemoryRecord) => number {
  const sign = order.direction === 'asc' ? 1 : -1;
  const sortValue = (memory: MemoryRecord): number | null => {
    const value = memory[order.field];
    return value instanceof Date ? value.getTime() : value;
  };
  return (a, b) => {
    const x = sortValue(a);
    const y = sortValue(b);
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1; // nulls last in both directions
    } else if (x !== y) {
      return sign * (x - y);
    }
    return sign * (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  };
}
