// One filter grammar for every read of memories (User.memories,
// searchMemories, deleteMemoriesWhere): parsed and validated here into a
// typed tree, compiled to parameterised SQL by the Prisma adapter
// (infra/prisma/memory-filter.sql.ts) and evaluated in memory by
// matchesMemoryFilter() below. Both must agree on every memory; a contract
// test runs them side by side.
//
// Semantics, the same in SQL and here:
// - the fields of one filter object are ANDed; AND: [] matches everything,
//   OR: [] nothing;
// - a condition on a missing value (a null importance, a metadata path that is
//   absent) is false, and NOT of it is true: no SQL three-valued logic leaks;
// - text.contains is a case-insensitive substring match on the memory's text;
// - metadata paths walk objects by key and arrays by index; gte/lte compare
//   numbers with numbers and strings with strings (by code point), never across.

import { BadInputError } from '../errors.js';
import type { JsonValue, MemoryRecord } from '../types.js';

export type ScopeField = 'agentId' | 'runId';
export type KeywordField = ScopeField | 'topic' | 'subTopic' | 'source';
export type ListField = 'categories' | 'tags';
export type NumberField = 'importance' | 'confidence';
export type DateField = 'createdAt' | 'updatedAt';
export type MetadataScalar = string | number | boolean;

export type MemoryCondition =
  /** eq and in: the field equals one of the values. */
  | { kind: 'oneOf'; field: KeywordField; values: string[] }
  | { kind: 'isNull'; field: ScopeField; isNull: boolean }
  /** contains and containsAll: every value is in the list; containsAny: at least one is. */
  | { kind: 'list'; field: ListField; match: 'all' | 'any'; values: string[] }
  | { kind: 'number'; field: NumberField; op: 'gte' | 'lte'; value: number }
  | { kind: 'date'; field: DateField; op: 'gte' | 'lte'; value: Date }
  /** `path`: where it was given (a store that cannot match text names it when refusing). */
  | { kind: 'textContains'; value: string; path: string }
  | { kind: 'metadata'; path: string[]; test: MetadataTest };

export type MetadataTest =
  | { op: 'eq'; value: MetadataScalar }
  | { op: 'in'; values: MetadataScalar[] }
  | { op: 'gte' | 'lte'; value: number | string }
  | { op: 'contains'; value: MetadataScalar };

export type MemoryFilterNode =
  | { kind: 'and'; nodes: MemoryFilterNode[] }
  | { kind: 'or'; nodes: MemoryFilterNode[] }
  | { kind: 'not'; node: MemoryFilterNode }
  | MemoryCondition;

/** What a read selects: the filter tree plus whether deleted and expired memories are included. */
export interface MemorySelection {
  where: MemoryFilterNode | null;
  includeDeleted: boolean;
  includeExpired: boolean;
}

export const LIVE_MEMORIES: MemorySelection = { where: null, includeDeleted: false, includeExpired: false };

export const FILTER_LIMITS = {
  maxDepth: 8,
  /** Filter objects in one tree, all levels together. */
  maxNodes: 200,
  maxListValues: 100,
  maxValueLength: 256,
  maxMetadataPath: 8,
} as const;

/** What the transport hands over (the GraphQL input, or any plain object); validated by parseMemoryFilter. */
export interface MemoryFilterInput {
  AND?: readonly MemoryFilterInput[] | null;
  OR?: readonly MemoryFilterInput[] | null;
  NOT?: MemoryFilterInput | null;
  agentId?: ScopeConditionInput | null;
  runId?: ScopeConditionInput | null;
  topic?: KeywordConditionInput | null;
  subTopic?: KeywordConditionInput | null;
  source?: KeywordConditionInput | null;
  categories?: ListConditionInput | null;
  tags?: ListConditionInput | null;
  importance?: NumberConditionInput | null;
  confidence?: NumberConditionInput | null;
  createdAt?: DateConditionInput | null;
  updatedAt?: DateConditionInput | null;
  text?: TextConditionInput | null;
  metadata?: readonly MetadataConditionInput[] | null;
  includeDeleted?: boolean | null;
  includeExpired?: boolean | null;
}

