import { Field, InputType, Int, ObjectType } from 'type-graphql';
import {
  DEFAULT_BLOB_TOKEN_CAP,
  MAX_BLOB_TOKEN_CAP,
  MIN_BLOB_TOKEN_CAP,
} from '../../domain/profile/default-profile.js';

const BLOB_TOKEN_CAP_DESCRIPTION = `Most blob tokens (estimated, about 4 characters a token, as usage counts them) one user may store, from ${MIN_BLOB_TOKEN_CAP} to ${MAX_BLOB_TOKEN_CAP.toLocaleString('en')}. Past it, the user's oldest blobs are forgotten: their chunks and vectors go, the memories extracted from them stay.`;

@ObjectType()
export class ProfileSubTopicConfig {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  description!: string;

  @Field(() => Boolean, { description: 'One current value: a new fact replaces the old one (UPDATE).' })
  singleValued!: boolean;
}

@ObjectType()
export class ProfileTopicConfig {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  description!: string;

  @Field(() => [ProfileSubTopicConfig])
  subTopics!: ProfileSubTopicConfig[];
}

@ObjectType({ description: 'The slots extraction fills for a project.' })
export class ProfileConfig {
  @Field(() => [ProfileTopicConfig])
  topics!: ProfileTopicConfig[];

  @Field(() => Boolean, { description: 'When true, facts outside these topics and sub-topics are dropped.' })
  strict!: boolean;

  @Field(() => Int, { description: BLOB_TOKEN_CAP_DESCRIPTION })
  blobTokenCap!: number;
}

@InputType()
export class ProfileSubTopicInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, { defaultValue: '' })
  description!: string;

  @Field(() => Boolean, { defaultValue: false })
  singleValued!: boolean;
}

@InputType()
export class ProfileTopicInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, { defaultValue: '' })
  description!: string;

  @Field(() => [ProfileSubTopicInput])
  subTopics!: ProfileSubTopicInput[];
}

@InputType()
export class ProfileConfigInput {
  @Field(() => [ProfileTopicInput])
  topics!: ProfileTopicInput[];

  @Field(() => Boolean, { defaultValue: false })
  strict!: boolean;

  @Field(() => Int, { defaultValue: DEFAULT_BLOB_TOKEN_CAP, description: BLOB_TOKEN_CAP_DESCRIPTION })
  blobTokenCap!: number;
}
