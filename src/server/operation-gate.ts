// What every operation passes before a resolver runs, on HTTP (an Apollo
// plugin) and on WebSocket (graphql-ws's onSubscribe): the document limits
// (tokens while parsing, depth/aliases/directives while validating), the
// cost limit, the key's cost budget, and then a guard (deadline, answer
// size) for the operation's execution. Subscriptions are not guarded: they
// live as long as their socket.

import type { ApolloServerPlugin } from '@apollo/server';
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  type OperationTypeNode,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import type { Viewer } from '../domain/types.js';
import { checkJsonValue, checkLiterals, checkSourceNesting } from './input-check.js';
import { checkCost, limitRules, type OperationLimits, operationCost, tokenLimitError } from './operation-limits.js';
import type { KeyRateLimiter } from './rate-limit.js';
import type { RequestGuards } from './request-guard.js';

export interface OperationRequest {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
}

export interface AdmittedOperation {
  document: DocumentNode;
  operation: OperationTypeNode;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

export class OperationGate {
  readonly validationRules;

  constructor(
    private readonly schema: GraphQLSchema,
    readonly limits: OperationLimits,
    readonly limiter: KeyRateLimiter,
    readonly guards: RequestGuards,
  ) {
    this.validationRules = limitRules(limits);
  }

  /** Refuses a document nested deep enough to overflow the parser (input-check.ts); null when it may be parsed. */
  checkSource(query: string): GraphQLError | null {
    return checkSourceNesting(query, this.limits.maxTokens);
  }

  /** graphql's parse options (Apollo's `parseOptions`). */
  get parseOptions() {
    return { maxTokens: this.limits.maxTokens };
  }

  /**
   * The checks that need the variables: the cost limit, then the key's cost
   * budget. Null when the operation may run.
   */
  async admitResolved(
    viewer: Viewer,
    document: DocumentNode,
    variables: Record<string, unknown> | undefined,
    operationName: string | undefined,
  ): Promise<GraphQLError | null> {
    // No string anywhere may hold what cannot be stored; no value may nest without bound.
    for (const [name, value] of Object.entries(variables ?? {})) {
      const problem = checkJsonValue(name, value);
      if (problem) return problem;
    }
    const literal = checkLiterals(document);
    if (literal) return literal;
    let cost: number;
    try {
      cost = operationCost(this.schema, document, variables, operationName);
    } catch {
      // Variables that do not coerce: execution refuses them with a message naming them.
      return null;
    }
    return checkCost(cost, this.limits) ?? (await this.limiter.spendCost(viewer.keyId, cost));
  }

  /**
   * Everything, from the source text, for transports that do not parse
   * themselves (graphql-ws): the key's request rate (HTTP counts it at the
   * door, auth-gate.ts), the document limits, the cost.
   */
  async admitRequest(viewer: Viewer, request: OperationRequest): Promise<AdmittedOperation | readonly GraphQLError[]> {
    const rate = await this.limiter.admitRequest(viewer.keyId);
    if (rate.error) return [rate.error];
    if (typeof request.query !== 'string')
      return [new GraphQLError('The operation needs a query string', { extensions: { code: 'BAD_REQUEST' } })];
    const operationName = typeof request.operationName === 'string' ? request.operationName : undefined;
    const variables =
      request.variables && typeof request.variables === 'object' && !Array.isArray(request.variables)
        ? (request.variables as Record<string, unknown>)
        : undefined;
    const nested = this.checkSource(request.query);
    if (nested) return [nested];
    let document: DocumentNode;
    try {
      document = parse(request.query, this.parseOptions);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      return [
        tokenLimitError(error.message) ??
          new GraphQLError(error.message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } }),
      ];
    }
    const invalid = validate(this.schema, document, [...specifiedRules, ...this.validationRules]);
    if (invalid.length > 0)
      return invalid.map(
        (error) =>
          new GraphQLError(error.message, {
            nodes: error.nodes,
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...error.extensions },
          }),
      );
    const operation = getOperationAST(document, operationName);
    if (!operation)
      return [
        new GraphQLError('Unable to identify the operation: name it with operationName', {
          extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
        }),
      ];
    const refused = await this.admitResolved(viewer, document, variables, operationName);
    if (refused) return [refused];
    return { document, operation: operation.operation, operationName, variables };
  }

  /** Apollo plugin: the cost checks once Apollo has parsed, validated and resolved the operation; then the guard. */
  apolloPlugin<C extends { viewer: Viewer }>(): ApolloServerPlugin<C> {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async ({ document, request, operation, operationName, contextValue }) => {
          const refused = await this.admitResolved(
            contextValue.viewer,
            document,
            request.variables,
            operationName ?? undefined,
          );
          if (refused) throw refused;
          if (operation?.operation !== 'subscription') this.guards.start(contextValue);
        },
      }),
    };
  }
}
