// MemoryExportService on the in-memory fakes: the offline filler end to end,
// schema checks naming the path, project isolation, resuming a job a dead
// process left; and the LLM filler through the real chat client against the
// scripted OpenAI-compatible server: a valid answer, an invalid answer fixed
// on the retry (the errors are fed back), and an answer that never validates.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BadInputError } from '../../../src/domain/errors.js';
import type { JsonObject, UserRecord } from '../../../src/domain/types.js';
import { OpenAiChatClient } from '../../../src/infra/http/openai-chat.client.js';
import { LlmStructuredFiller } from '../../../src/infra/structured/llm.filler.js';
import { type ScriptedLlmServer, startScriptedLlmServer } from '../../fakes/scripted-llm-server.js';
import { createTestDomain, type TestDomain } from '../../fakes/test-domain.js';

const SCHEMA: JsonObject = {
  type: 'object',
  required: ['name', 'allergies'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    city: { type: 'string' },
    allergies: { type: 'array', items: { type: 'string' } },
    vegetarian: { type: 'boolean' },
  },
};

async function seed(domain: TestDomain): Promise<UserRecord> {
  const user = await domain.newUser('dana');
  for (const [text, topic, subTopic] of [
    ['Name is Dana Whitfield', 'basic_info', 'name'],
    ['Lives in Porto', 'basic_info', 'location'],
    ['Is allergic to peanuts', 'health', 'allergies'],
    ['Is allergic to shellfish', 'health', 'allergies'],
    ['Is vegetarian', 'food', 'diet'],
  ]) {
    await domain.services.memoryEdits.create(user, { text: text!, topic: topic!, subTopic: subTopic! });
    await new Promise((resolve) => setTimeout(resolve, 2)); // distinct createdAt: list items keep this order
  }
  return user;
}

describe('MemoryExportService (offline filler)', () => {
  let domain: TestDomain;
  let user: UserRecord;
  beforeEach(async () => {
    domain = await createTestDomain();
    user = await seed(domain);
  });
  afterEach(async () => domain.stop());

  it('fills the schema from the memories and finishes with a valid result', async () => {
    const job = await domain.services.memoryExports.create(user, { schema: SCHEMA }, true);
    expect(job).toMatchObject({
      status: 'FINISHED',
      attempts: 1,
      errors: [],
      usage: null,
      result: { name: 'Dana Whitfield', city: 'Porto', allergies: ['peanuts', 'shellfish'], vegetarian: true },
    });
    expect(job.finishedAt).toBeInstanceOf(Date);
    expect(await domain.services.memoryExports.find(domain.admin, job.id)).toEqual(job);
  });

  it('applies the filter', async () => {
    const job = await domain.services.memoryExports.create(
      user,
      { schema: SCHEMA, filter: { topic: { eq: 'health' } } },
      true,
    );
    expect(job.result).toEqual({ name: '', allergies: ['peanuts', 'shellfish'] });
  });

  it('runs in the background without wait, and is not visible to another project', async () => {
    const job = await domain.services.memoryExports.create(user, { schema: SCHEMA });
    expect(job.status).toBe('PENDING');
    await domain.services.memoryExports.stop();
    expect((await domain.services.memoryExports.find(domain.admin, job.id))?.status).toBe('FINISHED');
    const other = await domain.newProject('other');
    expect(await domain.services.memoryExports.find(other, job.id)).toBeNull();
    expect(await domain.services.memoryExports.find(domain.admin, 'not-a-uuid')).toBeNull();
  });

  it('resumes a job left RUNNING by a dead process once its lease has passed', async () => {
    const row = await domain.repos.memoryExports.create({
      projectId: user.projectId,
      userPk: user.pk,
      schema: SCHEMA,
      instructions: null,
      filter: null,
    });
    await domain.repos.memoryExports.claim(row.id, 1, new Date(Date.now() - 60_000));
    expect(await domain.services.memoryExports.resume()).toBe(1);
    await domain.services.memoryExports.stop();
    expect((await domain.services.memoryExports.find(domain.admin, row.id))?.status).toBe('FINISHED');
  });

  it('refuses an invalid schema, naming the path inside it', async () => {
    const fieldOf = async (schema: unknown) => {
      const error = await domain.services.memoryExports.create(user, { schema }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadInputError);
      return (error as BadInputError).field;
    };
    expect(await fieldOf({ type: 'object', properties: { age: { type: 'integr' } } })).toBe(
      'schema.properties.age.type',
    );
    expect(await fieldOf({ type: 'object', required: 'name' })).toBe('schema.required');
    expect(await fieldOf({ $ref: '#/$defs/missing' })).toBe('schema');
    expect(await fieldOf([1, 2])).toBe('schema');
  });
});

