import { Field, ObjectType } from 'type-graphql';
import { encodeCursor } from '../../lib/cursor.js';
import type { Page } from '../../domain/types.js';

@ObjectType({ description: 'Relay pagination state.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor!: string | null;
}

/** The Relay connection shape for any keyset page of (createdAt, id) records. */
export function toConnection<T extends { createdAt: Date; id: string }, N>(page: Page<T>, node: (item: T) => N) {
  return toConnectionWith(page, encodeCursor, node);
}

/** The Relay connection shape for a page whose cursors another keyset makes. */
export function toConnectionWith<T, N>(page: Page<T>, cursorOf: (item: T) => string, node: (item: T) => N) {
  const edges = page.items.map((item) => ({ cursor: cursorOf(item), node: node(item) }));
  return {
    edges,
    totalCount: page.totalCount,
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.length ? edges[edges.length - 1]!.cursor : null },
  };
}
