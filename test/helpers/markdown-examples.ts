// Reads the runnable examples out of a Markdown file: every ```graphql block,
// the ```sh blocks that call the README's `gql` helper and the ```js blocks,
// each with the annotation before it and the ```json answer after it.
// The rules are documented in DEVELOPERS.md ("README examples").

import { z } from 'zod';

/** Placeholder in a documented answer (or in `expect`) that matches any value. */
export const ANY = '…';

const operationSchema = z.object({
  query: z.string().min(1),
  variables: z.record(z.string(), z.unknown()).optional(),
});

/** What an `<!-- example: {...} -->` comment may declare. */
export const annotationSchema = z
  .object({
    /** Variables for the operation; "{{name}}" inside a string is replaced by a saved value. */
    variables: z.record(z.string(), z.unknown()).optional(),
    /** Values to keep for later blocks: { name: "dotted.path.in.data" }. */
    save: z.record(z.string(), z.string()).optional(),
    /** The data must contain this (subset match; "…" matches anything). */
    expect: z.unknown().optional(),
    /** The operation must fail with this extensions.code. */
    error: z.string().optional(),
    /**
     * Subscriptions and live snippets: an operation sent over HTTP (repeated
     * until the first event arrives) that causes the event; "{{n}}" is the
     * attempt number, so each attempt is a new change.
     */
    trigger: operationSchema.optional(),
    /** For js blocks: text the program must print (with a trigger, while it runs; without, before it exits 0). */
    prints: z.string().optional(),
  })
  .strict();

export type Annotation = z.infer<typeof annotationSchema>;

export interface MarkdownExample {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: 'graphql' | 'sh' | 'js';
  code: string;
  annotation: Annotation;
  /** The ```json block right after this one: the documented answer. */
  answer: unknown | undefined;
}

const FENCE = /^```([\w-]*)\n([\s\S]*?)^```[ \t]*$/gm;
const ANNOTATION = /<!--\s*example:\s*([\s\S]*?)-->\s*$/;

export function readExamples(file: string, text: string): MarkdownExample[] {
  const blocks = [...text.matchAll(FENCE)].map((match) => ({
    lang: match[1] ?? '',
    code: match[2] ?? '',
    start: match.index,
    end: match.index + match[0].length,
  }));
  const examples: MarkdownExample[] = [];
  blocks.forEach((block, i) => {
    if (block.lang !== 'graphql' && block.lang !== 'sh' && block.lang !== 'js') return;
    const line = text.slice(0, block.start).split('\n').length;
    const where = `${file}:${line}`;
    const before = text.slice(i === 0 ? 0 : blocks[i - 1]!.end, block.start);
    const annotationText = ANNOTATION.exec(before)?.[1];
    let annotation: Annotation = {};
    if (annotationText !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(annotationText);
      } catch (error) {
        throw new Error(`${where}: the example annotation is not JSON: ${(error as Error).message}`);
      }
      const parsed = annotationSchema.safeParse(json);
      if (!parsed.success) throw new Error(`${where}: bad example annotation: ${parsed.error.message}`);
      annotation = parsed.data;
    }
    const next = blocks[i + 1];
    let answer: unknown;
    if (next?.lang === 'json' && text.slice(block.end, next.start).trim() === '') {
      try {
        answer = JSON.parse(next.code);
      } catch (error) {
        throw new Error(`${where}: the answer after the block is not JSON: ${(error as Error).message}`);
      }
    }
    examples.push({ file, line, lang: block.lang, code: block.code, annotation, answer });
  });
  return examples;
}

/** Replaces "{{name}}" in every string of a JSON value with saved values (a whole-string reference keeps the type). */
export function fillIn(value: unknown, saved: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{(\w+)\}\}$/.exec(value);
    if (whole) return lookUp(saved, whole[1]!);
    return value.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(lookUp(saved, name)));
  }
  if (Array.isArray(value)) return value.map((item) => fillIn(item, saved));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillIn(item, saved)]));
  return value;
}

function lookUp(saved: Record<string, unknown>, name: string): unknown {
  if (!(name in saved)) throw new Error(`{{${name}}} is not saved by an earlier example`);
  return saved[name];
}

/** The value at a dotted path ("user.memories.edges.0.node.id"). */
export function valueAt(data: unknown, dotted: string): unknown {
  let value = data;
  for (const part of dotted.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * Differences between a documented answer and the real one, as readable
 * paths; empty when they agree. Objects must have the same keys, arrays the
 * same length; "…" matches any value; a number matches when the real one
 * rounds to it at the documented precision (0.87 stands for 0.865..0.875).
 */
export function differences(documented: unknown, actual: unknown, at = '$'): string[] {
  if (documented === ANY) return [];
  if (typeof documented === 'number') {
    if (typeof actual !== 'number') return [`${at}: documented ${documented}, got ${JSON.stringify(actual)}`];
    const decimals = (String(documented).split('.')[1] ?? '').length;
    const tolerance = 0.5 * 10 ** -decimals + 1e-9;
    return Math.abs(actual - documented) <= tolerance ? [] : [`${at}: documented ${documented}, got ${actual}`];
  }
  if (Array.isArray(documented)) {
    if (!Array.isArray(actual)) return [`${at}: documented an array, got ${JSON.stringify(actual)}`];
    const problems =
      documented.length === actual.length
        ? []
        : [`${at}: documented ${documented.length} items, got ${actual.length}: ${JSON.stringify(actual)}`];
    documented.forEach((item, i) => {
      if (i < actual.length) problems.push(...differences(item, actual[i], `${at}[${i}]`));
    });
    return problems;
  }
  if (documented && typeof documented === 'object') {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual))
      return [`${at}: documented an object, got ${JSON.stringify(actual)}`];
    const problems: string[] = [];
    const keys = new Set([...Object.keys(documented), ...Object.keys(actual)]);
    for (const key of keys) {
      if (!(key in documented))
        problems.push(`${at}.${key}: not documented, got ${JSON.stringify(actual[key as never])}`);
      else if (!(key in actual)) problems.push(`${at}.${key}: documented but missing`);
      else problems.push(...differences(documented[key as never], actual[key as never], `${at}.${key}`));
    }
    return problems;
  }
  return documented === actual
    ? []
    : [`${at}: documented ${JSON.stringify(documented)}, got ${JSON.stringify(actual)}`];
}
