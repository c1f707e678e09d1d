// User.context (ContextService) on the in-memory fakes with the real
// o200k_base tokenizer: the text never exceeds maxTokens by that count, over
// many budgets and every format; priority (query, profile, events); the
// JSON form validates against its documented schema; bad arguments name the
// argument.

import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTEXT_JSON_SCHEMA } from '../../../src/domain/context/context.render.js';
import type { ContextFormat } from '../../../src/domain/context/context.service.js';
import { DEFAULT_PROFILE_CONFIG } from '../../../src/domain/profile/default-profile.js';
import { BadInputError } from '../../../src/domain/errors.js';
import type { UserRecord } from '../../../src/domain/types.js';
import { createTestDomain, type TestDomain } from '../../fakes/test-domain.js';

let domain: TestDomain;
let user: UserRecord;

const FACTS: [string, string, string, number | null][] = [
  ['Is called Dana Whitfield', 'basic_info', 'name', 0.9],
  ['Lives in Lisbon, Portugal', 'basic_info', 'location', 0.7],
  ['Is severely allergic to peanuts', 'health', 'allergy', 1],
  ['Takes vitamin D every morning', 'health', 'medication', null],
  ['Works as a pediatric nurse at Santa Maria hospital', 'work', 'title', 0.6],
  ['Plays the cello in a community orchestra on Thursdays', 'interest', 'music', 0.4],
  ['Has a golden retriever named Biscuit', 'life_event', 'pets', 0.5],
  ['Prefers window seats on long flights', 'travel', 'seating', null],
  ['Is vegetarian and avoids fish', 'food', 'diet', 0.8],
  ['Is learning Japanese for a trip to Kyoto next spring', 'education', 'languages', 0.3],
];

beforeEach(async () => {
  domain = await createTestDomain();
  user = await domain.newUser('dana');
  for (const [text, topic, subTopic, importance] of FACTS)
    await domain.services.memoryEdits.create(user, { text, topic, subTopic, importance });
  for (let i = 0; i < 20; i++)
    await domain.services.memoryEdits.create(user, {
      text: `Note ${i}: mentioned a detail about the weekend plans with friends number ${i}`,
      topic: 'notes',
      subTopic: `n${i % 3}`,
    });
  for (const summary of ['Talked about a trip to Kyoto', 'Discussed an allergy at dinner', 'Planned a concert']) {
    domain.extractor.enqueue({ operations: [], summary, tags: ['chat'] });
    await domain.services.blobs.insert(user, { chat: { messages: [{ role: 'user', content: summary }] } });
    await domain.services.buffer.flushAndWait({ userPk: user.pk, projectId: user.projectId });
    await new Promise((resolve) => setTimeout(resolve, 3)); // events one after another, not in the same millisecond
  }
  await domain.indexer.drain();
});
afterEach(async () => domain.stop());

const FORMATS: ContextFormat[] = ['MARKDOWN', 'TEXT', 'JSON'];

