// End-to-end LoCoMo (`npm run eval:locomo -- --qa`): each question is
// answered by the configured LLM from the context memql returns for it, and
// the answer is judged against the reference answer by the LLM, with the
// LLM-as-judge protocol of the Mem0 paper (Chhikara et al., 2025, "Mem0:
// Building Production-Ready AI Agents with Scalable Long-Term Memory"): the
// judge labels each answer CORRECT or WRONG, generously (same topic, same
// date in any format), and J is the share labelled CORRECT.
//
// Context: the question through User.query (HYBRID, the default), the best
// `contextTurns` messages of the answer, each with its blob's date and its
// speaker, oldest first. The answer and judge prompts follow the paper's
// (answer in a short phrase; turn relative times into dates from the
// memories' timestamps).

import type { ChatClient } from '../../src/infra/http/openai-chat.client.js';
import type { BenchClient } from '../lib/graphql.js';
import { mapConcurrent } from '../lib/graphql.js';
import { ask } from './api.js';
import type { Conversation, Question } from './dataset.js';

export interface QaRow {
  conversation: string;
  question: string;
  category: number;
  gold: string;
  answer: string;
  label: 'CORRECT' | 'WRONG';
  /** The dia_ids given as context, best first. */
  context: string[];
}

export interface QaResult {
  overall: { j: number; questions: number };
  byCategory: Record<string, { j: number; questions: number }>;
  rows: QaRow[];
}

export interface QaOptions {
  /** memql, with the conversations inserted (startLocomoServer). */
  memql: BenchClient;
  /** Answers the questions. */
  answerer: ChatClient;
  /** Judges the answers (may be the same client). */
  judge: ChatClient;
  /** Messages of context per question. Default 10. */
  contextTurns?: number;
  concurrency?: number;
  /** Told of each judged question. */
  onRow?: (row: QaRow, done: number, total: number) => void;
}

const ANSWER_SYSTEM =
  'You are an intelligent memory assistant tasked with retrieving accurate information from conversation memories.';

export function answerPrompt(question: string, memories: readonly string[]): string {
  return [
    'You have access to memories from a conversation between two people, each with the date it was said.',
    'Answer the question using only these memories.',
    'Instructions:',
    '1. Read all the memories carefully; if they contain contradictory information, prefer the most recent one.',
    '2. If the question asks about a specific event or fact, look for direct evidence in the memories.',
    '3. If the memories use relative time ("last year", "two months ago"), work out the actual date from the date the memory was said, and answer with that date, month or year.',
    '4. Answer in a short phrase of at most 6 words.',
    '',
    'Memories:',
    ...memories,
    '',
    `Question: ${question}`,
    '',
    'Reply with a JSON object: {"answer": "<your short answer>"}',
  ].join('\n');
}

/** The judge prompt of the Mem0 paper's evaluation (ACCURACY_PROMPT), asking for a JSON label. */
export function judgePrompt(question: string, gold: string, answer: string): string {
  return [
    "Your task is to label an answer to a question as 'CORRECT' or 'WRONG'. You will be given the following data:",
    '    (1) a question (posed by one user to another user),',
    "    (2) a 'gold' (ground truth) answer,",
    '    (3) a generated answer',
    'which you will score as CORRECT/WRONG.',
    '',
    'The point of the question is to ask about something one user should know about the other user based on their prior conversations.',
    'The gold answer will usually be a concise and short answer that includes the referenced topic, for example:',
    'Question: Do you remember what I got the last time I went to Hawaii?',
    'Gold answer: A shell necklace',
    'The generated answer might be much longer, but you should be generous with your grading - as long as it touches on the same topic as the gold answer, it should be counted as CORRECT.',
    '',
    'For time related questions, the gold answer will be a specific date, month, year, etc. The generated answer might be much longer or use relative time references (like "last Tuesday" or "next month"), but you should be generous with your grading - as long as it refers to the same date or time period as the gold answer, it should be counted as CORRECT. Even if the format differs (e.g., "May 7th" vs "7 May"), consider it CORRECT if it\'s the same date.',
    '',
    'Now it is time for the real question:',
    `Question: ${question}`,
    `Gold answer: ${gold}`,
    `Generated answer: ${answer}`,
    '',
    'First, provide a short (one sentence) explanation of your reasoning, then finish with CORRECT or WRONG.',
    'Do NOT include both CORRECT and WRONG in your response, or it will break the evaluation script.',
    '',
    'Just return the label CORRECT or WRONG in a json format with the key as "label".',
  ].join('\n');
}

