// One suite for every Extractor implementation: the offline rules, an LLM
// behind the scripted OpenAI-compatible server, and the scripted fake. Call
// it from a test file:
//
//   extractorContract('rules', async () => ({ extractor, script: () => {}, dispose }));
//
// Properties every extractor holds, whatever it reads or is told by a model:
// operations name only memories it was shown, change one memory at most once,
// stay inside a strict profile's slots, carry non-empty facts, and nothing is
// extracted from an empty batch. Where a model decides (an LLM, the scripted
// fake), `script` gives the answers a model sends, in order, for the next
// `extract` call; the rules ignore it. Some scripts are adversarial (an
// invented memory id, a slot outside a strict profile): the extractor must
// then repair the answer or refuse it with an error, never pass it on.
//
// Behaviour that belongs to a good model (no memory from a question, a
// correction becomes an UPDATE) is asserted too; for scripted extractors the
// script plays the good model, so those tests check that the adapter adds
// nothing and loses nothing on the way.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Extractor } from '../../src/domain/ports.js';
import type {
  ChatMessage,
  ExistingMemory,
  ExtractionInput,
  ExtractionResult,
  MemoryOperation,
  ProfileConfig,
} from '../../src/domain/types.js';

/** What a model answers (the JSON object of the extraction prompt). */
export interface ModelAnswer {
  operations: Record<string, unknown>[];
  summary?: string;
  tags?: string[];
}

export interface ExtractorFixture {
  extractor: Extractor;
  /** The model's answers to the next extract call, in order of its attempts (ignored by the rules). */
  script(answers: ModelAnswer[]): void;
  dispose(): Promise<void>;
}

const OPEN_PROFILE: ProfileConfig = {
  strict: false,
  blobTokenCap: 3_000_000,
  topics: [
    {
      name: 'basic_info',
      description: 'Who the user is',
      subTopics: [
        { name: 'name', description: "The user's name", singleValued: true },
        { name: 'location', description: 'Where the user lives', singleValued: true },
      ],
    },
    {
      name: 'interests',
      description: 'What the user likes doing',
      subTopics: [{ name: 'hobbies', description: 'Hobbies and pastimes', singleValued: false }],
    },
  ],
};

const STRICT_PROFILE: ProfileConfig = {
  strict: true,
  blobTokenCap: 3_000_000,
  topics: [OPEN_PROFILE.topics[0]!],
};

const CITY: ExistingMemory = { id: 'm-city', text: 'User lives in Lisbon.', topic: 'basic_info', subTopic: 'location' };
const CHESS: ExistingMemory = { id: 'm-chess', text: 'User plays chess.', topic: 'interests', subTopic: 'hobbies' };

const NOW = new Date('2025-03-04T12:00:00Z');
const user = (content: string): ChatMessage => ({ role: 'user', content, createdAt: NOW });

function input(messages: ChatMessage[], existing: ExistingMemory[] = [], profile = OPEN_PROFILE): ExtractionInput {
  return { messages, existing, profile, now: NOW };
}

const writes = (result: ExtractionResult) => result.operations.filter((op) => op.kind !== 'NONE');

/** The properties of any extractor's answer to `given`. */
export function expectHonest(result: ExtractionResult, given: ExtractionInput): void {
  const known = new Set(given.existing.map((memory) => memory.id));
  const changed = new Set<string>();
  expect(typeof result.summary).toBe('string');
  expect(result.tags.every((tag) => typeof tag === 'string')).toBe(true);
  if (result.usage) {
    expect(result.usage.promptTokens).toBeGreaterThanOrEqual(0);
    expect(result.usage.completionTokens).toBeGreaterThanOrEqual(0);
    expect(result.usage.calls).toBeGreaterThanOrEqual(1);
  }
  for (const op of result.operations) {
    const where = JSON.stringify(op);
    switch (op.kind) {
      case 'ADD':
      case 'UPDATE':
        expect(op.text.trim(), where).not.toBe('');
        expect(op.topic.trim(), where).not.toBe('');
        expect(op.subTopic.trim(), where).not.toBe('');
        expect(Array.isArray(op.categories), where).toBe(true);
        if (given.profile.strict) {
          const topic = given.profile.topics.find((t) => t.name === op.topic);
          expect(
            topic?.subTopics.map((s) => s.name),
            `${where} stays in the strict profile`,
          ).toContain(op.subTopic);
        }
        if (op.kind === 'ADD') break;
        expect(known, `${where} names a memory it was shown`).toContain(op.memoryId);
        expect(changed, `${where} changes a memory once`).not.toContain(op.memoryId);
        changed.add(op.memoryId);
        break;
      case 'DELETE':
        expect(known, `${where} names a memory it was shown`).toContain(op.memoryId);
        expect(changed, `${where} changes a memory once`).not.toContain(op.memoryId);
        changed.add(op.memoryId);
        break;
      case 'NONE':
        if (op.memoryId !== null) expect(known, `${where} names a memory it was shown`).toContain(op.memoryId);
        break;
      default: {
        const unreachable: never = op;
        throw new Error(`unknown operation ${JSON.stringify(unreachable)}`);
      }
    }
  }
}

/** The result, or the error the extractor refused the answer with. */
async function attempt(extractor: Extractor, given: ExtractionInput): Promise<ExtractionResult | Error> {
  return extractor.extract(given).catch((error: unknown) => {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  });
}

