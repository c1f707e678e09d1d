import { Field, InputType, ObjectType } from 'type-graphql';

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
}
