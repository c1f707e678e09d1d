// Reads a LoCoMo-format file (see ../shared/locomo/README.md): conversations
// made of dated sessions of turns, and questions whose evidence names turns.

import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const turnSchema = z.object({
  speaker: z.string().min(1),
  dia_id: z.string().min(1),
  text: z.string(),
  blip_caption: z.string().optional(),
});

const qaSchema = z.object({
  question: z.string().min(1),
  answer: z.union([z.string(), z.number()]).optional(),
  evidence: z.array(z.string()).default([]),
  category: z.number().int(),
});

const sampleSchema = z.object({
  sample_id: z.string().min(1),
  conversation: z.record(z.string(), z.unknown()),
  qa: z.array(qaSchema),
});

export interface Turn {
  diaId: string;
  speaker: string;
  /** What the speaker sent: the text, and the caption of a shared image. */
  content: string;
}

export interface Session {
  /** 1-based, as in the file. */
  number: number;
  date: Date;
  turns: Turn[];
}

export interface Question {
  text: string;
  /** The reference answer ('' when the file has none). */
  answer: string;
  category: number;
  /** Normalised dia_ids that exist in the conversation. */
  evidence: string[];
}

export interface Conversation {
  id: string;
  sessions: Session[];
  questions: Question[];
  /** Questions of the evaluated categories dropped because none of their evidence names a turn. */
  droppedQuestions: number;
}

/** Categories 1 multi-hop, 2 temporal, 3 open-domain, 4 single-hop. 5 (adversarial, no answer) is left out. */
export const EVALUATED_CATEGORIES: readonly number[] = [1, 2, 3, 4];
export const CATEGORY_NAMES: Readonly<Record<number, string>> = {
  1: 'multi-hop',
  2: 'temporal',
  3: 'open-domain',
  4: 'single-hop',
};

/**
 * A turn as a chat message: its text, plus the caption of an image it shared
 * (the text an app that stores images as captions would keep). The baseline
 * ranks the same strings.
 */
export function turnContent(text: string, caption: string | undefined): string {
  return caption ? `${text} [shares ${caption}]` : text;
}

export async function loadLocomo(file: string): Promise<Conversation[]> {
  const raw = JSON.parse(await readFile(file, 'utf8')) as unknown;
  const samples = z.array(sampleSchema).parse(raw);
  return samples.map(toConversation);
}

function toConversation(sample: z.infer<typeof sampleSchema>): Conversation {
  const sessions: Session[] = [];
  for (let number = 1; ; number++) {
    const turns = sample.conversation[`session_${number}`];
    if (turns === undefined) break;
    const dateText = z.string().parse(sample.conversation[`session_${number}_date_time`]);
    sessions.push({
      number,
      date: parseSessionDate(dateText),
      turns: z
        .array(turnSchema)
        .parse(turns)
        .map((t) => ({ diaId: t.dia_id, speaker: t.speaker, content: turnContent(t.text, t.blip_caption) })),
    });
  }
  const known = new Set(sessions.flatMap((s) => s.turns.map((t) => t.diaId)));
  let droppedQuestions = 0;
  const questions: Question[] = [];
  for (const qa of sample.qa) {
    if (!EVALUATED_CATEGORIES.includes(qa.category)) continue;
    const evidence = [...new Set(qa.evidence.flatMap(normaliseEvidence))].filter((id) => known.has(id));
    if (evidence.length === 0) {
      droppedQuestions++;
      continue;
    }
    questions.push({ text: qa.question, answer: String(qa.answer ?? ''), category: qa.category, evidence });
  }
  return { id: sample.sample_id, sessions, questions, droppedQuestions };
}

/**
 * Evidence entries are dia_ids ("D1:3"); a few in the public file are typed
 * as "D8:6; D9:17" or "D:11:26". Those are split and repaired; anything that
 * names no turn is dropped by the caller.
 */
export function normaliseEvidence(entry: string): string[] {
  return entry
    .split(/[;,\s]+/)
    .map((id) => id.trim().replace(/^D:(\d)/, 'D$1'))
    .filter((id) => /^D\d+:\d+$/.test(id));
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** "1:56 pm on 8 May, 2023" -> 2023-05-08T13:56:00Z (the file has no time zone; UTC is assumed). */
export function parseSessionDate(text: string): Date {
  const match = /^\s*(\d{1,2}):(\d{2})\s*(am|pm)\s+on\s+(\d{1,2})\s+([A-Za-z]+),?\s+(\d{4})\s*$/i.exec(text);
  if (!match) throw new Error(`unrecognised session date "${text}"`);
  const [, h, m, ampm, day, monthName, year] = match;
  const month = MONTHS.indexOf(monthName!.toLowerCase());
  if (month < 0) throw new Error(`unrecognised month in session date "${text}"`);
  const hour = (Number(h) % 12) + (ampm!.toLowerCase() === 'pm' ? 12 : 0);
  return new Date(Date.UTC(Number(year), month, Number(day), hour, Number(m)));
}