const add = (text: string, topic: string, subTopic: string) => ({ kind: 'ADD', text, topic, subTopic, categories: [] });
const update = (memoryId: string, text: string, topic: string, subTopic: string) => ({
  kind: 'UPDATE',
  memoryId,
  text,
  topic,
  subTopic,
  categories: [],
});

export function extractorContract(name: string, create: () => Promise<ExtractorFixture>): void {
  describe(`Extractor contract: ${name}`, () => {
    let fixture: ExtractorFixture;

    beforeEach(async () => {
      fixture = await create();
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    it('has a name', () => {
      expect(fixture.extractor.name.trim()).not.toBe('');
    });

    it('extracts nothing from an empty batch', async () => {
      const result = await fixture.extractor.extract(input([], [CITY]));
      expect(result.operations).toEqual([]);
    });

    it("extracts what the user states about themself, within the answer's rules", async () => {
      const given = input([user('My name is Ann and I live in Porto.')]);
      fixture.script([
        {
          operations: [
            add('User is called Ann.', 'basic_info', 'name'),
            add('User lives in Porto.', 'basic_info', 'location'),
          ],
          summary: 'Name and city.',
          tags: ['intro'],
        },
      ]);
      const result = await fixture.extractor.extract(given);
      expectHonest(result, given);
      const facts = writes(result)
        .map((op) => ('text' in op ? op.text : ''))
        .join(' ');
      expect(facts).toMatch(/Ann/);
      expect(facts).toMatch(/Porto/);
    });

    it('extracts no memory from questions', async () => {
      const given = input(
        [user("What's the weather like in Porto? Can you recommend a good restaurant near the river?")],
        [CITY],
      );
      fixture.script([{ operations: [], summary: 'The user asked for recommendations.' }]);
      const result = await fixture.extractor.extract(given);
      expectHonest(result, given);
      expect(writes(result)).toEqual([]);
    });

    it("takes nothing the assistant says as the user's facts", async () => {
      const given = input(
        [
          { role: 'assistant', content: 'Your name is Bob, you live in Paris and you love skiing.', createdAt: NOW },
          user('Thanks.'),
        ],
        [CITY],
      );
      fixture.script([{ operations: [] }]);
      const result = await fixture.extractor.extract(given);
      expectHonest(result, given);
      expect(writes(result)).toEqual([]);
    });

    it('turns a change of a single-valued fact into an UPDATE of that memory', async () => {
      const given = input([user('I moved to Berlin last month.')], [CITY, CHESS]);
      fixture.script([{ operations: [update('m-city', 'User lives in Berlin.', 'basic_info', 'location')] }]);
      const result = await fixture.extractor.extract(given);
      expectHonest(result, given);
      expect(writes(result)).toEqual([
        expect.objectContaining({ kind: 'UPDATE', memoryId: 'm-city', text: expect.stringMatching(/Berlin/) }),
      ]);
    });

    it('forgets what the user asks it to forget', async () => {
      const given = input([user('Please forget that I play chess.')], [CITY, CHESS]);
      fixture.script([{ operations: [{ kind: 'DELETE', memoryId: 'm-chess', reason: 'asked to forget' }] }]);
      const result = await fixture.extractor.extract(given);
      expectHonest(result, given);
      expect(
        result.operations.filter((op): op is Extract<MemoryOperation, { kind: 'DELETE' }> => op.kind === 'DELETE'),
      ).toEqual([expect.objectContaining({ memoryId: 'm-chess' })]);
      expect(writes(result).filter((op) => op.kind !== 'DELETE')).toEqual([]);
    });

    it('never passes on an operation on a memory it was not shown', async () => {
      const given = input([user('I moved to Berlin last month.')], [CITY]);
      fixture.script([
        { operations: [update('m-invented', 'User lives in Berlin.', 'basic_info', 'location')] },
        { operations: [update('m-city', 'User lives in Berlin.', 'basic_info', 'location')] },
      ]);
      const outcome = await attempt(fixture.extractor, given);
      if (outcome instanceof Error) expect(outcome.message).toMatch(/m-invented/);
      else expectHonest(outcome, given);
    });

    it('never changes one memory twice in one answer', async () => {
      const given = input([user('I moved to Berlin. Actually no, to Munich.')], [CITY]);
      fixture.script([
        {
          operations: [
            update('m-city', 'User lives in Berlin.', 'basic_info', 'location'),
            update('m-city', 'User lives in Munich.', 'basic_info', 'location'),
          ],
        },
        { operations: [update('m-city', 'User lives in Munich.', 'basic_info', 'location')] },
      ]);
      const outcome = await attempt(fixture.extractor, given);
      if (outcome instanceof Error) expect(outcome.message).toMatch(/m-city/);
      else expectHonest(outcome, given);
    });

    it("keeps a strict profile's slots, whatever the user talks about", async () => {
      const given = input([user('My name is Ann. I love rock climbing and I live in Porto.')], [], STRICT_PROFILE);
      fixture.script([
        {
          operations: [
            add('User is called Ann.', 'basic_info', 'name'),
            add('User loves rock climbing.', 'interests', 'hobbies'),
          ],
        },
        {
          operations: [
            add('User is called Ann.', 'basic_info', 'name'),
            add('User lives in Porto.', 'basic_info', 'location'),
          ],
        },
      ]);
      const outcome = await attempt(fixture.extractor, given);
      if (outcome instanceof Error) expect(outcome.message).toMatch(/interests/);
      else {
        expectHonest(outcome, given);
        expect(writes(outcome).length).toBeGreaterThan(0);
      }
    });
  });
}