export interface KeywordConditionInput {
  eq?: string | null;
  in?: readonly string[] | null;
}
export interface ScopeConditionInput extends KeywordConditionInput {
  isNull?: boolean | null;
}
export interface ListConditionInput {
  contains?: string | null;
  containsAny?: readonly string[] | null;
  containsAll?: readonly string[] | null;
}
export interface NumberConditionInput {
  gte?: number | null;
  lte?: number | null;
}
export interface DateConditionInput {
  gte?: Date | null;
  lte?: Date | null;
}
export interface TextConditionInput {
  contains?: string | null;
}
export interface MetadataConditionInput {
  path: readonly string[];
  eq?: unknown;
  in?: unknown;
  gte?: unknown;
  lte?: unknown;
  contains?: unknown;
}

const KEYWORD_FIELDS = ['topic', 'subTopic', 'source'] as const;
const SCOPE_FIELDS = ['agentId', 'runId'] as const;
const LIST_FIELDS = ['categories', 'tags'] as const;
const NUMBER_FIELDS = ['importance', 'confidence'] as const;
const DATE_FIELDS = ['createdAt', 'updatedAt'] as const;
const FILTER_KEYS = new Set<string>([
  'AND',
  'OR',
  'NOT',
  ...KEYWORD_FIELDS,
  ...SCOPE_FIELDS,
  ...LIST_FIELDS,
  ...NUMBER_FIELDS,
  ...DATE_FIELDS,
  'text',
  'metadata',
  'includeDeleted',
  'includeExpired',
]);

/**
 * Validates a filter and turns it into a tree. Errors are BAD_USER_INPUT
 * naming the path, e.g. `filter.AND[2].tags.containsAny`. Null or undefined:
 * live memories only.
 */
export function parseMemoryFilter(input: unknown, path = 'filter'): MemorySelection {
  if (input === null || input === undefined) return LIVE_MEMORIES;
  const parser = new FilterParser();
  const object = record(input, path);
  const where = parser.node(object, path, 1);
  return {
    where,
    includeDeleted: optionalBoolean(object.includeDeleted, `${path}.includeDeleted`) ?? false,
    includeExpired: optionalBoolean(object.includeExpired, `${path}.includeExpired`) ?? false,
  };
}

class FilterParser {
  private nodes = 0;

  node(object: Record<string, unknown>, path: string, depth: number): MemoryFilterNode | null {
    if (depth > FILTER_LIMITS.maxDepth)
      throw new BadInputError(path, `filters nest at most ${FILTER_LIMITS.maxDepth} levels deep`);
    if (++this.nodes > FILTER_LIMITS.maxNodes)
      throw new BadInputError(path, `a filter holds at most ${FILTER_LIMITS.maxNodes} filter objects`);
    const parts: MemoryFilterNode[] = [];
    for (const [key, value] of Object.entries(object)) {
      if (value === null || value === undefined) continue;
      const at = `${path}.${key}`;
      if (!FILTER_KEYS.has(key)) throw new BadInputError(at, `unknown filter field "${key}"`);
      switch (key) {
        case 'AND':
        case 'OR': {
          const items = list(value, at, FILTER_LIMITS.maxListValues).map((item, i) =>
            this.node(record(item, `${at}[${i}]`), `${at}[${i}]`, depth + 1),
          );
          const nodes = items.map((node) => node ?? TRUE);
          parts.push(key === 'AND' ? { kind: 'and', nodes } : { kind: 'or', nodes });
          break;
        }
        case 'NOT':
          parts.push({ kind: 'not', node: this.node(record(value, at), at, depth + 1) ?? TRUE });
          break;
        case 'includeDeleted':
        case 'includeExpired':
          if (depth > 1) throw new BadInputError(at, 'is only allowed at the top level of a filter');
          optionalBoolean(value, at);
          break;
        case 'agentId':
        case 'runId':
          parts.push(...keywordConditions(key, record(value, at), at, true));
          break;
        case 'topic':
        case 'subTopic':
        case 'source':
          parts.push(...keywordConditions(key, record(value, at), at, false));
          break;
        case 'categories':
        case 'tags':
          parts.push(...listConditions(key, record(value, at), at));
          break;
        case 'importance':
        case 'confidence':
          parts.push(...numberConditions(key, record(value, at), at));
          break;
        case 'createdAt':
        case 'updatedAt':
          parts.push(...dateConditions(key, record(value, at), at));
          break;
        case 'text':
          parts.push(textCondition(record(value, at), at));
          break;
        case 'metadata':
          parts.push(
            ...list(value, at, 32).map((item, i) => metadataCondition(record(item, `${at}[${i}]`), `${at}[${i}]`)),
          );
          break;
        default:
          throw new BadInputError(at, `unknown filter field "${key}"`);
      }
    }
    if (parts.length === 0) return null;
    return parts.length === 1 ? parts[0]! : { kind: 'and', nodes: parts };
  }
}

