// A flush that waits for another worker's batch past its limit is an error
// with code TIMEOUT, not an empty answer that looks like "nothing pending".
// The real schema and error formatter run over the domain on in-memory fakes
// (the server waits lease + 60 s before giving up, too long for a live test).

import { execute, type GraphQLSchema, parse } from 'graphql';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../src/context.js';
import { createLogger } from '../../src/lib/logger.js';
import { createLoaders } from '../../src/loaders/loaders.js';
import { buildMemqlSchema } from '../../src/schema/index.js';
import { createErrorFormatter } from '../../src/server/format-error.js';
import { createTestDomain, type TestDomain } from '../fakes/test-domain.js';

const WAIT_MS = 150;
const log = createLogger('silent');
const formatError = createErrorFormatter(log);

let schema: GraphQLSchema;
let domain: TestDomain;

beforeAll(async () => {
  schema = await buildMemqlSchema();
});
afterEach(async () => {
  await domain?.stop();
});

async function run(source: string, variables: Record<string, unknown>) {
  const context: Context = {
    viewer: domain.admin,
    services: domain.services,
    loaders: createLoaders(domain.repos),
    log,
    requestId: 'test',
    notices: [],
  };
  const result = await execute({ schema, document: parse(source), variableValues: variables, contextValue: context });
  return { data: result.data, errors: (result.errors ?? []).map((error) => formatError(error.toJSON(), error)) };
}

/** A user whose batch another (stuck) worker holds. */
async function heldUser(): Promise<string> {
  domain = await createTestDomain({ scheduler: { waitTimeoutMs: WAIT_MS } });
  const user = await domain.newUser('held');
  await domain.services.blobs.insert(user, { summary: { summary: 'pending before the other worker took it' } });
  expect(await domain.repos.processing.claim(user.pk, 'stuck-worker', 60_000)).toBe(true);
  return user.id;
}

describe('flushing a buffer another worker holds', () => {
  it('flush(waitProcess: true) fails with TIMEOUT and says what happened', async () => {
    const userId = await heldUser();
    const { data, errors } = await run(
      'mutation ($userId: ID!) { flush(userId: $userId) { event { id } buffer { pendingBlobs } } }',
      { userId },
    );
    expect(data).toBeNull();
    expect(errors).toEqual([
      expect.objectContaining({
        path: ['flush'],
        message: expect.stringMatching(/^Another worker is processing this user's buffer .* within 150 ms/),
        extensions: { code: 'TIMEOUT', waitedMs: WAIT_MS },
      }),
    ]);
    expect(domain.extractor.calls).toHaveLength(0);
  });

  it('insertBlob(waitProcess: true) keeps the stored blob and puts the TIMEOUT on event', async () => {
    const userId = await heldUser();
    const { data, errors } = await run(
      `mutation ($userId: ID!) {
        insertBlob(userId: $userId, input: { summary: { summary: "inserted while held" } }, waitProcess: true) {
          blob { id type }
          event { id }
        }
      }`,
      { userId },
    );
    expect(data).toEqual({ insertBlob: { blob: { id: expect.any(String), type: 'SUMMARY' }, event: null } });
    expect(errors).toEqual([
      expect.objectContaining({ path: ['insertBlob', 'event'], extensions: { code: 'TIMEOUT', waitedMs: WAIT_MS } }),
    ]);
    const blobId = (data as { insertBlob: { blob: { id: string } } }).insertBlob.blob.id;
    const stored = await run('query ($id: ID!) { blob(id: $id) { id } }', { id: blobId });
    expect(stored).toEqual({ data: { blob: { id: blobId } }, errors: [] });
  });

  it('still answers event: null without an error when nothing is pending', async () => {
    domain = await createTestDomain({ scheduler: { waitTimeoutMs: WAIT_MS } });
    const user = await domain.newUser('idle');
    const { data, errors } = await run('mutation ($userId: ID!) { flush(userId: $userId) { event { id } } }', {
      userId: user.id,
    });
    expect(errors).toEqual([]);
    expect(data).toEqual({ flush: { event: null } });
  });
});