/** The `key` of a JSON object in a model's reply (tolerating prose or fences around it), or the reply itself. */
export function jsonField(reply: string, key: string): string {
  const match = /\{[\s\S]*\}/.exec(reply);
  if (match) {
    try {
      const value = (JSON.parse(match[0]) as Record<string, unknown>)[key];
      if (value !== undefined && value !== null) return String(value);
    } catch {
      // fall through
    }
  }
  return reply.trim();
}

/** A judge's reply as a label: WRONG unless it says CORRECT (and not WRONG). */
export function labelOf(reply: string): 'CORRECT' | 'WRONG' {
  const label = jsonField(reply, 'label').toUpperCase();
  return label.includes('CORRECT') && !label.includes('WRONG') ? 'CORRECT' : 'WRONG';
}

function dateOf(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

/** Answers and judges every question of `conversations`; J per category and overall. */
export async function runQa(conversations: readonly Conversation[], options: QaOptions): Promise<QaResult> {
  const contextTurns = options.contextTurns ?? 10;
  const asks = conversations.flatMap((c) => c.questions.map((question) => ({ conversation: c, question })));
  let done = 0;
  const rows = await mapConcurrent(asks, options.concurrency ?? 2, async ({ conversation, question }) => {
    const row = await answerOne(conversation, question, options, contextTurns);
    options.onRow?.(row, ++done, asks.length);
    return row;
  });
  const byCategory: QaResult['byCategory'] = {};
  for (const category of [...new Set(rows.map((r) => r.category))].sort((a, b) => a - b)) {
    const mine = rows.filter((r) => r.category === category);
    byCategory[String(category)] = { j: share(mine), questions: mine.length };
  }
  return { overall: { j: share(rows), questions: rows.length }, byCategory, rows };
}

async function answerOne(
  conversation: Conversation,
  question: Question,
  options: QaOptions,
  contextTurns: number,
): Promise<QaRow> {
  const turns = new Map(
    conversation.sessions.flatMap((s) =>
      s.turns.map((t, i) => [t.diaId, { ...t, date: s.date, order: s.number * 1e6 + i }]),
    ),
  );
  const ranking = await ask(options.memql, conversation.id, question.text, 'HYBRID', 10);
  const context = ranking.slice(0, contextTurns).map((h) => h.id);
  const memories = context
    .map((id) => turns.get(id))
    .filter((t) => t !== undefined)
    .sort((a, b) => a.order - b.order)
    .map((t) => `[${dateOf(t.date)}] ${t.speaker}: ${t.content}`);
  const answered = await options.answerer.complete([
    { role: 'system', content: ANSWER_SYSTEM },
    { role: 'user', content: answerPrompt(question.text, memories) },
  ]);
  const answer = jsonField(answered.content, 'answer');
  const judged = await options.judge.complete([
    { role: 'user', content: judgePrompt(question.text, question.answer, answer) },
  ]);
  return {
    conversation: conversation.id,
    question: question.text,
    category: question.category,
    gold: question.answer,
    answer,
    label: labelOf(judged.content),
    context,
  };
}

function share(rows: readonly QaRow[]): number {
  return rows.length ? rows.filter((r) => r.label === 'CORRECT').length / rows.length : 0;
}
