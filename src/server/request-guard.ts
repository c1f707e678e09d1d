// Work stops when an operation runs past its deadline or its answer grows
// past the response-size cap. graphql-js cannot be interrupted, so every
// field resolver of the schema is wrapped once (guardSchema): before a field
// resolves it checks its operation's guard, and the text a field returns
// counts towards the answer's size. A field that finds the guard tripped
// throws, so the rest of the operation stops asking the database for more;
// what is already in flight finishes and is thrown away.
//
// Guards are kept per context object, so operations without one
// (subscriptions, which live as long as their socket) run unguarded.

import {
  defaultFieldResolver,
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  isLeafType,
  getNamedType,
  isObjectType,
} from 'graphql';

export interface GuardLimits {
  /** Milliseconds an operation may run. */
  deadlineMs: number;
  /** Bytes of answer (counted as the text of the fields resolved so far). */
  maxResponseBytes: number;
}

/** One operation's budget of time and answer size. */
export class RequestGuard {
  private bytes = 0;
  private tripped: GraphQLError | null = null;

  constructor(
    private readonly limits: GuardLimits,
    readonly deadline: number,
    private readonly clock: () => number,
  ) {}

  /** Throws when the operation is over its deadline or its size. */
  check(): void {
    if (this.tripped) throw this.tripped;
    if (this.clock() > this.deadline) {
      this.tripped = deadlineError(this.limits.deadlineMs);
      throw this.tripped;
    }
  }

  /** Counts a resolved value; throws once the answer is over the cap. */
  count(value: unknown): void {
    this.bytes += approximateBytes(value);
    if (this.bytes > this.limits.maxResponseBytes) {
      this.tripped ??= responseTooLargeError(this.limits.maxResponseBytes);
      throw this.tripped;
    }
  }
}

export function deadlineError(deadlineMs: number): GraphQLError {
  return new GraphQLError(
    `The operation ran past its deadline of ${deadlineMs / 1000} s (MEMQL_REQUEST_DEADLINE_SECONDS) and was stopped; ` +
      'nothing it wrote is lost, and asking for less may succeed',
    { extensions: { code: 'TIMEOUT', limit: 'deadline', max: deadlineMs / 1000 } },
  );
}

export function responseTooLargeError(maxBytes: number): GraphQLError {
  return new GraphQLError(
    `The answer is over ${maxBytes} bytes (MEMQL_MAX_RESPONSE_BYTES): ask for fewer items or fields`,
    { extensions: { code: 'RESPONSE_TOO_LARGE', limit: 'responseBytes', max: maxBytes } },
  );
}

/** The guards of operations in progress, by their context object. */
export class RequestGuards {
  private readonly byContext = new WeakMap<object, RequestGuard>();

  /** `clock` returns milliseconds; tests pass their own. */
  constructor(
    readonly limits: GuardLimits,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Starts guarding the operation that runs with `context`. */
  start(context: object): RequestGuard {
    const guard = new RequestGuard(this.limits, this.clock() + this.limits.deadlineMs, this.clock);
    this.byContext.set(context, guard);
    return guard;
  }

  of(context: unknown): RequestGuard | undefined {
    return typeof context === 'object' && context !== null ? this.byContext.get(context) : undefined;
  }

  /**
   * Wraps every field resolver of `schema` (in place, once, at start) with
   * the guard of the operation it runs in.
   */
  guardSchema(schema: GraphQLSchema): void {
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const resolve = field.resolve ?? defaultFieldResolver;
        const leaf = isLeafType(getNamedType(field.type));
        field.resolve = this.guarded(resolve, leaf);
      }
    }
  }

  private guarded(
    resolve: GraphQLFieldResolver<unknown, unknown>,
    leaf: boolean,
  ): GraphQLFieldResolver<unknown, unknown> {
    return (source, args, context, info) => {
      const guard = this.of(context);
      if (!guard) return resolve(source, args, context, info);
      guard.check();
      const value = resolve(source, args, context, info);
      if (!leaf) return value;
      if (value instanceof Promise)
        return value.then((resolved) => {
          guard.count(resolved);
          return resolved;
        });
      guard.count(value);
      return value;
    };
  }
}

/** Roughly what a leaf value adds to the JSON answer (UTF-16 length for text; small for the rest). */
function approximateBytes(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (value === null || value === undefined || typeof value !== 'object') return 8;
  if (value instanceof Date) return 26;
  try {
    return JSON.stringify(value).length;
  } catch {
    return 8;
  }
}
