// The guard that stops an operation's resolvers after its deadline or once
// its answer is too big, on a small schema with a clock the test moves.

import { execute, GraphQLList, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { RequestGuards } from '../../src/server/request-guard.js';

function schemaWith(onResolve: (name: string) => void): GraphQLSchema {
  const item = new GraphQLObjectType({
    name: 'Item',
    fields: { text: { type: GraphQLString, resolve: (source: { text: string }) => source.text } },
  });
  return new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        items: {
          type: new GraphQLList(item),
          resolve: () => {
            onResolve('items');
            return Array.from({ length: 5 }, (_, i) => ({ text: `${i}`.repeat(100) }));
          },
        },
        later: {
          type: GraphQLString,
          resolve: () => {
            onResolve('later');
            return 'x';
          },
        },
      },
    }),
  });
}

describe('RequestGuards', () => {
  it('stops the fields that would resolve after the deadline', async () => {
    let now = 0;
    const resolved: string[] = [];
    const guards = new RequestGuards({ deadlineMs: 1_000, maxResponseBytes: 1_000_000 }, () => now);
    const schema = schemaWith((name) => {
      resolved.push(name);
      if (name === 'items') now = 5_000; // the first field takes past the deadline
    });
    guards.guardSchema(schema);
    const contextValue = {};
    guards.start(contextValue);
    const result = await execute({ schema, document: parse('{ items { text } later }'), contextValue });
    expect(resolved).toEqual(['items']);
    expect(result.errors?.map((error) => error.extensions.code)).toContain('TIMEOUT');
  });

  it('stops once the text resolved so far is over the cap', async () => {
    const guards = new RequestGuards({ deadlineMs: 60_000, maxResponseBytes: 250 });
    const schema = schemaWith(() => {});
    guards.guardSchema(schema);
    const contextValue = {};
    guards.start(contextValue);
    const result = await execute({ schema, document: parse('{ items { text } }'), contextValue });
    expect(result.errors?.[0]?.extensions.code).toBe('RESPONSE_TOO_LARGE');
  });

  it('leaves operations without a guard (subscriptions) alone', async () => {
    const guards = new RequestGuards({ deadlineMs: 1, maxResponseBytes: 10 });
    const schema = schemaWith(() => {});
    guards.guardSchema(schema);
    const result = await execute({ schema, document: parse('{ items { text } later }'), contextValue: {} });
    expect(result.errors).toBeUndefined();
  });
});
