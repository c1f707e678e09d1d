// The offline structured filler: writes a user's memories into a JSON Schema
// without an LLM, deterministically. Each property is matched by its name,
// title and description (split into words, lightly stemmed, widened by a
// small synonym table) against the memories' profile slot (topic, sub-topic
// and the slot's description) and their text; the best-matching memories
// give the value:
//
// - string: the memory's statement without its lead-in ("Lives in Porto" ->
//   "Porto"); with a format (email, date, uri) only a value of that format
//   found in the text; enum: the option the memory's text names;
// - number / integer: a number in the memory's text, within the bounds;
// - boolean: true when a matching memory states it, false when it negates it;
// - array: one item per matching memory (scalars, enums or objects);
// - object: its properties, recursively.
//
// A property nothing matches is left out, or null where the schema allows
// null and the property is required. A required property that cannot be
// filled and does not allow null gets the schema's default or const, else
// the empty value of its type. The result is then validated like an LLM's.

import type { StructuredFillInput, StructuredFiller } from '../ports.js';
import type { JsonObject, JsonValue, MemoryRecord, ProfileConfig } from '../types.js';

type Schema = JsonObject;

interface Candidate {
  memory: MemoryRecord;
  slotNames: Set<string>;
  slotWords: Set<string>;
  textWords: Set<string>;
}

interface FillContext {
  root: Schema;
  candidates: Candidate[];
  depth: number;
  /** Inside an object about someone else (an emergency contact, a doctor): only memories that name it. */
  about: string[] | null;
}

/** A property matches a memory from this score on (one word of the slot's name, or two of its text). */
const MATCH_THRESHOLD = 3;
/** Words that make an object about another person than the user. */
const OTHER_PEOPLE = new Set(
  'contact emergency doctor physician guardian reference manager referrer parent mother father spouse partner child kid sibling friend'.split(
    ' ',
  ),
);
const MAX_DEPTH = 12;

export class OfflineSchemaFiller implements StructuredFiller {
  readonly name = 'offline';
  readonly retries = false;

  async fill(input: StructuredFillInput): Promise<{ value: unknown; usage: null }> {
    return { value: fillSchema(input.schema, input.memories, input.profile), usage: null };
  }
}

export function fillSchema(schema: Schema, memories: readonly MemoryRecord[], profile: ProfileConfig): JsonValue {
  const descriptions = new Map<string, string>();
  for (const topic of profile.topics)
    for (const sub of topic.subTopics) descriptions.set(`${topic.name}/${sub.name}`, sub.description);
  const candidates = memories.map((memory) => ({
    memory,
    slotNames: new Set(widen([...words(memory.topic), ...words(memory.subTopic)])),
    slotWords: new Set(words(descriptions.get(`${memory.topic}/${memory.subTopic}`) ?? '')),
    textWords: new Set(widen(words(memory.text))),
  }));
  const ctx: FillContext = { root: schema, candidates, depth: 0, about: null };
  const value = fillValue(schema, [], ctx, null);
  return value === undefined ? fallback(resolve(schema, ctx.root), ctx) : value;
}

// ---------------------------------------------------------------- walking the schema

/**
 * The value for `schema`, named by `names` (the property's words and its
 * parents'); `focus` is the one memory an array item is written from.
 */
function fillValue(schema: Schema, names: string[], ctx: FillContext, focus: Candidate | null): JsonValue | undefined {
  if (ctx.depth > MAX_DEPTH) return undefined;
  const s = branch(resolve(schema, ctx.root), ctx.root);
  const own = [...names, ...words(str(s.title)), ...words(str(s.description)).slice(0, 12)];
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum)) return fillEnum(s.enum, own, ctx, focus);
  switch (typeOf(s)) {
    case 'object': {
      const about = names.slice(0, 4).some((w) => OTHER_PEOPLE.has(w)) ? names.slice(0, 4) : ctx.about;
      return fillObject(s, names, { ...ctx, depth: ctx.depth + 1, about }, focus);
    }
    case 'array':
      return fillArray(s, own, { ...ctx, depth: ctx.depth + 1 }, focus);
    case 'string':
      return firstOf(ranked(own, ctx, focus), (c) => stringValue(s, c.memory.text));
    case 'number':
    case 'integer':
      return firstOf(ranked(own, ctx, focus), (c) => numberValue(s, c.memory.text));
    case 'boolean':
      // A yes/no needs every word of its name stated ("drinksAlcohol": drink and alcohol), not a related slot.
      return firstOf(ranked(own, ctx, focus), (c) => (statesAll(names, c) ? !negated(c.memory.text) : undefined));
    default:
      return undefined;
  }
}

