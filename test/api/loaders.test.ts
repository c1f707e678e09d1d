// DataLoaders keep list queries to a bounded number of SQL statements,
// whatever the number of rows: no N+1 through nested fields.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateMemoryDocument,
  CreateUserDocument,
  InsertBlobDocument,
  UsersWithBlobsDocument,
  UsersWithCountsDocument,
} from '../generated/graphql.js';
import { createProjectClient, startTestApp, type TestApp } from '../helpers/test-app.js';
import type { GraphQLClient } from '../helpers/graphql-client.js';

describe('DataLoader batching', () => {
  let t: TestApp;
  let small: GraphQLClient;
  let large: GraphQLClient;

  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } });
    small = (await createProjectClient(t, 'five-users')).client;
    large = (await createProjectClient(t, 'fifty-users')).client;
    const fill = async (client: GraphQLClient, users: number) => {
      for (let i = 0; i < users; i++) {
        await client.ok(CreateUserDocument, { input: { id: `u${i}` } });
        for (const summary of ['first', 'second'])
          await client.ok(InsertBlobDocument, {
            userId: `u${i}`,
            input: { summary: { summary: `${summary} note of u${i}` }, agentId: `agent-${i % 3}`, runId: `run-${i}` },
          });
        await client.ok(CreateMemoryDocument, {
          userId: `u${i}`,
          input: { text: `fact of u${i}`, agentId: `agent-${i % 3}` },
        });
      }
    };
    await fill(small, 5);
    await fill(large, 50);
    await t.app.indexer.drain();
  }, 300_000);
  afterAll(async () => t?.destroy());

  // The request's own statements: background work (the indexer's poll, the
  // buffer and expiry sweeps, a key's lastUsedAt written at most once a
  // minute) landing during the request is not counted
  // (AppStats.requestSqlQueries). Counting every statement sent meanwhile
  // made these comparisons flaky on a loaded machine, where a request lasts
  // long enough to overlap a poll.
  const statementsFor = async (client: GraphQLClient) => {
    const requestId = `loaders-${randomUUID()}`;
    const { users } = await client
      .withHeaders({ 'x-request-id': requestId })
      .ok(UsersWithBlobsDocument, { first: 50, blobsFirst: 10 });
    return { statements: t.app.stats.requestSqlQueries(requestId), users };
  };

  it("lists 50 users with their blobs and each blob's user in a bounded number of statements", async () => {
    const { statements, users } = await statementsFor(large);
    expect(users.edges).toHaveLength(50);
    expect(
      users.edges.every(
        (edge) =>
          edge.node.blobs.totalCount === 2 && edge.node.blobs.edges.every((blob) => blob.node.user.id === edge.node.id),
      ),
    ).toBe(true);
    // key lookup, users page + count, blob pages + counts, blob owners
    expect(statements).toBeGreaterThan(0);
    expect(statements).toBeLessThanOrEqual(8);
  });

  it('costs the same for 5 users as for 50', async () => {
    const five = await statementsFor(small);
    const fifty = await statementsFor(large);
    expect(five.users.edges).toHaveLength(5);
    expect(fifty.statements).toBe(five.statements);
  });

  const countsStatementsFor = async (client: GraphQLClient) => {
    const requestId = `loaders-counts-${randomUUID()}`;
    const { users } = await client
      .withHeaders({ 'x-request-id': requestId })
      .ok(UsersWithCountsDocument, { first: 50 });
    return { statements: t.app.stats.requestSqlQueries(requestId), users };
  };

  it('lists users with memoryCount, blobCount, agents and runs in the same number of statements for 5 or 50', async () => {
    const five = await countsStatementsFor(small);
    const fifty = await countsStatementsFor(large);
    expect(fifty.users.edges).toHaveLength(50);
    expect(fifty.users.edges[7]!.node).toEqual({
      id: fifty.users.edges[7]!.node.id,
      memoryCount: 1,
      blobCount: 2,
      agents: [{ id: expect.stringMatching(/^agent-/), memoryCount: 1, blobCount: 2 }],
      runs: [{ id: expect.stringMatching(/^run-/), memoryCount: 0, blobCount: 2 }],
    });
    // users page + count, then one statement per counted field
    expect(fifty.statements).toBeGreaterThan(0);
    expect(fifty.statements).toBeLessThanOrEqual(8);
    expect(fifty.statements).toBe(five.statements);
  });
});
