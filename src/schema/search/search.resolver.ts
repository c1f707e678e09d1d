import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Float, Info, Int, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import type { UserRecord } from '../../domain/types.js';
import { toBlobView } from '../blob/blob.mapper.js';
import { BlobType } from '../blob/blob.type.js';
import { noticesOf } from '../common/notices.js';
import { DateTimeScalar } from '../common/scalars.js';
import { User } from '../user/user.type.js';
import { RERANK_ARG } from './rerank.args.js';
import { BlobMatch, QueryMode, toHitView } from './search.type.js';

@Resolver(() => User)
export class SearchResolver {
  @FieldResolver(() => [BlobMatch], {
    description: "The user's blobs that answer a natural-language question, with the parts that matched.",
  })
  async query(
    @Root() user: UserRecord,
    @Ctx() ctx: Context,
    @Arg('text', () => String) text: string,
    @Arg('topK', () => Int, { nullable: true, defaultValue: 10, description: 'Blobs to return, 1-100.' }) topK:
      | number
      | null,
    @Arg('types', () => [BlobType], { nullable: true }) types?: BlobType[] | null,
    @Arg('since', () => DateTimeScalar, { nullable: true }) since?: Date | null,
    @Arg('until', () => DateTimeScalar, { nullable: true }) until?: Date | null,
    @Arg('mode', () => QueryMode, { nullable: true, defaultValue: QueryMode.HYBRID }) mode?: QueryMode | null,
    @Arg('threshold', () => Float, {
      nullable: true,
      description:
        'Drops matched parts scoring below it, and blobs left without any: [] when nothing is relevant. Scores are comparable within a mode (see BlobMatch.score).',
    })
    threshold?: number | null,
    @Arg('rerank', () => Boolean, RERANK_ARG) rerank?: boolean | null,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<BlobMatch[]> {
    const onNotice = info && noticesOf(ctx, info);
    const matches = await ctx.services.query.query(user, {
      text,
      topK,
      types,
      since,
      until,
      mode,
      threshold,
      rerank,
      onNotice,
    });
    return matches.map((match) => ({ ...match, blob: toBlobView(match.blob), hits: match.hits.map(toHitView) }));
  }
}