function fillObject(s: Schema, parents: string[], ctx: FillContext, focus: Candidate | null): JsonValue | undefined {
  const properties = isObject(s.properties) ? (s.properties as Record<string, Schema>) : {};
  const required = new Set(Array.isArray(s.required) ? s.required.map(String) : []);
  const out: JsonObject = {};
  let filled = 0;
  for (const [key, child] of Object.entries(properties)) {
    if (!isObject(child)) continue;
    const names = [...words(key), ...parents.slice(0, 4)];
    const value = fillValue(child, focus ? words(key) : names, ctx, focus);
    if (value !== undefined) {
      out[key] = value;
      filled++;
    } else if (required.has(key)) {
      out[key] = allowsNull(resolve(child, ctx.root)) ? null : fallback(resolve(child, ctx.root), ctx);
    }
  }
  // An array item's object holds its memory's statement in its first required string property no other
  // property took (or, when nothing was filled, its first string property): "allergies: [{ substance }]".
  if (focus) {
    const strings = Object.entries(properties).filter(
      ([key, child]) =>
        isObject(child) &&
        typeOf(branch(resolve(child, ctx.root), ctx.root)) === 'string' &&
        !Array.isArray(branch(resolve(child, ctx.root), ctx.root).enum) &&
        (out[key] === undefined || out[key] === '' || out[key] === null),
    );
    const main = strings.find(([key]) => required.has(key)) ?? (filled === 0 ? strings[0] : undefined);
    if (main) {
      const value = stringValue(branch(resolve(main[1], ctx.root), ctx.root), focus.memory.text);
      if (value !== undefined) {
        out[main[0]] = value;
        filled++;
      }
    }
  }
  return filled > 0 ? out : undefined;
}

function fillArray(s: Schema, names: string[], ctx: FillContext, focus: Candidate | null): JsonValue | undefined {
  const items = isObject(s.items) ? branch(resolve(s.items as Schema, ctx.root), ctx.root) : {};
  const matches = focus ? [focus] : ranked(names, ctx, null, true);
  const maxItems = typeof s.maxItems === 'number' ? s.maxItems : 50;
  const minItems = typeof s.minItems === 'number' ? s.minItems : 0;
  const out: JsonValue[] = [];
  const seen = new Set<string>();
  for (const candidate of matches) {
    if (out.length >= maxItems) break;
    const item = Array.isArray(items.enum)
      ? fillEnum(items.enum, names, ctx, candidate)
      : fillValue(items, names, ctx, candidate);
    const key = JSON.stringify(item);
    if (item === undefined || seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out.length > 0 && out.length >= minItems ? out : undefined;
}

function fillEnum(
  options: JsonValue[],
  names: string[],
  ctx: FillContext,
  focus: Candidate | null,
): JsonValue | undefined {
  for (const candidate of focus ? [focus] : ranked(names, ctx, null)) {
    let best: { option: JsonValue; score: number } | null = null;
    for (const option of options) {
      if (typeof option !== 'string' && typeof option !== 'number') continue;
      const optionWords = widen(words(String(option)));
      const score = optionWords.filter((w) => candidate.textWords.has(w)).length / Math.max(1, optionWords.length);
      if (score > 0 && (!best || score > best.score)) best = { option, score };
    }
    if (best) return best.option;
  }
  return undefined;
}

/** Memories that match the names, best first (ties: the most recently updated). `focus` alone when given. */
function ranked(names: string[], ctx: FillContext, focus: Candidate | null, many = false): Candidate[] {
  const wanted = widen(names);
  if (focus) return wanted.length > 0 && score(wanted, focus) > 0 ? [focus] : [];
  if (wanted.length === 0) return [];
  const scored = ctx.candidates
    .filter((candidate) => !ctx.about || score(widen(ctx.about), candidate) > 0)
    .map((candidate) => ({ candidate, score: score(wanted, candidate) }))
    .filter((entry) => entry.score >= MATCH_THRESHOLD);
  const best = Math.max(0, ...scored.map((entry) => entry.score));
  // A scalar takes the best, most recent statement; a list takes every statement about as good, oldest first.
  return scored
    .filter((entry) => !many || entry.score >= best * 0.7)
    .sort((a, b) => {
      const byTime = a.candidate.memory.createdAt.getTime() - b.candidate.memory.createdAt.getTime();
      const byId = a.candidate.memory.id < b.candidate.memory.id ? -1 : 1;
      return b.score - a.score || (many ? byTime : -byTime) || byId;
    })
    .map((entry) => entry.candidate);
}

/** Every word of the name (its first three) is in the memory's slot or text. */
function statesAll(names: string[], candidate: Candidate): boolean {
  const own = names.slice(0, 3).filter((w) => !['ha', 'has', 'doe', 'can'].includes(w));
  return (
    own.length > 0 &&
    own.every((word) => widen([word]).some((w) => candidate.slotNames.has(w) || candidate.textWords.has(w)))
  );
}

function score(wanted: string[], candidate: Candidate): number {
  let total = 0;
  for (const word of new Set(wanted)) {
    if (candidate.slotNames.has(word)) total += 3;
    else if (candidate.textWords.has(word)) total += 1.5;
    else if (candidate.slotWords.has(word)) total += 1;
  }
  return total;
}

// ---------------------------------------------------------------- values

const FORMATS: Record<string, RegExp> = {
  email: /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/,
  date: /\b\d{4}-\d{2}-\d{2}\b/,
  'date-time': /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})\b/,
  uri: /\bhttps?:\/\/[^\s)]+/,
  url: /\bhttps?:\/\/[^\s)]+/,
};