describe('MemoryExportService (LLM filler, scripted server)', () => {
  let domain: TestDomain;
  let llm: ScriptedLlmServer;
  let user: UserRecord;
  beforeEach(async () => {
    llm = await startScriptedLlmServer();
    domain = await createTestDomain({
      filler: new LlmStructuredFiller(new OpenAiChatClient({ baseUrl: llm.url, model: 'scripted', maxRetries: 0 })),
    });
    user = await seed(domain);
  });
  afterEach(async () => {
    await domain.stop();
    await llm.stop();
  });

  const VALID = { name: 'Dana Whitfield', allergies: ['peanuts', 'shellfish'] };

  it('finishes with a valid first answer; the prompt holds the schema, the instructions and the memories', async () => {
    llm.enqueue({ json: VALID, usage: { prompt_tokens: 120, completion_tokens: 20 } });
    const job = await domain.services.memoryExports.create(
      user,
      { schema: SCHEMA, instructions: 'Use the full name.' },
      true,
    );
    expect(job).toMatchObject({ status: 'FINISHED', result: VALID, attempts: 1, errors: [] });
    expect(job.usage).toEqual({ promptTokens: 120, completionTokens: 20, calls: 1 });
    const prompt = llm.requests[0]!.promptText;
    expect(prompt).toContain(JSON.stringify(SCHEMA));
    expect(prompt).toContain('Use the full name.');
    expect(prompt).toContain('[health/allergies] Is allergic to shellfish');
  });

  it('retries an invalid answer with its validation errors, and finishes when it is fixed', async () => {
    llm.enqueue(
      { json: { name: 'Dana', allergies: 'peanuts', age: 34 }, usage: { prompt_tokens: 100, completion_tokens: 10 } },
      { raw: `\`\`\`json\n${JSON.stringify(VALID)}\n\`\`\``, usage: { prompt_tokens: 150, completion_tokens: 12 } },
    );
    const job = await domain.services.memoryExports.create(user, { schema: SCHEMA }, true);
    expect(job).toMatchObject({ status: 'FINISHED', result: VALID, attempts: 2 });
    expect(job.usage).toEqual({ promptTokens: 250, completionTokens: 22, calls: 2 });
    const retry = llm.requests[1]!.promptText;
    expect(retry).toContain('/allergies: must be array');
    expect(retry).toContain('must NOT have additional properties (age)');
  });

  it('fails after three answers that never validate, with the last errors', async () => {
    llm.enqueue({ json: { allergies: [] } }, { raw: 'I cannot help with that.' }, { json: { name: 7, allergies: [] } });
    const job = await domain.services.memoryExports.create(user, { schema: SCHEMA }, true);
    expect(job).toMatchObject({ status: 'FAILED', result: null, attempts: 3, errors: ['/name: must be string'] });
    expect(llm.requests).toHaveLength(3);
    expect(llm.requests[2]!.promptText).toContain('/: must be object');
  });

  it('fails with the reason when the endpoint fails', async () => {
    llm.enqueue({ status: 400, errorMessage: 'model not found' });
    const job = await domain.services.memoryExports.create(user, { schema: SCHEMA }, true);
    expect(job.status).toBe('FAILED');
    expect(job.errors[0]).toContain('400');
  });
});
