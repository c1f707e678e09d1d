// A project's own slots (topics and sub-topics set with setProfileConfig that
// are not in the default profile) have no statement rules. A first-person
// statement that clearly names one, by the slot's name or by words of its
// description, is stored there as said, in the third person: with a sub-topic
// "trips" ("Places the user travelled to"), "I went to Japan last spring"
// becomes "Went to Japan last spring". Words are compared by lemma (nlp.ts).

import { DEFAULT_PROFILE_CONFIG, findSlot, findTopic } from '../../../domain/profile/default-profile.js';
import type { ProfileConfig } from '../../../domain/types.js';
import { thirdPersonVerb } from './everyday.js';
import type { CandidateFact } from './intents.js';
import { type Token, tag } from './nlp.js';
import { capitalise } from './values.js';

interface CustomSlot {
  topic: string;
  subTopic: string;
  /** Lemmas of the slot's (and its topic's) name: one is enough to match. */
  names: Set<string>;
  /** Lemmas of the descriptions: two are needed. */
  described: Set<string>;
}

/** Words every description uses that say nothing about the slot. */
const GENERIC = new Set([
  'user',
  'users',
  'person',
  'people',
  'thing',
  'things',
  'fact',
  'detail',
  'info',
  'information',
  'kind',
  'type',
  'sort',
  'way',
  'like',
  'have',
  'be',
  'do',
  'get',
  'go',
  'make',
  'say',
  'tell',
  'mention',
  'include',
  'current',
  'other',
  'own',
  'many',
  'much',
  'lot',
  'e.g',
  'etc',
]);

const CONTENT = new Set(['NOUN', 'PROPN', 'VERB', 'ADJ']);

/** The lemma with a leftover -ed/-ing cut, so "preferred" (tagged an adjective) meets "prefer". */
function stem(lemma: string): string {
  if (lemma.length < 6) return lemma;
  return lemma
    .replace(/([b-df-hj-np-tv-z])\1(?:ed|ing)$/, '$1')
    .replace(/ied$/, 'y')
    .replace(/(?<=\w{3})(?:ed|ing)$/, '');
}

function lemmas(text: string): Set<string> {
  return new Set(
    tag(text.replace(/[_-]+/g, ' ').toLowerCase())
      .filter((t) => CONTENT.has(t.pos) && !t.stop && t.lower.length > 2)
      .map((t) => stem(t.lemma))
      .filter((l) => !GENERIC.has(l)),
  );
}

const cache = new WeakMap<ProfileConfig, CustomSlot[]>();

/** The config's slots that are not default ones, with their words; cached per config object. */
function customSlots(profile: ProfileConfig): CustomSlot[] {
  const cached = cache.get(profile);
  if (cached) return cached;
  const slots: CustomSlot[] = [];
  for (const topic of profile.topics) {
    for (const sub of topic.subTopics) {
      if (findSlot(DEFAULT_PROFILE_CONFIG, topic.name, sub.name)) continue;
      // A default topic's name ("interests") says too little; a project's own topic name ("travel") counts.
      const names = lemmas(`${sub.name} ${findTopic(DEFAULT_PROFILE_CONFIG, topic.name) ? '' : topic.name}`);
      const described = lemmas(`${sub.description} ${topic.description}`);
      slots.push({ topic: topic.name, subTopic: sub.name, names, described });
    }
  }
  cache.set(profile, slots);
  return slots;
}

/** "I travel to Japan every spring" -> "Travels to Japan every spring"; null when the user is not the subject. */
export function thirdPersonStatement(clause: string): string | null {
  const tokens = [...tag(clause)];
  // A trailing "now", "honestly", "these days" qualifies the statement; it is not part of the fact.
  while (tokens.length > 3 && (tokens[tokens.length - 1]!.pos === 'ADV' || tokens[tokens.length - 1]!.pos === 'PUNCT'))
    tokens.pop();
  const [first, second] = tokens;
  if (!first) return null;
  const rest = (from: number) =>
    tokens
      .slice(from)
      .map((t, i) => (i === 0 ? t.text : t.space + t.text))
      .join('')
      .replace(/\b(?:my|our)\b/gi, 'their')
      .replace(/\bours\b/gi, 'theirs')
      .replace(/\bmyself\b/gi, 'themselves')
      .replace(/\bme\b/gi, 'them')
      .trim();
  if (first.lower === 'my' && tokens.length > 2) return capitalise(rest(1));
  if (first.lower !== 'i' && first.lower !== 'we') return null;
  if (!second) return null;
  const tail = rest(2);
  switch (second.lower) {
    case 'am':
    case 'are':
      return `Is ${tail}`;
    case 'have':
      return `Has ${tail}`;
    case 'was':
    case 'were':
      return `Was ${tail}`;
    case 'do':
      return /^not\b/.test(tail) ? `Does ${tail}` : null;
    default:
      if (second.pos !== 'VERB') return null;
      return capitalise(
        `${second.text === second.lemma ? thirdPersonVerb(second.lower) : second.lower} ${tail}`.trim(),
      );
  }
}

/**
 * A fact for the project's own slot that this first-person clause clearly
 * names: a word of the slot's name, or two words of its description, among
 * the clause's nouns, verbs and adjectives; the best-scoring slot, and none
 * on a tie. Null when no custom slot fits.
 */
export function customSlotFact(clause: string, profile: ProfileConfig): CandidateFact | null {
  const slots = customSlots(profile);
  if (slots.length === 0) return null;
  const tokens: Token[] = tag(clause);
  if (tokens.length > 25) return null;
  const words = new Set(tokens.filter((t) => CONTENT.has(t.pos) && !t.stop).map((t) => stem(t.lemma)));
  // "My garden is full of roses" is about the user's garden; "My sister went on a trip" is about the sister.
  const possessive = /^(?:my|our)$/i.test(tokens[0]?.lower ?? '');
  const verb = tokens.findIndex((t) => t.pos === 'VERB' || t.pos === 'AUX');
  const subjectWords = new Set(
    tokens
      .slice(1, verb < 0 ? tokens.length : verb)
      .filter((t) => CONTENT.has(t.pos))
      .map((t) => stem(t.lemma)),
  );
  let best: { slot: CustomSlot; score: number } | null = null;
  let tie = false;
  for (const slot of slots) {
    const byName = [...slot.names].filter((w) => words.has(w)).length;
    const byDescription = [...slot.described].filter((w) => words.has(w) && !slot.names.has(w)).length;
    const score = byName * 2 + byDescription;
    if (byName === 0 && byDescription < 2) continue;
    if (possessive && ![...subjectWords].some((w) => slot.names.has(w) || slot.described.has(w))) continue;
    if (best === null || score > best.score) {
      best = { slot, score };
      tie = false;
    } else if (score === best.score) tie = true;
  }
  if (best === null || tie) return null;
  const text = thirdPersonStatement(clause);
  if (text === null) return null;
  return {
    slot: { topic: best.slot.topic, subTopic: best.slot.subTopic },
    text,
    value: text,
    categories: [best.slot.topic],
  };
}
