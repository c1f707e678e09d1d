import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../common/scalars.js';
import { PageInfo } from '../common/page-info.js';

@ObjectType({ description: "One of the app's users, identified by the app's own id." })
export class User {
  @Field(() => ID, { description: "The app's id for the user, unique within the project." })
  id!: string;

  @Field(() => JSONScalar, { description: 'Free-form attributes.' })
  data!: unknown;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;
}

@ObjectType()
export class UserEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => User)
  node!: User;
}

@ObjectType()
export class UserConnection {
  @Field(() => [UserEdge])
  edges!: UserEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@InputType()
export class CreateUserInput {
  @Field(() => ID, { nullable: true, description: "The app's own id (1-128 characters). Default: a new UUID." })
  id?: string | null;

  @Field(() => JSONScalar, { nullable: true, description: 'Free-form attributes (a JSON object, at most 64 KiB).' })
  data?: unknown;
}

@InputType()
export class UpdateUserInput {
  @Field(() => JSONScalar, { description: 'Replaces the free-form attributes.' })
  data!: unknown;
}
