// The single place where errors become GraphQL errors: domain errors keep
// their code and message, GraphQL's own (parse, validation, variables) keep
// theirs, and anything unexpected becomes INTERNAL_SERVER_ERROR with no
// details leaked.

import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError } from '../domain/errors.js';
import type { Logger } from '../lib/logger.js';

const KNOWN_GRAPHQL_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'RATE_LIMITED',
]);

export function createErrorFormatter(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: original.code, ...original.details },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && KNOWN_GRAPHQL_CODES.has(code)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    if (
      original instanceof GraphQLError &&
      original.extensions?.code &&
      KNOWN_GRAPHQL_CODES.has(String(original.extensions.code))
    ) {
      return { message: original.message, path: formatted.path, extensions: { code: original.extensions.code } };
    }
    log.error({ err: original, path: formatted.path }, 'unexpected error while executing an operation');
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** A domain error turned into a GraphQLError for places outside execution (auth of a request). */
export function toGraphQLError(error: DomainError, httpStatus: number): GraphQLError {
  return new GraphQLError(error.message, { extensions: { code: error.code, http: { status: httpStatus } } });
}
