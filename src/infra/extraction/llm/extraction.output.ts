// Parses and validates the extractor's model output: shape (zod), then
// references (memory ids must be among the existing memories; in strict mode
// topic/subTopic must be configured slots). Problems come back as
// `path: message` strings, e.g. `operations[1].memoryId: unknown memory "x"`,
// so they can be shown to the model on retry and to operators in errors.

import { z } from 'zod';
import type { ExistingMemory, MemoryOperation, ProfileConfig } from '../../../domain/types.js';

export interface ExtractionOutput {
  operations: MemoryOperation[];
  summary: string;
  tags: string[];
}

export type ParsedOutput = { ok: true; value: ExtractionOutput } | { ok: false; problems: string[] };

const text = z.string().trim().min(1, 'must not be empty');
const labels = z.array(z.string().trim().min(1)).default([]);
/** How sure the model is of the fact (0-1); optional, and an out-of-range value is dropped rather than refused. */
const confidence = z
  .unknown()
  .transform((value) => (typeof value === 'number' && value >= 0 && value <= 1 ? value : undefined))
  .optional();
const fact = { text, topic: text, subTopic: text, categories: labels, confidence };

const operationSchema = z.preprocess(
  // Small models often write "add" or " Update ": accept any case.
  (value) =>
    isRecord(value) && typeof value.kind === 'string' ? { ...value, kind: value.kind.trim().toUpperCase() } : value,
  z.discriminatedUnion(
    'kind',
    [
      z.object({ kind: z.literal('ADD'), ...fact }),
      z.object({ kind: z.literal('UPDATE'), memoryId: text, ...fact }),
      z.object({ kind: z.literal('DELETE'), memoryId: text, reason: z.string().trim().default('') }),
      z.object({
        kind: z.literal('NONE'),
        memoryId: text.nullish().transform((v) => v ?? null),
        text: z.string().trim().default(''),
      }),
    ],
    { error: 'kind must be one of ADD, UPDATE, DELETE, NONE' },
  ),
);

const outputSchema = z.object({
  operations: z.array(operationSchema),
  summary: z.string().trim().default(''),
  tags: labels,
});

/** Parses raw model content against the batch it answers. */
export function parseExtractionOutput(
  content: string,
  context: { existing: readonly ExistingMemory[]; profile: ProfileConfig },
): ParsedOutput {
  const body = extractJson(content);
  if (body === '') return { ok: false, problems: ['answer is empty, expected a JSON object'] };

  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { ok: false, problems: [`not valid JSON (${(error as Error).message}): ${clip(body, 120)}`] };
  }

  const parsed = outputSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.slice(0, 10).map((i) => `${formatPath(i.path)}: ${i.message}`) };
  }

  const problems: string[] = [];
  const known = new Map(context.existing.map((m) => [m.id, m]));
  const changedBy = new Map<string, number>();
  const operations = parsed.data.operations.map((op, index): MemoryOperation => {
    const at = `operations[${index}]`;
    const memoryId = 'memoryId' in op ? op.memoryId : null;
    if (memoryId !== null) {
      if (!known.has(memoryId)) {
        problems.push(`${at}.memoryId: unknown memory "${memoryId}"`);
      } else if (op.kind === 'UPDATE' || op.kind === 'DELETE') {
        const earlier = changedBy.get(memoryId);
        if (earlier !== undefined) {
          problems.push(`${at}.memoryId: memory "${memoryId}" is already changed by operations[${earlier}]`);
        } else {
          changedBy.set(memoryId, index);
        }
      }
    }
    switch (op.kind) {
      case 'ADD':
      case 'UPDATE': {
        const slot = resolveSlot(op.topic, op.subTopic, context.profile);
        if (!slot) {
          problems.push(
            `${at}: topic/subTopic "${op.topic}"/"${op.subTopic}" is not a configured slot (strict profile)`,
          );
          return op;
        }
        return { ...op, ...slot };
      }
      case 'NONE':
        // Fill in the known text when the model only pointed at the memory.
        return { ...op, text: op.text || (op.memoryId ? (known.get(op.memoryId)?.text ?? '') : '') };
      case 'DELETE':
        return op;
      default:
        return assertNever(op);
    }
  });

  return problems.length ? { ok: false, problems } : { ok: true, value: { ...parsed.data, operations } };
}

/**
 * The JSON object inside a model answer: drops `<think>` blocks (reasoning
 * models served by Ollama/vLLM), ```json fences, and prose around the object.
 */
export function extractJson(content: string): string {
  let body = content.replace(/<think>[\s\S]*?<\/think>/gi, '').trim();
  const fenced = /```[a-zA-Z]*[ \t]*\r?\n?([\s\S]*?)\r?\n?[ \t]*```/.exec(body);
  if (fenced) body = (fenced[1] ?? '').trim();
  if (!body.startsWith('{')) {
    const start = body.indexOf('{');
    const end = body.lastIndexOf('}');
    if (start !== -1 && end > start) body = body.slice(start, end + 1);
  }
  return body;
}

/** The configured slot (with its canonical spelling), or null when strict and unknown. */
function resolveSlot(
  topic: string,
  subTopic: string,
  profile: ProfileConfig,
): { topic: string; subTopic: string } | null {
  const t = profile.topics.find((c) => c.name.toLowerCase() === topic.toLowerCase());
  const s = t?.subTopics.find((c) => c.name.toLowerCase() === subTopic.toLowerCase());
  if (t && s) return { topic: t.name, subTopic: s.name };
  return profile.strict ? null : { topic, subTopic };
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clip(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

function assertNever(value: never): never {
  throw new Error(`unexpected operation ${JSON.stringify(value)}`);
}