/** Lead-ins of a memory's statement, dropped to keep the value ("Lives in Porto" -> "Porto"). */
const LEAD_IN =
  /^(?:(?:the\s+)?user(?:'s)?\s+)?(?:name\s+is|is\s+called|is\s+named|goes\s+by|lives\s+in|lives\s+at|moved\s+to|is\s+from|was\s+born\s+in|works\s+as(?:\s+an?)?|works\s+at|works\s+for|works\s+in|is\s+(?:\w+ly\s+)?allergic\s+to|is\s+intolerant\s+to|speaks|plays|likes|loves|enjoys|prefers|dislikes|hates|has|is)\s+/i;

function stringValue(s: Schema, text: string): string | undefined {
  const format = str(s.format);
  let value: string | undefined;
  if (format && FORMATS[format]) value = FORMATS[format].exec(text)?.[0];
  else if (format)
    return undefined; // a format it cannot recognise in free text
  else
    value =
      text
        .replace(LEAD_IN, '')
        .replace(/[.;]+$/, '')
        .trim() || text;
  if (value === undefined) return undefined;
  if (typeof s.maxLength === 'number' && [...value].length > s.maxLength)
    value = [...value].slice(0, s.maxLength).join('');
  if (typeof s.minLength === 'number' && [...value].length < s.minLength) return undefined;
  if (typeof s.pattern === 'string') {
    try {
      if (!new RegExp(s.pattern, 'u').test(value)) return undefined;
    } catch {
      return undefined; // a pattern JavaScript cannot compile: leave the field to the validator
    }
  }
  return value;
}

function numberValue(s: Schema, text: string): number | undefined {
  for (const match of text.matchAll(/-?\d+(?:[.,]\d+)?/g)) {
    const value = Number(match[0].replace(',', '.'));
    if (!Number.isFinite(value)) continue;
    if (typeOf(s) === 'integer' && !Number.isInteger(value)) continue;
    if (typeof s.minimum === 'number' && value < s.minimum) continue;
    if (typeof s.maximum === 'number' && value > s.maximum) continue;
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) continue;
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) continue;
    return value;
  }
  return undefined;
}

function negated(text: string): boolean {
  return /\b(?:not|no|never|no\s+longer|doesn't|does\s+not|isn't|don't|hasn't|without)\b/i.test(text);
}

/** What a required property gets when nothing fills it. */
function fallback(s: Schema, ctx: FillContext): JsonValue {
  const b = branch(s, ctx.root);
  if (b.default !== undefined) return b.default;
  if (b.const !== undefined) return b.const;
  if (allowsNull(s)) return null;
  if (Array.isArray(b.enum) && b.enum.length > 0) return b.enum[0]!;
  switch (typeOf(b)) {
    case 'string':
      return typeof b.minLength === 'number' && b.minLength > 0 ? 'unknown'.padEnd(b.minLength, '?') : '';
    case 'number':
    case 'integer':
      return typeof b.minimum === 'number' ? b.minimum : 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object': {
      const out: JsonObject = {};
      const properties = isObject(b.properties) ? (b.properties as Record<string, Schema>) : {};
      if (ctx.depth <= MAX_DEPTH)
        for (const key of Array.isArray(b.required) ? b.required.map(String) : [])
          if (isObject(properties[key]))
            out[key] = fallback(resolve(properties[key], ctx.root), { ...ctx, depth: ctx.depth + 1 });
      return out;
    }
    default:
      return null;
  }
}

