// Small pure helpers that turn a captured span into a clean value: cut the
// tail that is not part of it, split lists, fix casing, check its shape.

import { FIXED_PHRASES, FOODS, GAMES, INSTRUMENTS, MUSIC, NOT_NAMES, SPORTS, TAIL } from './lexicon.js';
import { type WordClass, wordClasses } from './word-classes.js';

/** Trims the value and the words after it that are not part of it ("Berlin with my wife" -> "Berlin"). */
export function cutTail(value: string): string {
  return trimValue(value.replace(TAIL, ''));
}

/** Trims spaces, surrounding punctuation and a trailing "!"/"." run. */
export function trimValue(value: string): string {
  return value
    .replace(/\s+/g, ' ')
    .replace(/^[\s,;:.\-–—]+/, '')
    .replace(/[\s,;:.!?…\-–—)]+$/, '')
    .trim();
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL brackets a protected phrase's index; text reaching here never holds NUL.
const PROTECTED_MARK = /\u0000(\d+)\u0000/g;

/**
 * Splits "hiking, skiing and reading" into items. Fixed phrases such as
 * "mac and cheese" stay whole. An optional quantifier ("a little", "some")
 * before an item is dropped.
 */
export function splitList(value: string): string[] {
  const protectedPhrases: string[] = [];
  const text = value.replace(FIXED_PHRASE, (found) => {
    protectedPhrases.push(found);
    return `\u0000${protectedPhrases.length - 1}\u0000`;
  });
  return text
    .split(/\s*,\s*(?:(?:and|or|&|as well as)\s+)?|\s*;\s*|\s+(?:and|or|&|as well as|plus)\s+|\s*\/\s*/i)
    .map((item) => item.replace(PROTECTED_MARK, (_m, i: string) => protectedPhrases[Number(i)] ?? ''))
    .map((item) => trimValue(item))
    .filter((item) => item.length > 0);
}

const FIXED_PHRASE = new RegExp(`\\b(?:${FIXED_PHRASES.map(escapeRegExp).join('|')})\\b`, 'gi');

const CONNECTORS = new Set([
  'de',
  'da',
  'del',
  'della',
  'di',
  'do',
  'dos',
  'das',
  'la',
  'le',
  'les',
  'van',
  'von',
  'der',
  'den',
  'of',
  'the',
  'upon',
  'am',
  'an',
  'on',
  'and',
  'y',
  'e',
  'el',
  'al',
  'bin',
  'ibn',
]);

/**
 * Proper-noun casing for names and places typed in lower case
 * ("new york" -> "New York"); values with any capital are kept as typed.
 */