/** Matches every memory (an empty filter object inside AND/OR/NOT). */
const TRUE: MemoryFilterNode = { kind: 'and', nodes: [] };

function keywordConditions(
  field: KeywordField,
  value: Record<string, unknown>,
  path: string,
  scope: boolean,
): MemoryCondition[] {
  const allowed = scope ? ['eq', 'in', 'isNull'] : ['eq', 'in'];
  const given = operators(value, path, allowed);
  const conditions: MemoryCondition[] = [];
  if (given.eq !== undefined) conditions.push({ kind: 'oneOf', field, values: [keyword(given.eq, `${path}.eq`)] });
  if (given.in !== undefined)
    conditions.push({
      kind: 'oneOf',
      field,
      values: list(given.in, `${path}.in`, FILTER_LIMITS.maxListValues).map((v, i) => keyword(v, `${path}.in[${i}]`)),
    });
  if (given.isNull !== undefined)
    conditions.push({ kind: 'isNull', field: field as ScopeField, isNull: boolean(given.isNull, `${path}.isNull`) });
  return conditions;
}

function listConditions(field: ListField, value: Record<string, unknown>, path: string): MemoryCondition[] {
  const given = operators(value, path, ['contains', 'containsAny', 'containsAll']);
  const values = (key: string) =>
    list(given[key], `${path}.${key}`, FILTER_LIMITS.maxListValues, 1).map((v, i) =>
      keyword(v, `${path}.${key}[${i}]`),
    );
  const conditions: MemoryCondition[] = [];
  if (given.contains !== undefined)
    conditions.push({ kind: 'list', field, match: 'all', values: [keyword(given.contains, `${path}.contains`)] });
  if (given.containsAny !== undefined)
    conditions.push({ kind: 'list', field, match: 'any', values: values('containsAny') });
  if (given.containsAll !== undefined)
    conditions.push({ kind: 'list', field, match: 'all', values: values('containsAll') });
  return conditions;
}

function numberConditions(field: NumberField, value: Record<string, unknown>, path: string): MemoryCondition[] {
  const given = operators(value, path, ['gte', 'lte']);
  return (['gte', 'lte'] as const)
    .filter((op) => given[op] !== undefined)
    .map((op) => ({ kind: 'number', field, op, value: finiteNumber(given[op], `${path}.${op}`) }));
}

function dateConditions(field: DateField, value: Record<string, unknown>, path: string): MemoryCondition[] {
  const given = operators(value, path, ['gte', 'lte']);
  return (['gte', 'lte'] as const)
    .filter((op) => given[op] !== undefined)
    .map((op) => ({ kind: 'date', field, op, value: date(given[op], `${path}.${op}`) }));
}

function textCondition(value: Record<string, unknown>, path: string): MemoryCondition {
  const given = operators(value, path, ['contains']);
  return { kind: 'textContains', value: keyword(given.contains, `${path}.contains`), path: `${path}.contains` };
}

