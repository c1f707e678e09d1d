// The single place where errors become GraphQL errors: domain errors keep
// their code and message, GraphQL's own (parse, validation, variables) keep
// theirs, and anything unexpected becomes INTERNAL_SERVER_ERROR with no
// details leaked.

import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, type ErrorCode } from '../domain/errors.js';
import type { Logger } from '../lib/logger.js';
import { tokenLimitError } from './operation-limits.js';

/** The `extensions.code` of each domain error: Apollo's constant where Apollo defines the code. */
export const DOMAIN_ERROR_CODES: Readonly<Record<ErrorCode, string>> = {
  BAD_USER_INPUT: ApolloServerErrorCode.BAD_USER_INPUT,
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  RATE_LIMITED: 'RATE_LIMITED',
  TIMEOUT: 'TIMEOUT',
};

/** Codes that reach the client as they are; any other error becomes INTERNAL_SERVER_ERROR. */
const KNOWN_GRAPHQL_CODES = new Set<string>([
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.BAD_REQUEST,
  ...Object.values(DOMAIN_ERROR_CODES),
  // The answer outgrew MEMQL_MAX_RESPONSE_BYTES (src/server/request-guard.ts).
  'RESPONSE_TOO_LARGE',
]);

/** Extensions a client may see: everything but the stack trace and the transport's HTTP status. */
function publicExtensions(extensions: Record<string, unknown> | undefined): Record<string, unknown> {
  const { stacktrace: _stacktrace, http: _http, ...rest } = extensions ?? {};
  return rest;
}

/** Seconds a client is asked to wait before it sends again a request the overloaded server could not start. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 1;

/** The answer to a request the overloaded server could not serve: RATE_LIMITED, retryable after retryAfter seconds. */
export function overloadError(): GraphQLFormattedError {
  return {
    message: `the server is busy (no database connection came free in time): retry in ${OVERLOAD_RETRY_AFTER_SECONDS} s`,
    extensions: {
      code: DOMAIN_ERROR_CODES.RATE_LIMITED,
      retryAfter: OVERLOAD_RETRY_AFTER_SECONDS,
      reason: 'OVERLOADED',
    },
  };
}

/** `isOverload`: whether an unexpected error says the server is overloaded (answered RATE_LIMITED, retryable). */
export function createErrorFormatter(log: Logger, isOverload: (error: unknown) => boolean = () => false) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: DOMAIN_ERROR_CODES[original.code], ...original.details },
      };
    }
    const code = formatted.extensions?.code;
    if (code === ApolloServerErrorCode.GRAPHQL_PARSE_FAILED) {
      // The token limit stops the parser; say which setting it was.
      const tooLong = tokenLimitError(formatted.message);
      if (tooLong) return { ...tooLong.toJSON(), extensions: publicExtensions(tooLong.extensions) };
    }
    if (typeof code === 'string' && KNOWN_GRAPHQL_CODES.has(code)) {
      const field = code === 'BAD_USER_INPUT' ? variableField(formatted.message) : null;
      const extensions = publicExtensions(formatted.extensions);
      return { ...formatted, extensions: field ? { ...extensions, field } : extensions };
    }
    if (
      original instanceof GraphQLError &&
      original.extensions?.code &&
      KNOWN_GRAPHQL_CODES.has(String(original.extensions.code))
    ) {
      // An error with a known code thrown by a resolver or a guard (limits, deadline): its details stay.
      return { message: original.message, path: formatted.path, extensions: publicExtensions(original.extensions) };
    }
    if (isOverload(original)) {
      // The statement that waited never ran; the client may send the request again.
      log.warn({ path: formatted.path }, 'no database connection came free in time; answered RATE_LIMITED');
      return { ...overloadError(), path: formatted.path, locations: formatted.locations };
    }
    log.error({ err: original, path: formatted.path }, 'unexpected error while executing an operation');
    return {
      message: 'Internal server error',
      path: formatted.path,
      extensions: { code: ApolloServerErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/**
 * The input path a variable coercion error names, as a domain error would
 * (`filter.AND[2].tags.containsAny`): graphql-js says `Variable "$filter" got
 * invalid value ... at "filter.AND[2].tags"; Field "foo" is not defined by
 * type "ListCondition".` An unknown field is appended to the path.
 */
export function variableField(message: string): string | null {
  const variable = /^Variable "\$([A-Za-z_]\w*)"/.exec(message);
  if (!variable) return null;
  const at = / at "([A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*)"; /.exec(message);
  const path = at?.[1] ?? variable[1]!;
  const unknown = /; Field "([A-Za-z_]\w*)" is not defined by type/.exec(message);
  return unknown ? `${path}.${unknown[1]}` : path;
}

/** A domain error turned into a GraphQLError for places outside execution (auth of a request). */
export function toGraphQLError(error: DomainError, httpStatus: number): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: DOMAIN_ERROR_CODES[error.code], http: { status: httpStatus } },
  });
}