export function properCase(value: string): string {
  if (/\p{Lu}/u.test(value)) return value;
  return value
    .split(' ')
    .map((word, i) => ((i > 0 && CONNECTORS.has(word)) || (i === 0 && word === 'the') ? word : capitalise(word)))
    .join(' ')
    .replace(/(^|[-'])(\p{Ll})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function wordCount(value: string): number {
  return value.split(/\s+/).filter(Boolean).length;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The value with a leading article or quantifier removed ("a little French" -> "French"). */
export function stripQuantifier(value: string): string {
  return value.replace(
    /^(?:a little(?: bit of)?|a bit of|a bit|some|basic|fluent|native|conversational|decent|good|broken|very little|also|all|most|any)\s+/i,
    '',
  );
}

/** Words that make a value a reference to the conversation, not a thing the user likes. */
const NOT_AN_OBJECT =
  /^(?:it|this|that|these|those|you|your|yours|them|him|her|us|me|myself|how|what|when|where|why|who|whether|if|the way|the idea|the fact|about|some|something|anything|everything|nothing|a lot|more|less|most|my|our|his|their|its|both|either|neither|each|none|one|ones|mine|any|all|all of (?:them|it|this)|so|very|too|being here|here|there|to (?:think|know|say|ask|see|hear|imagine|believe|mention|add|point|tell|keep|make sure|be|have|get|start|try))\b/i;
const CONVERSATION_WORDS =
  /\b(?:options?|answers?|suggestions?|versions?|responses?|repl(?:y|ies)|solutions?|ideas?|approach(?:es)?|examples?|explanations?|code|drafts?|lists?|summar(?:y|ies)|questions?|points?|bullet points|one|update|feature|results?|output|format(?:ting)?|layout|design|tone|style|chat|conversations?|emojis?|links?|tables?|details)\b/i;
/** "the beach", "The Beatles": a "the ..." object is kept only when it names something, not "the second one". */
const THE_OBJECT =
  /^[Tt]he\s+(?:\p{Lu}|(?:outdoors|mountains|beach|ocean|sea|rain|snow|sun|forest|countryside|theater|theatre|opera|ballet|cinema|movies|gym|city|water|winter|summer|autumn|fall|spring|holidays|outdoors)\b)/u;

/** True when a liked/disliked value is a real thing, not "it", "your idea" or "the second option". */
export function isLikeObject(value: string): boolean {
  if (value.length === 0 || wordCount(value) > 6) return false;
  if (NOT_AN_OBJECT.test(value)) return false;
  if (CONVERSATION_WORDS.test(value)) return false;
  if (/\b(?:it|this|that|them|these|those|you)$/i.test(value)) return false; // "pineapple on it"
  if (/^the\s/i.test(value) && !THE_OBJECT.test(value)) return false;
  if (
    /^(?:working|being|doing|getting|having|going|trying|using|making|seeing|knowing|thinking|talking|chatting|waiting|hearing|reading this|living)$/i.test(
      value,
    )
  )
    return false;
  if (/^(?:big|huge|massive|great|avid|die-hard|diehard|real|true|total|such|an?|the|fan)$/i.test(value)) return false;
  return /\p{L}/u.test(value);
}

/** A person's name: 1-3 words, letters only, not a common word. Lower-case input is accepted only when `lowerOk`. */
export function asPersonName(value: string, lowerOk: boolean): string | null {
  const words = value.split(/\s+/).filter(Boolean);
  if (words.length === 0 || words.length > 3) return null;
  for (const word of words) {
    if (!/^[\p{L}][\p{L}'.-]*$/u.test(word)) return null;
    if (NOT_NAMES.has(word.toLowerCase())) return null;
    if (!lowerOk && !/^\p{Lu}/u.test(word)) return null;
  }
  return properCase(value);
}

const PLACE_STARTS =
  /^(?:a|an|my|our|your|his|her|their|this|that|these|those|some|here|there|home|town|it|bed|the (?:city|country|countryside|suburbs?|center|centre|middle|same|house|apartment|flat|woods|forest|mountains|hills|area|neighbou?rhood|building|dorms?|street|village|town|south|north|east|west|moment|meantime|future|past|beach|sea|ocean|coast|lake|river|park|station|airport|office|university|campus|school|hospital|mall|border|water|forest|desert|countryside|outskirts|capital|hotel))\b/i;

/** A place name: at most 5 words, no digits (no street addresses), not "a small flat" or "the city". */
export function asPlace(value: string): string | null {
  // "Manchester, Biscuit and Mochi": names listed after a comma are not the place ("Portland, Oregon" is).
  const place = trimValue(
    value
      .replace(/,\s*(?:not|but|which|where|so|because|though|since|and)\b.*$/i, '')
      .replace(/,\s*\p{Lu}[\p{L}'-]* and \p{Lu}.*$/u, ''),
  );
  if (place.length === 0 || wordCount(place) > 5) return null;
  if (/\d/.test(place) || PLACE_STARTS.test(place)) return null;
  if (!/^[\p{L}][\p{L}\s.,'()-]*$/u.test(place)) return null;
  if (/\s(?:and|but|where|which|so)\s+\p{Ll}/u.test(place) && /\p{Lu}/u.test(place)) return null; // "Oslo and work at Equinor"
  return properCase(place);
}

/** The last word of a phrase, lower-cased ("dark chocolate" -> "chocolate"). */
export function headWord(value: string): string {
  const words = value.toLowerCase().split(/\s+/);
  return words[words.length - 1] ?? '';
}

function inLexicon(lexicon: ReadonlySet<string>, value: string): boolean {
  const lower = value.toLowerCase().replace(/^the\s+/, '');
  return lexicon.has(lower) || lexicon.has(headWord(lower)) || lexicon.has(lower.replace(/s$/, ''));
}

/**
 * A common noun phrase WordNet files under one of these classes (word-classes.ts). A capitalised value is a
 * name ("Java", "Arsenal"), not the common noun it spells, and is left to the lists.
 */
export function inClass(value: string, ...classes: WordClass[]): boolean {
  if (/^\p{Lu}/u.test(value.replace(/^the\s+/i, ''))) return false;
  return wordClasses(value).some((c) => classes.includes(c));
}

/** Words of a diet that WordNet also files as foods ("halal" meat, "kosher" food): a diet, not a dish. */
const DIET_WORDS = /^(?:halal|kosher|vegan|vegetarian|organic|paleo|keto|raw|junk food|fast food)$/i;

export const isFood = (value: string): boolean =>
  inLexicon(FOODS, value) ||
  /\b(?:food|cuisine|dishes)$/i.test(value) ||
  (!DIET_WORDS.test(value.trim()) && inClass(value, 'food', 'drink'));
export const isSport = (value: string): boolean => inLexicon(SPORTS, value) || inClass(value, 'sport');
export const isMusic = (value: string): boolean =>
  inLexicon(MUSIC, value) || /\bmusic$/i.test(value) || inClass(value, 'music');
export const isInstrument = (value: string): boolean =>
  inLexicon(INSTRUMENTS, value.replace(/^the\s+/i, '')) || inClass(value, 'instrument');
export const isGame = (value: string): boolean => inLexicon(GAMES, value) || inClass(value, 'game');

const NOT_GERUNDS = new Set([
  'thing',
  'things',
  'something',
  'anything',
  'everything',
  'nothing',
  'king',
  'ring',
  'spring',
  'morning',
  'mornings',
  'evening',
  'evenings',
  'wedding',
  'building',
  'clothing',
  'ceiling',
  'pudding',
  'stuffing',
  'dumpling',
  'dumplings',
  'string',
  'sibling',
  'darling',
  'ending',
  'meeting',
  'meetings',
  'feeling',
  'beginning',
  'during',
  'bring',
  'sing',
  'wing',
  'wings',
  'icing',
  'frosting',
  'seasoning',
  'topping',
  'toppings',
  'filling',
]);

/** An activity noun: "hiking", "rock climbing", "bird watching". */
export function isActivity(value: string): boolean {
  const words = value.toLowerCase().split(/\s+/);
  if (words.length > 3) return false;
  return words.some((w) => /^[a-z]{3,}ing$/.test(w) && !NOT_GERUNDS.has(w));
}

/** Turns a first-person verb phrase into third person: "finish my degree" -> "finish their degree". */
export function thirdPerson(phrase: string): string {
  return phrase
    .replace(/\bmy\b/gi, 'their')
    .replace(/\bmyself\b/gi, 'themselves')
    .replace(/\bme\b/gi, 'them')
    .replace(/\bmine\b/gi, 'theirs')
    .replace(/\bI am\b/g, 'they are')
    .replace(/\bI\b/g, 'they');
}

/** Count words for facts: 2 -> "two", 14 -> "14". */
export function countWord(n: number): string {
  const names = [
    'no',
    'one',
    'two',
    'three',
    'four',
    'five',
    'six',
    'seven',
    'eight',
    'nine',
    'ten',
    'eleven',
    'twelve',
  ];
  return names[n] ?? String(n);
}