function metadataCondition(value: Record<string, unknown>, path: string): MemoryCondition {
  const segments = list(value.path, `${path}.path`, FILTER_LIMITS.maxMetadataPath, 1).map((segment, i) =>
    keyword(segment, `${path}.path[${i}]`),
  );
  const { path: _path, ...rest } = value;
  const given = operators(rest, path, ['eq', 'in', 'gte', 'lte', 'contains']);
  const ops = Object.keys(given);
  if (ops.length !== 1) throw new BadInputError(path, 'give exactly one of eq, in, gte, lte, contains');
  const op = ops[0]!;
  const at = `${path}.${op}`;
  const raw = given[op];
  let test: MetadataTest;
  switch (op) {
    case 'eq':
      test = { op: 'eq', value: scalar(raw, at) };
      break;
    case 'in':
      test = {
        op: 'in',
        values: list(raw, at, FILTER_LIMITS.maxListValues, 1).map((v, i) => scalar(v, `${at}[${i}]`)),
      };
      break;
    case 'gte':
    case 'lte': {
      const bound = scalar(raw, at);
      if (typeof bound === 'boolean') throw new BadInputError(at, 'must be a number or a string');
      test = { op, value: bound };
      break;
    }
    case 'contains':
      test = { op: 'contains', value: scalar(raw, at) };
      break;
    default:
      throw new BadInputError(at, `unknown metadata operator "${op}"`);
  }
  return { kind: 'metadata', path: segments, test };
}

// ------------------------------------------------------------------ value checks

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date)
    throw new BadInputError(path, 'must be an object');
  return value as Record<string, unknown>;
}

/** The operators given (non-null), refusing unknown ones and an empty condition. */
function operators(value: Record<string, unknown>, path: string, allowed: readonly string[]): Record<string, unknown> {
  const given: Record<string, unknown> = {};
  for (const [key, operand] of Object.entries(value)) {
    if (!allowed.includes(key))
      throw new BadInputError(`${path}.${key}`, `unknown operator "${key}"; use ${allowed.join(', ')}`);
    if (operand !== null && operand !== undefined) given[key] = operand;
  }
  if (Object.keys(given).length === 0) throw new BadInputError(path, `give at least one of ${allowed.join(', ')}`);
  return given;
}

function list(value: unknown, path: string, max: number, min = 0): unknown[] {
  if (!Array.isArray(value)) throw new BadInputError(path, 'must be a list');
  if (value.length < min || value.length > max)
    throw new BadInputError(path, `must hold ${min}-${max} values (got ${value.length})`);
  return value;
}

function keyword(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new BadInputError(path, 'must be a string');
  if (value.length < 1 || value.length > FILTER_LIMITS.maxValueLength)
    throw new BadInputError(path, `must be 1-${FILTER_LIMITS.maxValueLength} characters`);
  return value;
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new BadInputError(path, 'must be a boolean');
  return value;
}

function optionalBoolean(value: unknown, path: string): boolean | null {
  return value === null || value === undefined ? null : boolean(value, path);
}

function finiteNumber(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new BadInputError(path, 'must be a finite number');
  return value;
}

function date(value: unknown, path: string): Date {
  const parsed = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  if (!parsed || Number.isNaN(parsed.getTime())) throw new BadInputError(path, 'must be a date-time');
  return parsed;
}

function scalar(value: unknown, path: string): MetadataScalar {
  if (typeof value === 'string') return keyword(value, path);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return finiteNumber(value, path);
  throw new BadInputError(path, 'must be a string, a number or a boolean');
}

// ------------------------------------------------------------------ evaluation in memory

/** Whether a memory is selected: visible (deleted, expired) and matching the tree. */
export function selects(selection: MemorySelection, memory: MemoryRecord, now: Date): boolean {
  if (!selection.includeDeleted && memory.deletedAt !== null) return false;
  if (!selection.includeExpired && memory.expiresAt !== null && memory.expiresAt <= now) return false;
  return selection.where === null || matchesMemoryFilter(selection.where, memory);
}

