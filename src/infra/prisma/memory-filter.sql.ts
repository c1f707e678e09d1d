// Compiles the domain's memory filter tree (domain/memory/memory-filter.ts)
// to a parameterised SQL condition on the "Memory" table. Every value travels
// as a bind parameter; column names come from the fixed maps below, never
// from input. Each condition is NULL-safe (COALESCE(..., false)), so NOT
// behaves as in the in-memory evaluator: a condition on a missing value is
// false and its negation true.
//
// Indexes: every query is bounded by "userPk" (or "projectId") first; tags
// and categories have GIN indexes that `@>` and `&&` can use, agentId and
// runId (userPk, field) indexes.

import {
  type MemoryFilterNode,
  type MemorySelection,
  type MetadataTest,
  foldCase,
} from '../../domain/memory/memory-filter.js';
import { BadInputError } from '../../domain/errors.js';
import type { MemoryScope } from '../../domain/ports.js';
import { Prisma } from './generated/client.js';

/** The table alias every compiled condition refers to. */
export const M = Prisma.raw('m');

const COLUMNS = {
  agentId: Prisma.raw('m."agentId"'),
  runId: Prisma.raw('m."runId"'),
  topic: Prisma.raw('m."topic"'),
  subTopic: Prisma.raw('m."subTopic"'),
  source: Prisma.raw('m."source"'),
  categories: Prisma.raw('m."categories"'),
  tags: Prisma.raw('m."tags"'),
  importance: Prisma.raw('m."importance"'),
  confidence: Prisma.raw('m."confidence"'),
  createdAt: Prisma.raw('m."createdAt"'),
  updatedAt: Prisma.raw('m."updatedAt"'),
} as const;

/**
 * The condition for a filter tree on alias `m`. `sealedText`: encryption at
 * rest is on, so m."text" holds ciphertext and `text.contains` is refused
 * (matching it after decryption would page wrongly; the tsvector would
 * match words, not substrings).
 */
export function filterSql(node: MemoryFilterNode, sealedText = false): Prisma.Sql {
  const sub = (child: MemoryFilterNode) => filterSql(child, sealedText);
  switch (node.kind) {
    case 'and':
      return node.nodes.length === 0 ? Prisma.sql`true` : Prisma.sql`(${Prisma.join(node.nodes.map(sub), ' AND ')})`;
    case 'or':
      return node.nodes.length === 0 ? Prisma.sql`false` : Prisma.sql`(${Prisma.join(node.nodes.map(sub), ' OR ')})`;
    case 'not':
      return Prisma.sql`(NOT ${sub(node.node)})`;
    case 'oneOf':
      return node.values.length === 1
        ? Prisma.sql`COALESCE(${COLUMNS[node.field]} = ${node.values[0]!}, false)`
        : Prisma.sql`COALESCE(${COLUMNS[node.field]} = ANY(${node.values}::text[]), false)`;
    case 'isNull':
      return node.isNull
        ? Prisma.sql`(${COLUMNS[node.field]} IS NULL)`
        : Prisma.sql`(${COLUMNS[node.field]} IS NOT NULL)`;
    case 'list':
      return node.match === 'all'
        ? Prisma.sql`COALESCE(${COLUMNS[node.field]} @> ${node.values}::text[], false)`
        : Prisma.sql`COALESCE(${COLUMNS[node.field]} && ${node.values}::text[], false)`;
    case 'number':
      return node.op === 'gte'
        ? Prisma.sql`COALESCE(${COLUMNS[node.field]} >= ${node.value}::float8, false)`
        : Prisma.sql`COALESCE(${COLUMNS[node.field]} <= ${node.value}::float8, false)`;
    case 'date':
      return node.op === 'gte'
        ? Prisma.sql`(${COLUMNS[node.field]} >= ${node.value}::timestamp)`
        : Prisma.sql`(${COLUMNS[node.field]} <= ${node.value}::timestamp)`;
    case 'textContains':
      if (sealedText)
        throw new BadInputError(
          node.path,
          'is not available with encryption at rest (MEMQL_ENCRYPTION_KEY): memory text is stored encrypted; ' +
            'find words with searchMemories (mode LEXICAL) instead',
        );
      return Prisma.sql`(strpos(${fold(Prisma.sql`m."text"`)}, ${foldCase(node.value)}) > 0)`;
    case 'metadata':
      return metadataSql(Prisma.sql`(m."metadata" #> ${node.path}::text[])`, node.test);
    default: {
      const unreachable: never = node;
      throw new Error(`unknown filter node ${JSON.stringify(unreachable)}`);
    }
  }
}

