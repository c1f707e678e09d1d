// The two custom scalars of the API: DateTime (ISO-8601) and JSON.
// DateTime accepts instants from 0001-01-01 to 9999-12-31 UTC only: what
// PostgreSQL stores and JavaScript prints back the same way.

import { GraphQLError, GraphQLScalarType, type ValueNode } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { DATE_RANGE, isStorableDate } from '../../lib/cursor.js';

export { GraphQLJSON as JSONScalar } from 'graphql-scalars';

function inRange(value: unknown): Date {
  if (value instanceof Date && !isStorableDate(value))
    throw new GraphQLError(
      `DateTime must be between ${DATE_RANGE.min.toISOString()} and ${DATE_RANGE.max.toISOString()}`,
    );
  return value as Date;
}

const base = GraphQLDateTime.toConfig();

export const DateTimeScalar = new GraphQLScalarType({
  name: base.name,
  description: base.description,
  specifiedByURL: base.specifiedByURL,
  extensions: base.extensions,
  serialize: base.serialize,
  parseValue: (value: unknown) => inRange(base.parseValue(value)),
  parseLiteral: (node: ValueNode, variables?: Record<string, unknown> | null) =>
    inRange(base.parseLiteral(node, variables ?? undefined)),
});
