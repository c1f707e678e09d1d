// The English model the offline extractor reads sentences with: wink-nlp and
// its bundled lite web model (tokens, part-of-speech tags in the Universal
// Dependencies set, lemmas, negation), offline and deterministic. Loaded once
// per process, on first use (about 0.3 s and 20 MB).

import winkNLP, { type WinkMethods } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

export interface Token {
  /** As written. */
  text: string;
  /** Lower case. */
  lower: string;
  /** Universal POS tag: NOUN, PROPN, VERB, AUX, ADJ, ADV, ADP, DET, PRON, NUM, PART, CCONJ, SCONJ, INTJ, PUNCT, SYM, X. */
  pos: string;
  lemma: string;
  /** Spaces before the token in the text it came from. */
  space: string;
  /** A function word ("the", "and", "of", "I"): wink's English stop-word list. */
  stop: boolean;
}

let instance: WinkMethods | null = null;

function nlp(): WinkMethods {
  // Only the part-of-speech tagger: sentences, negation, sentiment and entities are not used (twice as fast).
  instance ??= winkNLP(model, ['pos']);
  return instance;
}

/** Recent results: a clause is tagged again while its sentence is split and trimmed. */
const recent = new Map<string, Token[]>();
const RECENT_LIMIT = 512;

/** Tokens of a short text (one sentence or clause). Do not mutate the result: it is shared. */
export function tag(text: string): Token[] {
  const cached = recent.get(text);
  if (cached) return cached;
  const tokens = tagFresh(text);
  if (recent.size >= RECENT_LIMIT) recent.delete(recent.keys().next().value as string);
  recent.set(text, tokens);
  return tokens;
}

function tagFresh(text: string): Token[] {
  const w = nlp();
  const tokens = w.readDoc(text).tokens();
  const its = w.its;
  const values = tokens.out() as string[];
  const pos = tokens.out(its.pos) as string[];
  // The lemma function is typed for spans in wink's .d.ts; it works on token collections too.
  const lemmas = tokens.out(its.lemma as unknown as typeof its.value) as string[];
  const spaces = tokens.out(its.precedingSpaces) as string[];
  const stops = tokens.out(its.stopWordFlag) as unknown as boolean[];
  return values.map((value, i) => ({
    text: value,
    lower: value.toLowerCase(),
    pos: pos[i] ?? 'X',
    lemma: lemmas[i] ?? value.toLowerCase(),
    space: spaces[i] ?? '',
    stop: stops[i] ?? false,
  }));
}

/** The text of a run of tokens, spaced as written. */
export function join(tokens: readonly Token[]): string {
  return tokens
    .map((t, i) => (i === 0 ? t.text : t.space + t.text))
    .join('')
    .trim();
}

/** The base form of an -ing verb, lemmatised as a verb ("smoking" -> "smoke", "running" -> "run"). */
export function baseForm(gerund: string): string {
  const verb = tag(`I am ${gerund.toLowerCase()}`)[2];
  return verb && verb.pos === 'VERB' && verb.lemma !== verb.lower
    ? verb.lemma
    : gerund.toLowerCase().replace(/ing$/, '');
}
