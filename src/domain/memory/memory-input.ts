// Validation of memories written through the API: createMemory takes every
// field, updateMemory a patch (a field left out stays as it is, null clears
// a field that may be empty). Everything is checked before anything is
// written; errors name the field as the client sent it.

import { BadInputError } from '../errors.js';
import type { JsonObject, MemoryContent } from '../types.js';
import { jsonObject, scopeId, validDate } from '../validation.js';

export const MEMORY_LIMITS = {
  maxText: 2_000,
  maxTitle: 256,
  maxSummary: 2_000,
  maxName: 64,
  maxLabels: 20,
  maxMetadataBytes: 16 * 1024,
} as const;

/** The topic and sub-topic of an API-created memory that names none. */
export const DEFAULT_SLOT = { topic: 'general', subTopic: 'note' } as const;

export interface MemoryFieldsCommand {
  text?: string | null;
  topic?: string | null;
  subTopic?: string | null;
  categories?: readonly string[] | null;
  title?: string | null;
  summary?: string | null;
  tags?: readonly string[] | null;
  importance?: number | null;
  confidence?: number | null;
  source?: string | null;
  agentId?: string | null;
  runId?: string | null;
  expiresAt?: Date | null;
  immutable?: boolean | null;
  metadata?: unknown;
}

export interface CreateMemoryCommand extends MemoryFieldsCommand {
  text: string;
}

export interface ValidMemory {
  content: MemoryContent;
  metadata: JsonObject | null;
}

/** A new memory's content; `field` prefixes error paths (e.g. "input"). */
export function validateNewMemory(input: CreateMemoryCommand, now: Date, field = 'input'): ValidMemory {
  const at = (name: string) => `${field}.${name}`;
  return {
    content: {
      text: text(at('text'), input.text),
      topic: optionalName(at('topic'), input.topic) ?? DEFAULT_SLOT.topic,
      subTopic: optionalName(at('subTopic'), input.subTopic) ?? DEFAULT_SLOT.subTopic,
      categories: labels(at('categories'), input.categories ?? []),
      title: optionalText(at('title'), input.title, MEMORY_LIMITS.maxTitle),
      summary: optionalText(at('summary'), input.summary, MEMORY_LIMITS.maxSummary),
      tags: labels(at('tags'), input.tags ?? []),
      importance: unitInterval(at('importance'), input.importance),
      confidence: unitInterval(at('confidence'), input.confidence),
      source: optionalName(at('source'), input.source),
      agentId: scopeId(at('agentId'), input.agentId),
      runId: scopeId(at('runId'), input.runId),
      expiresAt: future(at('expiresAt'), input.expiresAt, now),
      immutable: input.immutable ?? false,
    },
    metadata: jsonObject(at('metadata'), input.metadata, MEMORY_LIMITS.maxMetadataBytes),
  };
}

/** A memory's content after a patch; fields left out (undefined) keep their value. */
export function applyMemoryPatch(
  current: ValidMemory,
  patch: MemoryFieldsCommand,
  now: Date,
  field = 'input',
): ValidMemory {
  const at = (name: string) => `${field}.${name}`;
  const c = current.content;
  const keep = <T>(value: T | undefined, fallback: T): T => (value === undefined ? fallback : value);
  const required = <T>(name: string, value: T | null | undefined): T | undefined => {
    if (value === null) throw new BadInputError(at(name), 'cannot be null (leave it out to keep it)');
    return value;
  };
  const newText = required('text', patch.text);
  const topic = required('topic', patch.topic);
  const subTopic = required('subTopic', patch.subTopic);
  const categories = required('categories', patch.categories);
  const tags = required('tags', patch.tags);
  const immutable = required('immutable', patch.immutable);
  return {
    content: {
      text: newText === undefined ? c.text : text(at('text'), newText),
      topic: topic === undefined ? c.topic : name(at('topic'), topic),
      subTopic: subTopic === undefined ? c.subTopic : name(at('subTopic'), subTopic),
      categories: categories === undefined ? c.categories : labels(at('categories'), categories),
      title: keep(
        patch.title === undefined ? undefined : optionalText(at('title'), patch.title, MEMORY_LIMITS.maxTitle),
        c.title,
      ),
      summary: keep(
        patch.summary === undefined ? undefined : optionalText(at('summary'), patch.summary, MEMORY_LIMITS.maxSummary),
        c.summary,
      ),
      tags: tags === undefined ? c.tags : labels(at('tags'), tags),
      importance: keep(
        patch.importance === undefined ? undefined : unitInterval(at('importance'), patch.importance),
        c.importance,
      ),
      confidence: keep(
        patch.confidence === undefined ? undefined : unitInterval(at('confidence'), patch.confidence),
        c.confidence,
      ),
      source: keep(patch.source === undefined ? undefined : optionalName(at('source'), patch.source), c.source),
      agentId: keep(patch.agentId === undefined ? undefined : scopeId(at('agentId'), patch.agentId), c.agentId),
      runId: keep(patch.runId === undefined ? undefined : scopeId(at('runId'), patch.runId), c.runId),
      expiresAt: keep(
        patch.expiresAt === undefined ? undefined : future(at('expiresAt'), patch.expiresAt, now),
        c.expiresAt,
      ),
      immutable: immutable ?? c.immutable,
    },
    metadata:
      patch.metadata === undefined
        ? current.metadata
        : jsonObject(at('metadata'), patch.metadata, MEMORY_LIMITS.maxMetadataBytes),
  };
}

function text(field: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed.length < 1 || trimmed.length > MEMORY_LIMITS.maxText)
    throw new BadInputError(field, `must be 1-${MEMORY_LIMITS.maxText} characters`);
  return trimmed;
}

function optionalText(field: string, value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed.length < 1 || trimmed.length > max) throw new BadInputError(field, `must be 1-${max} characters`);
  return trimmed;
}

function name(field: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed.length < 1 || trimmed.length > MEMORY_LIMITS.maxName)
    throw new BadInputError(field, `must be 1-${MEMORY_LIMITS.maxName} characters`);
  return trimmed;
}

function optionalName(field: string, value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : name(field, value);
}

/** Categories and tags: at most 20 names, duplicates dropped. */
function labels(field: string, values: readonly string[]): string[] {
  if (values.length > MEMORY_LIMITS.maxLabels)
    throw new BadInputError(field, `at most ${MEMORY_LIMITS.maxLabels} values`);
  return [...new Set(values.map((value, i) => name(`${field}[${i}]`, value)))];
}

function unitInterval(field: string, value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new BadInputError(field, 'must be between 0 and 1');
  return value;
}

function future(field: string, value: Date | null | undefined, now: Date): Date | null {
  const date = validDate(field, value);
  if (date && date <= now) throw new BadInputError(field, 'must be in the future (delete the memory to remove it now)');
  return date;
}
