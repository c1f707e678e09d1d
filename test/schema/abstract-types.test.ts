// One operation that selects every field of every member of every union and
// interface, with no aliases, must validate: a client (GraphiQL, Apollo, the
// README) can then ask for all members at once and never meet
// `Fields "x" conflict because they return conflicting types`.

import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  buildSchema,
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  parse,
  validate,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMemqlSchema } from '../../src/schema/index.js';

/** How deep the walk goes below a root field; deep enough to reach every abstract type from Query. */
const MAX_DEPTH = 6;

class OperationWriter {
  readonly reachedAbstract = new Set<string>();

  constructor(private readonly schema: GraphQLSchema) {}

  /** The selection set of a composite type: every field, and every member of an abstract type. */
  selection(type: GraphQLNamedType, path: readonly string[], depth: number): string {
    if (isAbstractType(type)) {
      this.reachedAbstract.add(type.name);
      const inner = path.includes(type.name) || depth >= MAX_DEPTH;
      const members = this.schema.getPossibleTypes(type);
      const common = isInterfaceType(type) ? this.fields(type, [...path, type.name], depth) : '';
      const fragments = inner
        ? []
        : members.map((member) => `... on ${member.name} { ${this.fields(member, [...path, type.name], depth)} }`);
      return `__typename ${common} ${fragments.join(' ')}`;
    }
    return this.fields(type as GraphQLObjectType, path, depth);
  }

  private fields(type: GraphQLObjectType | GraphQLNamedType, path: readonly string[], depth: number): string {
    if (!isObjectType(type) && !isInterfaceType(type)) return '__typename';
    const parts: string[] = ['__typename'];
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      const args = this.arguments(field);
      if (isLeafType(named)) {
        parts.push(`${field.name}${args}`);
        continue;
      }
      const below = [...path, type.name];
      if (below.includes(named.name) && !isAbstractType(named)) continue; // a cycle: already selected above
      if (depth >= MAX_DEPTH) continue;
      parts.push(`${field.name}${args} { ${this.selection(named, below, depth + 1)} }`);
    }
    return parts.join(' ');
  }

  /** Literal values for the required arguments (the same literal for the same argument everywhere). */
  private arguments(field: GraphQLField<unknown, unknown>): string {
    const required = field.args.filter(
      (arg: GraphQLArgument) => isNonNullType(arg.type) && arg.defaultValue === undefined,
    );
    if (required.length === 0) return '';
    return `(${required.map((arg) => `${arg.name}: ${literal(arg.type)}`).join(', ')})`;
  }
}

function literal(type: GraphQLInputType): string {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return `[${literal(nullable.ofType)}]`;
  if (isEnumType(nullable)) return nullable.getValues()[0]!.name;
  if (isInputObjectType(nullable)) {
    const fields = Object.values(nullable.getFields()).filter(
      (f) => isNonNullType(f.type) && f.defaultValue === undefined,
    );
    return `{ ${fields.map((f) => `${f.name}: ${literal(f.type)}`).join(', ')} }`;
  }
  if (isScalarType(nullable)) {
    switch (nullable.name) {
      case 'Int':
        return '1';
      case 'Float':
        return '1.5';
      case 'Boolean':
        return 'true';
      case 'DateTime':
        return '"2026-01-01T00:00:00.000Z"';
      case 'JSON':
        return '{}';
      default:
        return '"x"';
    }
  }
  throw new Error(`no literal for ${String(type)}`);
}

/** Validates one document selecting everything; returns the errors and the abstract types it did and could reach. */
function selectEverything(schema: GraphQLSchema): { errors: string[]; reached: string[]; abstract: string[] } {
  const writer = new OperationWriter(schema);
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
    (root): root is GraphQLObjectType => Boolean(root),
  );
  const documents = roots.map((root) => {
    const keyword =
      root === schema.getQueryType() ? 'query' : root === schema.getMutationType() ? 'mutation' : 'subscription';
    // A subscription operation has exactly one root field: one operation per field.
    const fields = Object.values(root.getFields());
    if (keyword !== 'subscription') return `${keyword} Every${root.name} { ${writer.selection(root, [], 0)} }`;
    return fields
      .map((field) => {
        const named = getNamedType(field.type);
        const args = field.args.filter((a) => isNonNullType(a.type));
        const argText = args.length ? `(${args.map((a) => `${a.name}: ${literal(a.type)}`).join(', ')})` : '';
        return `subscription Every_${field.name} { ${field.name}${argText} { ${writer.selection(named, [root.name], 1)} } }`;
      })
      .join('\n');
  });

  const errors = validate(schema, parse(documents.join('\n')));
  const abstract = Object.values(schema.getTypeMap())
    .filter((type) => !type.name.startsWith('__') && (isUnionType(type) || isInterfaceType(type)))
    .map((type) => type.name)
    .sort();
  return { errors: errors.map((error) => error.message), reached: [...writer.reachedAbstract].sort(), abstract };
}

describe('unions and interfaces', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildMemqlSchema();
  });

  it('every member of every union and interface can be selected in one operation without aliases', () => {
    const { errors, reached, abstract } = selectEverything(schema);
    expect(errors).toEqual([]);
    expect(abstract).toEqual(expect.arrayContaining(['Blob', 'Hit']));
    expect(reached).toEqual(abstract);
  });

  it('the check finds a conflict when two members reuse a field name with another type', () => {
    const conflicting = buildSchema(`
      union Hit = TextSpanHit | TimeSpanHit
      type TextSpanHit { start: Int! }
      type TimeSpanHit { start: Float! }
      type Query { hits: [Hit!]! }
    `);
    const { errors } = selectEverything(conflicting);
    expect(errors.join('\n')).toMatch(
      /Fields "start" conflict because they return conflicting types "Int!" and "Float!"/,
    );
  });

  it('the Hit members expose transcript times as startSeconds/endSeconds (Float) beside text offsets start/end (Int)', () => {
    const text = schema.getType('TextSpanHit') as GraphQLObjectType;
    const time = schema.getType('TimeSpanHit') as GraphQLObjectType;
    expect(String(text.getFields().start!.type)).toBe('Int!');
    expect(String(time.getFields().startSeconds!.type)).toBe('Float!');
    expect(time.getFields().start).toBeUndefined();
  });
});
