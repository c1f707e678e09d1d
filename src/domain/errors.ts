// One error vocabulary for the whole server. The GraphQL layer maps these to
// `extensions.code` (src/server/format-error.ts, with Apollo's constants where
// Apollo has the code); anything else becomes INTERNAL_SERVER_ERROR.

export type ErrorCode = 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'RATE_LIMITED' | 'TIMEOUT';

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadInputError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`, { field });
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} "${id}" not found`, { entity, id });
  }
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

/** Not raised yet: rate limits arrive with the hardening work; the code is already part of the API's vocabulary. */
export class RateLimitedError extends DomainError {
  readonly code = 'RATE_LIMITED';
}

/**
 * Waited for work that did not finish in time (a batch another worker runs,
 * say). Nothing was lost; asking again later may succeed.
 */
export class WaitTimeoutError extends DomainError {
  readonly code = 'TIMEOUT';
}

/** A unique key is already taken (e.g. a user id within a project): bad input, named. */
export class ConflictError extends BadInputError {}

/**
 * A repository found the memory of edit `index` gone (deleted meanwhile) once
 * it held the lock: nothing was written. The use case names the item.
 */
export class MemoryEditConflict extends Error {
  constructor(readonly index: number) {
    super(`memory of edit ${index} is no longer live`);
    this.name = 'MemoryEditConflict';
  }
}

/**
 * The vector index does not answer (its server is down or restarting). A
 * search then answers from the lexical index alone and says so; the indexer
 * keeps its jobs in the outbox until the index is back.
 */
export class VectorIndexUnavailableError extends Error {
  constructor(
    message: string,
    /** What a client may be told (no addresses): "is not reachable", "did not answer within 1000 ms". */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'VectorIndexUnavailableError';
  }
}
