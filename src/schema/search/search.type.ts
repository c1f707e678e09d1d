import { createUnionType, Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Hit as DomainHit } from '../../domain/search/query.service.js';
import { Blob, type BlobView } from '../blob/blob.type.js';

export enum QueryMode {
  SEMANTIC = 'SEMANTIC',
  LEXICAL = 'LEXICAL',
  HYBRID = 'HYBRID',
}
registerEnumType(QueryMode, {
  name: 'QueryMode',
  description:
    'SEMANTIC: embeddings in the vector index. LEXICAL: PostgreSQL full-text search. HYBRID: both, fused by relative score.',
});

@ObjectType({ description: 'A chat message that matched.' })
export class MessageHit {
  @Field(() => Int, { description: "0-based position in the blob's messages." })
  index!: number;

  @Field(() => String)
  role!: string;

  @Field(() => String)
  content!: string;

  @Field(() => Float)
  score!: number;
}

@ObjectType({ description: 'A span of a doc, summary or code blob: content.slice(start, end) == text.' })
export class TextSpanHit {
  @Field(() => Int, { description: 'Character offset (UTF-16 code units, as JavaScript strings index).' })
  start!: number;

  @Field(() => Int)
  end!: number;

  @Field(() => String)
  text!: string;

  @Field(() => Float)
  score!: number;
}

@ObjectType({ description: 'A stretch of a transcript: the consecutive segments of one speaker that matched.' })
export class TimeSpanHit {
  @Field(() => Float, { description: 'Seconds from the start of the recording (its first segment starts here).' })
  startSeconds!: number;

  @Field(() => Float, { description: 'Seconds from the start of the recording (its last segment ends here).' })
  endSeconds!: number;

  @Field(() => String)
  text!: string;

  @Field(() => Float)
  score!: number;
}

/**
 * A domain hit as the GraphQL types read it: transcript times are exposed as
 * startSeconds/endSeconds, so no two members of the Hit union share a field
 * name with different types (TextSpanHit.start is an Int offset).
 */
export type HitView =
  | Extract<DomainHit, { kind: 'message' | 'text' }>
  | { kind: 'time'; startSeconds: number; endSeconds: number; text: string; score: number };

export function toHitView(hit: DomainHit): HitView {
  switch (hit.kind) {
    case 'message':
    case 'text':
      return hit;
    case 'time':
      return { kind: 'time', startSeconds: hit.start, endSeconds: hit.end, text: hit.text, score: hit.score };
    default: {
      const unreachable: never = hit;
      throw new Error(`unknown hit ${JSON.stringify(unreachable)}`);
    }
  }
}

const HIT_TYPES: Record<HitView['kind'], string> = {
  message: 'MessageHit',
  text: 'TextSpanHit',
  time: 'TimeSpanHit',
};

export const Hit = createUnionType({
  name: 'Hit',
  description: 'The exact part of a blob that matched.',
  types: () => [MessageHit, TextSpanHit, TimeSpanHit] as const,
  resolveType: (hit) => HIT_TYPES[(hit as unknown as HitView).kind],
});

@ObjectType()
export class BlobMatch {
  @Field(() => Blob)
  blob!: BlobView;

  @Field(() => Float, {
    description:
      "The blob's best part's score. Higher is better; comparable within one mode: SEMANTIC the cosine similarity (-1 to 1), LEXICAL the BM25 score (0 up), HYBRID the fused score (each list relative to its best match, so it ranks within one query).",
  })
  score!: number;

  @Field(() => [Hit], { description: 'Best first.' })
  hits!: HitView[];
}
