import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { BadInputError, NotFoundError, UnauthenticatedError, WaitTimeoutError } from '../../src/domain/errors.js';
import { createLogger } from '../../src/lib/logger.js';
import { createErrorFormatter, toGraphQLError, variableField } from '../../src/server/format-error.js';

const format = createErrorFormatter(createLogger('silent'));
const asResolverError = (original: Error) =>
  new GraphQLError(original.message, { originalError: original, path: ['field'] });

describe('formatError', () => {
  it("keeps a domain error's code, message and field", () => {
    const error = asResolverError(new BadInputError('input.id', 'too long'));
    expect(format(error.toJSON(), error)).toEqual({
      message: 'input.id: too long',
      path: ['field'],
      locations: undefined,
      extensions: { code: 'BAD_USER_INPUT', field: 'input.id' },
    });
    const missing = asResolverError(new NotFoundError('User', 'x'));
    expect(format(missing.toJSON(), missing).extensions).toMatchObject({ code: 'NOT_FOUND', entity: 'User', id: 'x' });
  });

  it('gives every domain error its code, TIMEOUT included, inside and outside execution', () => {
    const timeout = asResolverError(new WaitTimeoutError('waited too long', { waitedMs: 5 }));
    expect(format(timeout.toJSON(), timeout).extensions).toEqual({ code: 'TIMEOUT', waitedMs: 5 });
    expect(toGraphQLError(new UnauthenticatedError('no key'), 401).extensions).toEqual({
      code: 'UNAUTHENTICATED',
      http: { status: 401 },
    });
  });

  it('turns anything unexpected into INTERNAL_SERVER_ERROR without details or stack', () => {
    const original = new Error('connection to 10.0.0.5 refused: password=hunter2');
    const error = asResolverError(original);
    const formatted = format(
      { ...error.toJSON(), extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } },
      error,
    );
    expect(formatted).toEqual({
      message: 'Internal server error',
      path: ['field'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it("keeps GraphQL's own validation codes but drops stack traces", () => {
    const error = new GraphQLError('Cannot query field "x" on type "Query".', {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    const formatted = format(
      { ...error.toJSON(), extensions: { code: 'GRAPHQL_VALIDATION_FAILED', stacktrace: ['at y'] } },
      error,
    );
    expect(formatted.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('names the input path of a variable that GraphQL refused', () => {
    const error = new GraphQLError(
      'Variable "$filter" got invalid value { foo: ["x"] } at "filter.AND[2].tags"; Field "foo" is not defined by type "ListCondition".',
      { extensions: { code: 'BAD_USER_INPUT' } },
    );
    expect(format({ ...error.toJSON(), extensions: { code: 'BAD_USER_INPUT' } }, error).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'filter.AND[2].tags.foo',
    });
    expect(
      variableField(
        'Variable "$filter" got invalid value "high" at "filter.importance.gte"; Float cannot represent non numeric value: "high"',
      ),
    ).toBe('filter.importance.gte');
    expect(variableField('Variable "$userId" of required type "ID!" was not provided.')).toBe('userId');
    expect(variableField('Cannot query field "x" on type "Query".')).toBeNull();
  });
});
