import { Field, ID, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../common/scalars.js';

@ObjectType({ description: 'A tenant. Every user, blob and memory belongs to exactly one project.' })
export class Project {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@ObjectType({ description: 'A new API key. The secret is shown only in this response.' })
export class CreatedApiKey {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => ID)
  projectId!: string;

  @Field(() => String, { description: 'Send as `Authorization: Bearer <secret>`. Not retrievable later.' })
  secret!: string;
}