export function matchesMemoryFilter(node: MemoryFilterNode, memory: MemoryRecord): boolean {
  switch (node.kind) {
    case 'and':
      return node.nodes.every((child) => matchesMemoryFilter(child, memory));
    case 'or':
      return node.nodes.some((child) => matchesMemoryFilter(child, memory));
    case 'not':
      return !matchesMemoryFilter(node.node, memory);
    case 'oneOf': {
      const value = memory[node.field];
      return value !== null && node.values.includes(value);
    }
    case 'isNull':
      return (memory[node.field] === null) === node.isNull;
    case 'list': {
      const values = memory[node.field];
      return node.match === 'all'
        ? node.values.every((v) => values.includes(v))
        : node.values.some((v) => values.includes(v));
    }
    case 'number': {
      const value = memory[node.field];
      if (value === null) return false;
      return node.op === 'gte' ? value >= node.value : value <= node.value;
    }
    case 'date': {
      const value = memory[node.field].getTime();
      return node.op === 'gte' ? value >= node.value.getTime() : value <= node.value.getTime();
    }
    case 'textContains':
      return foldCase(memory.text).includes(foldCase(node.value));
    case 'metadata':
      return metadataMatches(at(memory.metadata, node.path), node.test);
    default: {
      const unreachable: never = node;
      throw new Error(`unknown filter node ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Case folding as the database does it: ASCII letters only (PostgreSQL's
 * lower() under the C locale the embedded database runs with), so the
 * in-memory evaluation and the SQL agree on every string.
 */
export function foldCase(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

function at(value: JsonValue | null | undefined, path: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = value ?? undefined;
  for (const segment of path) {
    if (Array.isArray(current)) {
      if (!/^-?\d+$/.test(segment)) return undefined;
      const index = Number(segment);
      current = current[index < 0 ? current.length + index : index];
    } else if (current !== null && typeof current === 'object') {
      current = Object.hasOwn(current, segment) ? current[segment] : undefined;
    } else {
      return undefined;
    }
  }
  return current;
}

function metadataMatches(value: JsonValue | undefined, test: MetadataTest): boolean {
  switch (test.op) {
    case 'eq':
      return value === test.value;
    case 'in':
      return test.values.some((candidate) => value === candidate);
    case 'gte':
    case 'lte': {
      if (typeof value !== typeof test.value || (typeof value !== 'number' && typeof value !== 'string')) return false;
      const ordered = compare(value, test.value);
      return test.op === 'gte' ? ordered >= 0 : ordered <= 0;
    }
    case 'contains':
      if (typeof value === 'string')
        return typeof test.value === 'string' && foldCase(value).includes(foldCase(test.value));
      return Array.isArray(value) && value.some((element) => element === test.value);
    default: {
      const unreachable: never = test;
      throw new Error(`unknown metadata test ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Numbers numerically, strings by code point (as PostgreSQL's "C" collation orders UTF-8). */
function compare(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const left = [...String(a)].map((c) => c.codePointAt(0)!);
  const right = [...String(b)].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(left.length, right.length); i++) if (left[i] !== right[i]) return left[i]! - right[i]!;
  return left.length - right.length;
}

// ------------------------------------------------------------------ scope hints

/**
 * The agentId/runId values every selected memory must have, read from the
 * tree's top-level conjunction (null: any). A search uses them to ask the
 * vector index for the right scope first; the filter is still applied in full.
 */
export function scopeHint(node: MemoryFilterNode | null, field: ScopeField): (string | null)[] | null {
  if (node === null) return null;
  const conjuncts = node.kind === 'and' ? node.nodes : [node];
  let allowed: (string | null)[] | null = null;
  const narrow = (values: (string | null)[]) => {
    allowed = allowed === null ? values : allowed.filter((v) => values.includes(v));
  };
  for (const conjunct of conjuncts) {
    if (conjunct.kind === 'oneOf' && conjunct.field === field) narrow(conjunct.values);
    else if (conjunct.kind === 'isNull' && conjunct.field === field && conjunct.isNull) narrow([null]);
    else if (conjunct.kind === 'and') {
      const inner = scopeHint(conjunct, field);
      if (inner) narrow(inner);
    }
  }
  return allowed;
}