/** ASCII-only lower-casing, the same in every locale (and the same as foldCase in the domain). */
function fold(text: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`translate(${text}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;
}

function metadataSql(value: Prisma.Sql, test: MetadataTest): Prisma.Sql {
  switch (test.op) {
    case 'eq':
      return Prisma.sql`COALESCE(${value} = ${JSON.stringify(test.value)}::jsonb, false)`;
    case 'in':
      return Prisma.sql`COALESCE(${value} = ANY(${test.values.map((v) => JSON.stringify(v))}::jsonb[]), false)`;
    case 'gte':
    case 'lte': {
      const op = Prisma.raw(test.op === 'gte' ? '>=' : '<=');
      // CASE, not AND: SQL does not promise to test the type before casting.
      return typeof test.value === 'number'
        ? Prisma.sql`COALESCE(CASE WHEN jsonb_typeof(${value}) = 'number' THEN (${value})::numeric ${op} ${test.value}::numeric ELSE false END, false)`
        : Prisma.sql`COALESCE(CASE WHEN jsonb_typeof(${value}) = 'string' THEN (${value} #>> '{}') COLLATE "C" ${op} ${test.value}::text COLLATE "C" ELSE false END, false)`;
    }
    case 'contains': {
      const element = Prisma.sql`EXISTS (SELECT 1 FROM jsonb_array_elements(${value}) AS e(v) WHERE e.v = ${JSON.stringify(test.value)}::jsonb)`;
      if (typeof test.value !== 'string')
        return Prisma.sql`COALESCE(CASE WHEN jsonb_typeof(${value}) = 'array' THEN ${element} ELSE false END, false)`;
      return Prisma.sql`COALESCE(CASE jsonb_typeof(${value})
        WHEN 'string' THEN strpos(${fold(Prisma.sql`(${value} #>> '{}')`)}, ${foldCase(test.value)}) > 0
        WHEN 'array' THEN ${element}
        ELSE false END, false)`;
    }
    default: {
      const unreachable: never = test;
      throw new Error(`unknown metadata test ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Visibility (deleted, expired at `now`) and the filter, on alias `m` (`sealedText`: see filterSql). */
export function selectionSql(selection: MemorySelection, now: Date, sealedText = false): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (!selection.includeDeleted) parts.push(Prisma.sql`m."deletedAt" IS NULL`);
  if (!selection.includeExpired) parts.push(Prisma.sql`(m."expiresAt" IS NULL OR m."expiresAt" > ${now}::timestamp)`);
  if (selection.where) parts.push(filterSql(selection.where, sealedText));
  return parts.length === 0 ? Prisma.sql`true` : Prisma.join(parts, ' AND ');
}

/** Whose memories: one project, some users or all of them. */
export function scopeSql(scope: MemoryScope): Prisma.Sql {
  if (scope.userPks === null) return Prisma.sql`m."projectId" = ${scope.projectId}::uuid`;
  if (scope.userPks.length === 1)
    return Prisma.sql`m."userPk" = ${scope.userPks[0]!}::uuid AND m."projectId" = ${scope.projectId}::uuid`;
  return Prisma.sql`m."userPk" = ANY(${[...scope.userPks]}::uuid[]) AND m."projectId" = ${scope.projectId}::uuid`;
}
