// Scores an extractor on a file of hand-written messages with their expected
// facts (test/extraction/heldout/heldout.json, test/extraction/dev/dev.json):
// recall of the expected facts, precision of the memories written, junk
// written for messages that must give nothing, and update sequences right.

import { readFileSync } from 'node:fs';
import type { Extractor } from '../../src/domain/ports.js';
import type { ExistingMemory, MemoryOperation, ProfileConfig } from '../../src/domain/types.js';

/** A fact the extractor should write: a slot ("topic/subTopic", or "topic" for any of its sub-topics) and words its text must hold. */
export interface ExpectedFact {
  slot: string;
  words: string[];
}

export interface FactCase {
  id: string;
  text: string;
  expect: ExpectedFact[];
  /** Facts that are right if written but not needed for recall. */
  optional?: ExpectedFact[];
}

export interface NegativeCase {
  id: string;
  text: string;
  why: string;
}

export interface UpdateCase {
  id: string;
  existing: { text: string; topic: string; subTopic: string }[];
  /** User messages, each one batch, run in order over the memories so far. */
  turns: string[];
  /** Facts the memories must hold at the end. */
  present: ExpectedFact[];
  /** Words no memory may hold at the end. */
  absent: string[];
}

export interface EvalSet {
  about: string;
  facts: FactCase[];
  negatives: NegativeCase[];
  updates: UpdateCase[];
}

export interface Written {
  slot: string;
  text: string;
}

export interface CaseReport {
  id: string;
  text: string;
  written: Written[];
  missed: ExpectedFact[];
  wrong: Written[];
}

export interface UpdateReport {
  id: string;
  turns: string[];
  right: boolean;
  final: Written[];
  problems: string[];
}

export interface Score {
  expectedFacts: number;
  foundFacts: number;
  recall: number;
  writtenMemories: number;
  correctMemories: number;
  precision: number;
  negatives: number;
  /** Memories written for messages that must give nothing. */
  junk: number;
  updates: number;
  updatesRight: number;
  messages: number;
  /** Wall time of the extract() calls, per message, in ms. */
  msPerMessage: number;
  cases: CaseReport[];
  negativeReports: CaseReport[];
  updateReports: UpdateReport[];
}

export function loadEvalSet(path: string): EvalSet {
  return JSON.parse(readFileSync(path, 'utf8')) as EvalSet;
}

const fold = (text: string): string =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'");

export function matches(expected: ExpectedFact, memory: Written): boolean {
  const slotOk = expected.slot.includes('/')
    ? fold(memory.slot) === fold(expected.slot)
    : fold(memory.slot).startsWith(`${fold(expected.slot)}/`);
  if (!slotOk) return false;
  const text = fold(memory.text);
  return expected.words.every((w) => text.includes(fold(w)));
}

const NOW = new Date('2026-11-29T12:00:00Z');

function writtenBy(operations: readonly MemoryOperation[]): Written[] {
  return operations.flatMap((op) =>
    op.kind === 'ADD' || op.kind === 'UPDATE' ? [{ slot: `${op.topic}/${op.subTopic}`, text: op.text }] : [],
  );
}

/** The memories after a batch's operations are applied. */
function apply(
  memories: ExistingMemory[],
  operations: readonly MemoryOperation[],
  next: () => string,
): ExistingMemory[] {
  let out = [...memories];
  for (const op of operations) {
    if (op.kind === 'ADD') out.push({ id: next(), text: op.text, topic: op.topic, subTopic: op.subTopic });
    else if (op.kind === 'UPDATE')
      out = out.map((m) =>
        m.id === op.memoryId ? { ...m, text: op.text, topic: op.topic, subTopic: op.subTopic } : m,
      );
    else if (op.kind === 'DELETE') out = out.filter((m) => m.id !== op.memoryId);
  }
  return out;
}

export async function score(extractor: Extractor, set: EvalSet, profile: ProfileConfig): Promise<Score> {
  let elapsed = 0;
  let messages = 0;
  const extract = async (text: string, existing: ExistingMemory[]) => {
    const started = performance.now();
    const result = await extractor.extract({
      messages: [{ role: 'user', content: text }],
      profile,
      existing,
      now: NOW,
    });
    elapsed += performance.now() - started;
    messages++;
    return result.operations;
  };

  const cases: CaseReport[] = [];
  let expectedFacts = 0;
  let foundFacts = 0;
  let writtenMemories = 0;
  let correctMemories = 0;
  for (const c of set.facts) {
    const written = writtenBy(await extract(c.text, []));
    const missed = c.expect.filter((e) => !written.some((w) => matches(e, w)));
    const allowed = [...c.expect, ...(c.optional ?? [])];
    const wrong = written.filter((w) => !allowed.some((e) => matches(e, w)));
    expectedFacts += c.expect.length;
    foundFacts += c.expect.length - missed.length;
    writtenMemories += written.length;
    correctMemories += written.length - wrong.length;
    cases.push({ id: c.id, text: c.text, written, missed, wrong });
  }

  const negativeReports: CaseReport[] = [];
  let junk = 0;
  for (const n of set.negatives) {
    const written = writtenBy(await extract(n.text, []));
    junk += written.length;
    writtenMemories += written.length;
    negativeReports.push({ id: n.id, text: n.text, written, missed: [], wrong: written });
  }

  const updateReports: UpdateReport[] = [];
  for (const u of set.updates) {
    let counter = 0;
    let memories: ExistingMemory[] = u.existing.map((m) => ({ ...m, id: `m${counter++}` }));
    for (const turn of u.turns) memories = apply(memories, await extract(turn, memories), () => `m${counter++}`);
    const final = memories.map((m) => ({ slot: `${m.topic}/${m.subTopic}`, text: m.text }));
    const problems = [
      ...u.present
        .filter((e) => !final.some((w) => matches(e, w)))
        .map((e) => `missing ${e.slot} ${e.words.join(' ')}`),
      ...u.absent
        .filter((word) => final.some((w) => fold(w.text).includes(fold(word))))
        .map((word) => `still holds "${word}"`),
    ];
    updateReports.push({ id: u.id, turns: u.turns, right: problems.length === 0, final, problems });
  }

  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  return {
    expectedFacts,
    foundFacts,
    recall: ratio(foundFacts, expectedFacts),
    writtenMemories,
    correctMemories,
    precision: ratio(correctMemories, writtenMemories),
    negatives: set.negatives.length,
    junk,
    updates: set.updates.length,
    updatesRight: updateReports.filter((r) => r.right).length,
    messages,
    msPerMessage: elapsed / Math.max(1, messages),
    cases,
    negativeReports,
    updateReports,
  };
}
