// The memory filter grammar as GraphQL inputs. The domain validates the
// whole tree (memory-filter.ts); these types give clients the shape, and
// GraphQL itself refuses unknown fields and wrong scalar types.

import { Field, Float, InputType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../common/scalars.js';

@InputType({
  description: 'eq: equal to; in: equal to one of (1-100 values); isNull: true for unscoped, false for scoped.',
})
export class ScopeCondition {
  @Field(() => String, { nullable: true })
  eq?: string | null;

  @Field(() => [String], { nullable: true })
  in?: string[] | null;

  @Field(() => Boolean, { nullable: true })
  isNull?: boolean | null;
}

@InputType({ description: 'eq: equal to; in: equal to one of (1-100 values).' })
export class KeywordCondition {
  @Field(() => String, { nullable: true })
  eq?: string | null;

  @Field(() => [String], { nullable: true })
  in?: string[] | null;
}

@InputType({
  description:
    'contains: the list holds this value; containsAny: at least one of these; containsAll: all of these (1-100 values).',
})
export class ListCondition {
  @Field(() => String, { nullable: true })
  contains?: string | null;

  @Field(() => [String], { nullable: true })
  containsAny?: string[] | null;

  @Field(() => [String], { nullable: true })
  containsAll?: string[] | null;
}

@InputType({ description: 'Inclusive bounds. A memory without the value never matches.' })
export class FloatCondition {
  @Field(() => Float, { nullable: true })
  gte?: number | null;

  @Field(() => Float, { nullable: true })
  lte?: number | null;
}

@InputType({ description: 'Inclusive bounds.' })
export class DateTimeCondition {
  @Field(() => DateTimeScalar, { nullable: true })
  gte?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  lte?: Date | null;
}

@InputType({ description: "contains: the memory's text holds this keyword (case-insensitive for ASCII letters)." })
export class TextCondition {
  @Field(() => String, { nullable: true })
  contains?: string | null;
}

@InputType({
  description:
    'A condition on the value at `path` in the metadata (object keys, array indexes as numbers). Exactly one operator: eq, in (1-100 values), gte/lte (numbers with numbers, strings with strings), contains (a substring of a string, case-insensitive for ASCII, or an element of an array). Values are strings, numbers or booleans.',
})
export class MetadataCondition {
  @Field(() => [String], { description: '1-8 segments, e.g. ["source", "app"].' })
  path!: string[];

  @Field(() => JSONScalar, { nullable: true })
  eq?: unknown;

  @Field(() => JSONScalar, { nullable: true })
  in?: unknown;

  @Field(() => JSONScalar, { nullable: true })
  gte?: unknown;

  @Field(() => JSONScalar, { nullable: true })
  lte?: unknown;

  @Field(() => JSONScalar, { nullable: true })
  contains?: unknown;
}

@InputType({
  description:
    'Selects memories. Fields of one filter are ANDed; AND: [] matches all, OR: [] none; at most 8 levels of nesting. Deleted and expired memories are left out unless includeDeleted / includeExpired (top level only) say otherwise.',
})
export class MemoryFilter {
  @Field(() => [MemoryFilter], { nullable: true })
  AND?: MemoryFilter[] | null;

  @Field(() => [MemoryFilter], { nullable: true })
  OR?: MemoryFilter[] | null;

  @Field(() => MemoryFilter, { nullable: true })
  NOT?: MemoryFilter | null;

  @Field(() => ScopeCondition, { nullable: true })
  agentId?: ScopeCondition | null;

  @Field(() => ScopeCondition, { nullable: true })
  runId?: ScopeCondition | null;

  @Field(() => KeywordCondition, { nullable: true })
  topic?: KeywordCondition | null;

  @Field(() => KeywordCondition, { nullable: true })
  subTopic?: KeywordCondition | null;

  @Field(() => KeywordCondition, { nullable: true })
  source?: KeywordCondition | null;

  @Field(() => ListCondition, { nullable: true })
  categories?: ListCondition | null;

  @Field(() => ListCondition, { nullable: true })
  tags?: ListCondition | null;

  @Field(() => FloatCondition, { nullable: true })
  importance?: FloatCondition | null;

  @Field(() => FloatCondition, { nullable: true })
  confidence?: FloatCondition | null;

  @Field(() => DateTimeCondition, { nullable: true })
  createdAt?: DateTimeCondition | null;

  @Field(() => DateTimeCondition, { nullable: true })
  updatedAt?: DateTimeCondition | null;

  @Field(() => TextCondition, { nullable: true })
  text?: TextCondition | null;

  @Field(() => [MetadataCondition], { nullable: true, description: 'All must hold (at most 32).' })
  metadata?: MetadataCondition[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Also deleted memories. Top level only.' })
  includeDeleted?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Also memories past their expiresAt. Top level only.' })
  includeExpired?: boolean | null;
}

export enum MemoryOrderField {
  CREATED_AT = 'createdAt',
  UPDATED_AT = 'updatedAt',
  IMPORTANCE = 'importance',
}
registerEnumType(MemoryOrderField, { name: 'MemoryOrderField' });

export enum OrderDirection {
  ASC = 'asc',
  DESC = 'desc',
}
registerEnumType(OrderDirection, { name: 'OrderDirection' });

@InputType({ description: 'Ties are broken by id; memories without importance come last in both directions.' })
export class MemoryOrder {
  @Field(() => MemoryOrderField, { defaultValue: MemoryOrderField.CREATED_AT })
  field!: MemoryOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC })
  direction!: OrderDirection;
}
