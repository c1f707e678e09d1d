// The two custom scalars of the API: DateTime (ISO-8601) and JSON.
export { GraphQLDateTime as DateTimeScalar, GraphQLJSON as JSONScalar } from 'graphql-scalars';
