// Keyset pagination on (createdAt, id), ascending. Queries fetch `first + 1`
// rows: the extra row only says whether there is a next page.

import type { Page } from '../../domain/types.js';

export function toPage<R, T>(rows: readonly R[], first: number, totalCount: number, map: (row: R) => T): Page<T> {
  return { items: rows.slice(0, first).map(map), hasNextPage: rows.length > first, totalCount };
}
