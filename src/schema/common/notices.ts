import { type GraphQLResolveInfo, responsePathAsArray } from 'graphql';
import type { Context } from '../../context.js';
import type { NoticeSink } from '../../domain/search/lexical-fallback.js';

/** Where a search's notices go: the response's `extensions.notices`, with the path of the field. */
export function noticesOf(ctx: Context, info: GraphQLResolveInfo): NoticeSink {
  return (notice) => ctx.notices.push({ ...notice, path: responsePathAsArray(info.path) });
}
