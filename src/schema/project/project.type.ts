import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
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

export enum ApiKeyRole {
  ADMIN = 'admin',
  PROJECT = 'project',
}
registerEnumType(ApiKeyRole, {
  name: 'ApiKeyRole',
  description: 'ADMIN: the configured admin key (projects, keys; acts on the default project). PROJECT: one project.',
});

@ObjectType({ description: 'An API key as listed: never its secret.' })
export class ApiKey {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  projectId!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { description: 'The first characters of the secret, to recognise the key.' })
  prefix!: string;

  @Field(() => ApiKeyRole)
  role!: ApiKeyRole;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When the key last authenticated a request (recorded at most once a minute).',
  })
  lastUsedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Set once revoked; a revoked key never works again.' })
  revokedAt!: Date | null;
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
