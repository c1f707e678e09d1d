// An Extractor that answers from a script, for unit tests of what happens
// around extraction (the processor, the scheduler, decisions). Each call
// takes the next queued step (a result, an error to throw, or a function of
// the input); with nothing queued it uses the default responder, and without
// one it throws, so an unscripted call fails and says why.
//
// Like every extractor (test/contracts/extractor.contract.ts), it never
// returns an operation on a memory that is not among `input.existing`, two
// changes of one memory, or, under a strict profile, a fact outside the
// configured slots: a scripted answer that would is refused with an error
// naming the problem, as the LLM adapter refuses such a model answer. Tests
// of the guards behind the extractor pass `{ unchecked: true }`.
//
//   const extractor = new ScriptedExtractor();
//   extractor.enqueue({ operations: [add('User lives in Porto.', 'basic_info', 'location')] });

import type { Extractor } from '../../src/domain/ports.js';
import type { ExtractionInput, ExtractionResult, MemoryOperation } from '../../src/domain/types.js';

export type ScriptedAnswer = Partial<ExtractionResult> & { operations: MemoryOperation[] };
export type ScriptedStep =
  | ScriptedAnswer
  | Error
  | ((input: ExtractionInput) => ScriptedAnswer | Promise<ScriptedAnswer>);

export interface ScriptedExtractorOptions {
  /** Answers calls when nothing is queued. Default: none (the call throws). */
  respond?: (input: ExtractionInput) => ScriptedAnswer | Promise<ScriptedAnswer>;
  /** Pass answers through without the extractor's guarantees (to test the guards behind it). */
  unchecked?: boolean;
}

export class ScriptedExtractor implements Extractor {
  readonly name = 'scripted';
  /** Every input received, in order. */
  readonly calls: ExtractionInput[] = [];
  private readonly queue: ScriptedStep[] = [];

  constructor(private readonly options: ScriptedExtractorOptions = {}) {}

  enqueue(...steps: ScriptedStep[]): void {
    this.queue.push(...steps);
  }

  /** Steps not used yet. */
  pending(): number {
    return this.queue.length;
  }

  async extract(input: ExtractionInput): Promise<ExtractionResult> {
    this.calls.push(input);
    if (input.messages.length === 0) return { operations: [], summary: '', tags: [], usage: null };
    const step = this.queue.shift() ?? this.options.respond;
    if (!step) throw new Error(`ScriptedExtractor: no step queued for call #${this.calls.length}`);
    if (step instanceof Error) throw step;
    const answer = typeof step === 'function' ? await step(input) : step;
    if (!this.options.unchecked) {
      const problems = refusals(answer.operations, input);
      if (problems.length) throw new Error(`ScriptedExtractor: scripted answer refused: ${problems.join('; ')}`);
    }
    return {
      operations: structuredClone(answer.operations),
      summary: answer.summary ?? '',
      tags: answer.tags ?? [],
      usage: answer.usage ?? null,
    };
  }
}

function refusals(operations: readonly MemoryOperation[], input: ExtractionInput): string[] {
  const known = new Set(input.existing.map((memory) => memory.id));
  const changed = new Set<string>();
  const problems: string[] = [];
  operations.forEach((op, index) => {
    if (op.kind !== 'ADD' && op.memoryId !== null && !known.has(op.memoryId))
      problems.push(`operations[${index}] names unknown memory "${op.memoryId}"`);
    if (op.kind === 'UPDATE' || op.kind === 'DELETE') {
      if (changed.has(op.memoryId)) problems.push(`operations[${index}] changes "${op.memoryId}" a second time`);
      changed.add(op.memoryId);
    }
    if ((op.kind === 'ADD' || op.kind === 'UPDATE') && input.profile.strict) {
      const topic = input.profile.topics.find((t) => t.name === op.topic);
      if (!topic?.subTopics.some((s) => s.name === op.subTopic))
        problems.push(`operations[${index}] slot ${op.topic}/${op.subTopic} is not in the strict profile`);
    }
  });
  return problems;
}

/** Shorthands for scripts. */
export const op = {
  add: (text: string, topic: string, subTopic: string, categories: string[] = []): MemoryOperation => ({
    kind: 'ADD',
    text,
    topic,
    subTopic,
    categories,
  }),
  update: (memoryId: string, text: string, topic: string, subTopic: string): MemoryOperation => ({
    kind: 'UPDATE',
    memoryId,
    text,
    topic,
    subTopic,
    categories: [],
  }),
  delete: (memoryId: string, reason = 'asked to forget'): MemoryOperation => ({ kind: 'DELETE', memoryId, reason }),
  none: (memoryId: string | null, text = ''): MemoryOperation => ({ kind: 'NONE', memoryId, text }),
};
