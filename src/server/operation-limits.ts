// Limits on what one GraphQL operation may ask for, checked after parsing
// and before any resolver runs, on HTTP and WebSocket alike:
//
// - tokens: graphql's own parser stops counting at the limit (a 500 KB
//   document of aliases is refused before it becomes a tree);
// - depth, aliases, directives: GraphQL Armor's validation rules;
// - cost: graphql-query-complexity with memql's model (operationCost below),
//   which needs the variables, so it runs once the operation is resolved.
//
// A refusal is a GraphQL error with `extensions.code` GRAPHQL_PARSE_FAILED
// (tokens) or GRAPHQL_VALIDATION_FAILED (the rest), and `extensions.limit`
// naming the limit, `extensions.max` its value and, where known,
// `extensions.actual`.

import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  type DocumentNode,
  type GraphQLField,
  GraphQLError,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isLeafType,
  isListType,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE } from '../domain/validation.js';

export interface OperationLimits {
  /** Nesting of fields (fragments add none; introspection's `__schema` is not counted). */
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Lexical tokens of the document (names, punctuation, literals). */
  maxTokens: number;
  /** The operation's cost (operationCost). */
  maxCost: number;
}

export type LimitName = 'tokens' | 'depth' | 'aliases' | 'directives' | 'cost';

/** The setting behind each limit, named in every refusal so an operator knows what to change. */
export const LIMIT_SETTINGS: Readonly<Record<LimitName, string>> = {
  tokens: 'MEMQL_MAX_TOKENS',
  depth: 'MEMQL_MAX_DEPTH',
  aliases: 'MEMQL_MAX_ALIASES',
  directives: 'MEMQL_MAX_DIRECTIVES',
  cost: 'MEMQL_MAX_COST',
};

// ---------------------------------------------------------------- the cost model

/** Default `topK` of search fields (User.query and the memory searches). */
const DEFAULT_TOP_K = 10;
/** What a list without a size argument is assumed to hold (messages, hits, history, sources ...). */
export const UNBOUNDED_LIST_SIZE = 10;
/** Fields that do more than read rows: a search embeds a question and asks the vector index. */
export const SEARCH_COST = 1_000;
/** Every mutation writes (and may embed, or wait for extraction). */
export const MUTATION_COST = 10;
const SEARCH_FIELDS = new Set(['query', 'searchMemories']);

/**
 * memql's cost model. An object field costs 1 and a scalar 0; a field that
 * returns many items multiplies what is selected below it by how many it
 * may return: `first` on connections (default 20), `topK` on searches
 * (default 10), the longest list argument of a mutation, and
 * UNBOUNDED_LIST_SIZE for other lists (a connection's `edges` are already
 * counted by its `first`). Searches cost SEARCH_COST and mutations
 * MUTATION_COST on top.
 *
 * `users(first: 50) { edges { node { blobs(first: 10) { edges { node { id } } } } } }`
 * costs 1 + 50 * (1 + 1 + (1 + 10 * 2)) = 1,151.
 */
const memqlEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  const own = ownCost(type.name, field);
  return own + itemCount(type.name, field, args) * childComplexity;
};

function ownCost(parentType: string, field: GraphQLField<unknown, unknown>): number {
  if (parentType === 'Mutation') return MUTATION_COST;
  if (SEARCH_FIELDS.has(field.name)) return SEARCH_COST;
  return isLeafType(getNamedType(field.type)) ? 0 : 1;
}

function itemCount(parentType: string, field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  const has = (name: string) => field.args.some((arg) => arg.name === name);
  if (has('first')) return nonNegative(args.first, DEFAULT_PAGE_SIZE);
  if (has('topK')) return nonNegative(args.topK, DEFAULT_TOP_K);
  if (parentType === 'Mutation') {
    const lists = Object.values(args).filter(Array.isArray) as unknown[][];
    return Math.max(1, ...lists.map((list) => list.length));
  }
  if (!isListType(getNullableType(field.type))) return 1;
  return parentType.endsWith('Connection') ? 1 : UNBOUNDED_LIST_SIZE;
}

function nonNegative(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/**
 * The cost of the operation `operationName` of `document` with these
 * variables. Throws a GraphQLError when the document cannot be costed
 * (bad variables are left to execution, which names them).
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
): number {
  return getComplexity({
    schema,
    query: document,
    variables: variables ?? {},
    operationName: operationName ?? undefined,
    estimators: [memqlEstimator],
    // The token limit bounds the nodes already; this only guards the walk itself.
    maxQueryNodes: Number.MAX_SAFE_INTEGER,
  });
}

// ---------------------------------------------------------------- refusals

export function limitError(
  limit: LimitName,
  max: number,
  actual: number | null,
  code = 'GRAPHQL_VALIDATION_FAILED',
): GraphQLError {
  const what: Record<LimitName, string> = {
    tokens: 'The document has too many tokens',
    depth: 'The operation nests too deeply',
    aliases: 'The operation uses too many aliases',
    directives: 'The operation uses too many directives',
    cost: 'The operation asks for too much',
  };
  const found = actual === null ? '' : ` (${actual})`;
  const hint = limit === 'cost' ? '; ask for fewer items (first, topK) or split it' : '';
  return new GraphQLError(`${what[limit]}${found}: the limit is ${max} (${LIMIT_SETTINGS[limit]})${hint}`, {
    extensions: { code, limit, max, ...(actual === null ? {} : { actual }), http: { status: 400 } },
  });
}

/** The cost check: null when within the limit, else the refusal. */
export function checkCost(cost: number, limits: OperationLimits): GraphQLError | null {
  return cost > limits.maxCost ? limitError('cost', limits.maxCost, cost) : null;
}

/**
 * Validation rules for depth, aliases and directives (GraphQL Armor), added
 * to graphql's own. Armor's message is replaced by one that names the
 * setting; the count it found is kept.
 */
export function limitRules(limits: OperationLimits): ValidationRule[] {
  const reject = (limit: LimitName, max: number) => [
    (context: ValidationContext | null, error: GraphQLError) => {
      const actual = /found (\d+)/.exec(error.message)?.[1];
      context?.reportError(limitError(limit, max, actual === undefined ? null : Number(actual)));
    },
  ];
  const common = { exposeLimits: true, propagateOnRejection: false } as const;
  return [
    // A fragment adds no depth of its own: clients (Apollo Client, codegen) spread them freely.
    maxDepthRule({
      ...common,
      n: limits.maxDepth,
      flattenFragments: true,
      onReject: reject('depth', limits.maxDepth),
    }),
    maxAliasesRule({ ...common, n: limits.maxAliases, onReject: reject('aliases', limits.maxAliases) }),
    maxDirectivesRule({ ...common, n: limits.maxDirectives, onReject: reject('directives', limits.maxDirectives) }),
  ] as ValidationRule[];
}

/**
 * graphql's parser message for the token limit ("Document contains more
 * that N tokens"), turned into the same shape as the other refusals; null
 * for any other message.
 */
export function tokenLimitError(message: string): GraphQLError | null {
  const max = /more tha[nt] (\d+) tokens/.exec(message)?.[1];
  return max === undefined ? null : limitError('tokens', Number(max), null, 'GRAPHQL_PARSE_FAILED');
}
