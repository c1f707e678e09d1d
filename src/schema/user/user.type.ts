import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from '../common/connection.js';
import { DateTimeScalar, JSONScalar } from '../common/scalars.js';

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
export class UserConnection extends ConnectionType<User>('User', () => User) {}

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