describe('ContextService', () => {
  it('never exceeds maxTokens by the o200k_base count, for every budget from 1 to 700 and every format', async () => {
    for (const format of FORMATS) {
      for (let maxTokens = 1; maxTokens <= 700; maxTokens += maxTokens < 60 ? 1 : 17) {
        const context = await domain.services.context.build(user, { maxTokens, format, query: 'food allergies' });
        const tokens = countTokens(context.text);
        expect(tokens, `${format} at ${maxTokens}`).toBeLessThanOrEqual(maxTokens);
        expect(context.tokens).toBe(tokens);
        if (format === 'JSON') expect(() => JSON.parse(context.text)).not.toThrow();
      }
    }
  });

  it('uses more of a larger budget and says when something was left out', async () => {
    const sizes = [30, 120, 400, 5000];
    const contexts = await Promise.all(sizes.map((maxTokens) => domain.services.context.build(user, { maxTokens })));
    const held = contexts.map((c) => c.memories.length + c.events.length);
    for (let i = 1; i < held.length; i++) expect(held[i]).toBeGreaterThanOrEqual(held[i - 1]!);
    expect(contexts[0]!.truncated).toBe(true);
    expect(contexts[3]!.truncated).toBe(false);
    expect(contexts[3]!.memories).toHaveLength(30);
    expect(contexts[3]!.events.map((e) => e.summary)).toEqual([
      'Talked about a trip to Kyoto',
      'Discussed an allergy at dinner',
      'Planned a concert',
    ]);
    for (const memory of contexts[3]!.memories) expect(contexts[3]!.text).toContain(memory.text);
  });

  it('puts the memories relevant to the query first, then the profile by topic, then events', async () => {
    const context = await domain.services.context.build(user, { maxTokens: 5000, query: 'peanuts allergy' });
    const text = context.text;
    expect(text.indexOf('## Relevant memories')).toBe(0);
    expect(text.indexOf('## Relevant memories')).toBeLessThan(text.indexOf('## Profile'));
    expect(text.indexOf('## Profile')).toBeLessThan(text.indexOf('## Recent events'));
    expect(context.memories[0]!.text).toBe('Is severely allergic to peanuts');
    // A memory is shown once: the relevant ones are not repeated in the profile.
    expect(text.split('Is severely allergic to peanuts')).toHaveLength(2);
    expect(new Set(context.memories.map((m) => m.id)).size).toBe(context.memories.length);
    // Topics in the project's order, then others by name.
    const headings = [...text.matchAll(/^### (.+)$/gm)].map((m) => m[1]!);
    const order = DEFAULT_PROFILE_CONFIG.topics.map((t) => t.name);
    const rank = (topic: string) => (order.includes(topic) ? order.indexOf(topic) : order.length);
    expect(headings.length).toBeGreaterThan(3);
    expect(headings).toEqual([...headings].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1)));
  });

  it('keeps the most important profile entries when the budget is small', async () => {
    const context = await domain.services.context.build(user, { maxTokens: 40, include: ['PROFILE'] });
    expect(context.truncated).toBe(true);
    expect(context.memories.map((m) => m.text)).toContain('Is severely allergic to peanuts');
    expect(context.memories.map((m) => m.text)).not.toContain('Takes vitamin D every morning');
  });

  it('narrows to topics and the filter, and leaves out parts not included', async () => {
    const health = await domain.services.context.build(user, { topics: ['health'], include: ['PROFILE'] });
    expect(health.memories.map((m) => m.topic)).toEqual(['health', 'health']);
    expect(health.events).toEqual([]);
    expect(health.text).toBe(
      '## Profile\n### health\n- allergy: Is severely allergic to peanuts\n- medication: Takes vitamin D every morning',
    );
    const important = await domain.services.context.build(user, {
      filter: { importance: { gte: 0.8 } },
      include: ['MEMORIES'],
      format: 'TEXT',
    });
    expect(important.memories.map((m) => m.text)).toEqual([
      'Is severely allergic to peanuts',
      'Is called Dana Whitfield',
      'Is vegetarian and avoids fish',
    ]);
    expect(important.text.startsWith('Relevant memories:\nIs severely allergic to peanuts (health, allergy)')).toBe(
      true,
    );
    const events = await domain.services.context.build(user, { include: ['EVENTS'], format: 'TEXT' });
    expect(events.memories).toEqual([]);
    expect(events.text.split('\n').slice(1)).toHaveLength(3);
  });

  it('writes JSON that validates against the documented schema', async () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(CONTEXT_JSON_SCHEMA);
    for (const maxTokens of [1, 20, 80, 300, 5000]) {
      for (const query of [null, 'cello']) {
        const context = await domain.services.context.build(user, { maxTokens, query, format: 'JSON' });
        const parsed: unknown = JSON.parse(context.text);
        expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true);
      }
    }
    const full = JSON.parse((await domain.services.context.build(user, { maxTokens: 5000, format: 'JSON' })).text);
    expect(Object.keys(full)).toEqual(['profile', 'events']);
    expect(full.profile[0]).toMatchObject({
      topic: 'basic_info',
      entries: [{ subTopic: 'name' }, { subTopic: 'location' }],
    });
  });

  it('answers an empty user with an empty text', async () => {
    const empty = await domain.newUser('empty');
    for (const format of FORMATS) {
      const context = await domain.services.context.build(empty, { format, query: 'anything' });
      expect(context).toMatchObject({ memories: [], events: [], truncated: false });
      expect(context.text).toBe(format === 'JSON' ? '{}' : '');
    }
  });

  it('names a bad argument', async () => {
    const fieldOf = async (request: Parameters<typeof domain.services.context.build>[1]) => {
      const error = await domain.services.context.build(user, request).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadInputError);
      return (error as BadInputError).field;
    };
    expect(await fieldOf({ maxTokens: 0 })).toBe('maxTokens');
    expect(await fieldOf({ maxTokens: 40_000 })).toBe('maxTokens');
    expect(await fieldOf({ topics: ['health', ''] })).toBe('topics[1]');
    expect(await fieldOf({ filter: { importance: { gte: 'high' } } })).toMatch(/^filter/);
  });
});