// ---------------------------------------------------------------- schema helpers

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Follows a local $ref (#/$defs/x, #/definitions/x); anything else stays as it is. */
function resolve(schema: Schema, root: Schema): Schema {
  let current = schema;
  for (let hops = 0; hops < 16 && typeof current.$ref === 'string' && current.$ref.startsWith('#'); hops++) {
    let target: JsonValue = root;
    for (const part of current.$ref.slice(1).split('/').filter(Boolean)) {
      const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
      target = isObject(target) ? (target[key] ?? null) : null;
    }
    if (!isObject(target)) return current;
    const { $ref: _ref, ...rest } = current;
    current = { ...target, ...rest };
  }
  return current;
}

/** The first branch of anyOf/oneOf that is not just null (what is filled); the schema itself otherwise. */
function branch(schema: Schema, root: Schema): Schema {
  const choices = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : null;
  if (!choices) return schema;
  const chosen = choices.find((choice) => isObject(choice) && typeOf(resolve(choice, root)) !== 'null');
  if (!isObject(chosen)) return schema;
  const { anyOf: _a, oneOf: _o, ...rest } = schema;
  return { ...rest, ...resolve(chosen, root) };
}

function typeOf(schema: Schema): string | null {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return (type.find((t) => t !== 'null') as string | undefined) ?? 'null';
  if (isObject(schema.properties)) return 'object';
  if (isObject(schema.items)) return 'array';
  return null;
}

function allowsNull(schema: Schema): boolean {
  const type = schema.type;
  if (type === 'null' || (Array.isArray(type) && type.includes('null'))) return true;
  const choices = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : [];
  return choices.some((choice) => isObject(choice) && choice.type === 'null');
}

function firstOf<T>(candidates: Candidate[], pick: (c: Candidate) => T | undefined): T | undefined {
  for (const candidate of candidates) {
    const value = pick(candidate);
    if (value !== undefined) return value;
  }
  return undefined;
}

// ---------------------------------------------------------------- words

const STOPWORDS = new Set(
  'a an the of to in on at for and or is are was be by with as from this that it its their user users person s'.split(
    ' ',
  ),
);

/** Words of a name or a text: camelCase and snake_case split, lower-cased, lightly stemmed, stopwords out. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1 && !STOPWORDS.has(w))
    .map(stem);
}

function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 5 && word.endsWith('ly')) return word.slice(0, -2);
  if (word.length > 4 && /(?:ches|shes|sses|xes)$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** Names people give fields, mapped to the words of memql's profile slots. */
const SYNONYMS: Record<string, string[]> = {
  fullname: ['name'],
  firstname: ['name'],
  first: ['name'],
  last: ['name'],
  surname: ['name'],
  called: ['name'],
  job: ['title', 'work'],
  occupation: ['title', 'work'],
  profession: ['title', 'work'],
  role: ['title'],
  position: ['title'],
  employer: ['company'],
  organization: ['company'],
  organisation: ['company'],
  workplace: ['company'],
  city: ['location'],
  residence: ['location'],
  home: ['location'],
  address: ['location'],
  hometown: ['origin'],
  country: ['nationality'],
  citizenship: ['nationality'],
  allergic: ['allergy'],
  allergen: ['allergy'],
  intolerance: ['allergy'],
  dietary: ['diet'],
  vegetarian: ['diet'],
  vegan: ['diet'],
  hobby: ['hobby', 'interest'],
  pastime: ['hobby'],
  interest: ['hobby', 'interest'],
  pet: ['dog', 'cat', 'other_pet'],
  animal: ['pet'],
  spouse: ['partner'],
  married: ['partner'],
  marital: ['partner'],
  wife: ['partner'],
  husband: ['partner'],
  kid: ['children'],
  child: ['children'],
  medication: ['medication'],
  medical: ['condition', 'health'],
  illness: ['condition'],
  diagnosis: ['condition'],
  language: ['language'],
  skill: ['work_skill', 'skill'],
  birthdate: ['birthday'],
  dob: ['birthday'],
  born: ['birthplace', 'birthday'],
  instrument: ['music'],
  seat: ['seating'],
  trip: ['plan', 'travel'],
  destination: ['travel', 'plan'],
  goal: ['goal', 'plan'],
  cuisine: ['like', 'food'],
  food: ['food', 'like'],
};

function widen(list: readonly string[]): string[] {
  const out = new Set<string>();
  for (const word of list) {
    out.add(word);
    for (const synonym of SYNONYMS[word] ?? []) for (const w of words(synonym)) out.add(w);
  }
  return [...out];
}
