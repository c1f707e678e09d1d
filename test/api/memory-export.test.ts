// Structured exports over GraphQL on the default stack (PGlite, offline
// filler): a schema is filled and validated, the job is a row that can be
// polled, an invalid schema is BAD_USER_INPUT naming the path, and another
// project sees nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateMemoryDocument,
  CreateMemoryExportDocument,
  CreateUserDocument,
  GetMemoryExportDocument,
} from '../generated/graphql.js';
import { createProjectClient, startTestApp, type TestApp } from '../helpers/test-app.js';

const CONTACT = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['fullName', 'email'],
  additionalProperties: false,
  properties: {
    fullName: { type: 'string' },
    email: { type: ['string', 'null'], format: 'email' },
    city: { type: 'string' },
    jobTitle: { type: 'string' },
    allergies: { type: 'array', items: { type: 'string' } },
  },
};

describe('createMemoryExport / memoryExport', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await t.admin.ok(CreateUserDocument, { input: { id: 'dana' } });
    for (const [text, topic, subTopic] of [
      ['Name is Dana Whitfield', 'basic_info', 'name'],
      ['Lives in Porto', 'basic_info', 'location'],
      ['Works as a pediatric nurse', 'work', 'title'],
      ['Is allergic to peanuts', 'health', 'allergies'],
    ] as const)
      await t.admin.ok(CreateMemoryDocument, { userId: 'dana', input: { text, topic, subTopic } });
  }, 120_000);
  afterAll(async () => t?.destroy());

  it('fills the schema offline and finishes with a valid result', async () => {
    const { createMemoryExport: job } = await t.admin.ok(CreateMemoryExportDocument, {
      userId: 'dana',
      schema: CONTACT,
      wait: true,
    });
    expect(job).toMatchObject({
      status: 'FINISHED',
      attempts: 1,
      errors: [],
      usage: null,
      result: {
        fullName: 'Dana Whitfield',
        email: null,
        city: 'Porto',
        jobTitle: 'pediatric nurse',
        allergies: ['peanuts'],
      },
    });
    expect(job.finishedAt).toBeTruthy();
  });

  it('runs in the background and is polled by id; another project gets null', async () => {
    const { createMemoryExport: job } = await t.admin.ok(CreateMemoryExportDocument, {
      userId: 'dana',
      schema: CONTACT,
      filter: { topic: { eq: 'health' } },
    });
    expect(['PENDING', 'RUNNING', 'FINISHED']).toContain(job.status);
    let status = job.status;
    for (let i = 0; i < 100 && status !== 'FINISHED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await t.admin.ok(GetMemoryExportDocument, { id: job.id })).memoryExport!.status;
    }
    const done = (await t.admin.ok(GetMemoryExportDocument, { id: job.id })).memoryExport!;
    expect(done).toMatchObject({ status: 'FINISHED', result: { fullName: '', email: null, allergies: ['peanuts'] } });
    const other = await createProjectClient(t, 'exports-other');
    expect((await other.client.ok(GetMemoryExportDocument, { id: job.id })).memoryExport).toBeNull();
    expect(await other.client.fails(CreateMemoryExportDocument, { userId: 'dana', schema: CONTACT })).toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
  });

  it('refuses an invalid schema with BAD_USER_INPUT naming the path', async () => {
    const error = await t.admin.fails(CreateMemoryExportDocument, {
      userId: 'dana',
      schema: { type: 'object', properties: { age: { type: 'integr' } } },
    });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'schema.properties.age.type' });
  });
});
