// The statement table: one entry per kind of self-statement the offline
// extractor understands, tried in order on a canonical clause ("I am
// vegetarian", contractions expanded, fillers and adverbs removed). The
// first entry that yields something wins. Negated clauses that no entry
// claims ("I no longer live in Berlin") are turned positive and retracted.

import type { DefaultSlotName } from '../../../domain/profile/default-profile.js';
import {
  assert,
  exactly,
  fact,
  favoriteSlot,
  formatDate,
  FUTURE_TIME_TAIL,
  futureWhen,
  likeFact,
  normaliseText,
  parseDate,
} from './facts.js';
import { isGoalPhrase } from './goals.js';
import type { CandidateFact, Intent } from './intents.js';
import { article, event, type RuleContext, rule, type StatementKind, type StatementRule, withArticle } from './rule.js';
import { companyFact, jobFacts, titleFact } from './work.js';
import { EVERYDAY_RULES, thirdPersonVerb } from './everyday.js';
import { wordClasses } from './word-classes.js';
import { baseForm, join, tag } from './nlp.js';
import {
  BUSINESSES,
  CONDITION_ADJECTIVES,
  CONDITIONS,
  INDUSTRIES,
  JOB_STATUSES,
  JOBS,
  LANGUAGES,
  NATIONALITIES,
  NUMBER_WORDS,
  PERSONALITY_ADJECTIVES,
  PERSONALITY_NOUNS,
  PETS,
  SCHOOL_WORDS,
} from './lexicon.js';
import {
  asPersonName,
  asPlace,
  capitalise,
  countWord,
  cutTail,
  escapeRegExp,
  isFood,
  isGame,
  isInstrument,
  isLikeObject,
  isSport,
  properCase,
  splitList,
  stripQuantifier,
  thirdPerson,
  trimValue,
  wordCount,
} from './values.js';

// Longest first: "a couple of" before "a".
const NUMBER = '(a couple of|no|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twin|\\d{1,2})';
const SUBJECT = '(?:I|we)';

function count(word: string | undefined): number | null {
  if (word === undefined) return null;
  const lower = word.toLowerCase();
  return NUMBER_WORDS.get(lower) ?? (/^\d+$/.test(lower) ? Number(lower) : null);
}

/** Names after "named"/"called": "Leo and Mia" -> "Leo and Mia" (each a capitalised name). */
function namesIn(text: string | undefined): string | null {
  if (!text) return null;
  const items = splitList(cutTail(text.replace(/^(?:named|called|who is called|whose name is)\s+/i, '')));
  const names = items.map((item) => asPersonName(item, false));
  if (names.length === 0 || names.some((n) => n === null)) return null;
  const list = names as string[];
  return list.length === 1 ? list[0]! : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
}

function items(value: string, limit = 8): string[] {
  return splitList(cutTail(value)).slice(0, limit);
}

// ---------------------------------------------------------------- builders

function nameFacts(value: string, lowerOk: boolean): Intent[] {
  const name = asPersonName(cutTail(value), lowerOk);
  return name ? [assert(fact('name', `Name is ${name}`, name))] : [];
}

function placeFact(slot: 'location' | 'origin' | 'birthplace', verb: string, value: string): Intent[] {
  // "a small flat in Glasgow", "a tiny studio near Vienna": the place is the named one after the description.
  const described =
    /^(?:(?:on|at)\s+)?(?:a|an|the|my|our|this)\s.*?\b(?:in|near|of|outside(?: of)?)\s+(?:the\s+)?(\p{Lu}[\p{L}.'-]*(?:\s+\p{Lu}[\p{L}.'-]*)*)/u.exec(
      value,
    );
  // "a tiny flat in leeds": in chat written all in lower case, the place is the last one or two words after "in".
  const lowerDescribed =
    described || /\p{Lu}/u.test(value)
      ? null
      : /^(?:a|an|the|my|our|this)\s.*?\b(?:in|near|outside(?: of)?)\s+(\p{Ll}[\p{L}.'-]*(?:\s+\p{Ll}[\p{L}.'-]*)?)$/u.exec(
          cutTail(value),
        );
  // "my hometown, Galway": the name after the description.
  const apposed =
    /^(?:my|our) (?:home ?town|home country|home city|birthplace|old (?:city|town)|childhood home)\s*,\s*(.+)$/i.exec(
      value,
    );
  const named = described ?? lowerDescribed;
  const place = asPlace(cutTail(named ? named[1]! : apposed ? apposed[1]! : value));
  return place ? [assert(fact(slot, `${verb} ${place}`, place))] : [];
}

function schoolName(raw: string): string | null {
  const school = cutTail(raw);
  if (school === '' || wordCount(school) > 7) return null;
  if (
    /^(?:school|college|university|uni|high school|grad school|law school|med school|medical school|class|classes|the gym|work)$/i.test(
      school,
    )
  )
    return null;
  if (!SCHOOL_WORDS.test(school) && !/^\p{Lu}{2,6}\b/u.test(school) && !/^\p{Lu}/u.test(school)) return null;
  return properCase(school);
}

function goalFacts(kind: 'want' | 'plan' | 'goal', phrase: string, explicit: boolean, ctx: RuleContext): Intent[] {
  let vp = trimValue(phrase);
  for (let guard = 0; guard < 2; guard++) vp = vp.replace(FUTURE_TIME_TAIL, '');
  if (!explicit && !isGoalPhrase(vp)) return [];
  if (vp === '' || wordCount(vp) > 14 || /\b(?:you|your)\b/i.test(vp)) return [];
  const shown = thirdPerson(vp);
  const when = kind === 'plan' ? futureWhen(ctx.source, ctx.now) : '';
  const text = `${kind === 'want' ? 'Wants to' : kind === 'plan' ? 'Plans to' : 'Goal is to'} ${shown}${when}`;
  const slot: DefaultSlotName = kind === 'plan' ? 'plans' : 'goals';
  const supersedes = [
    new RegExp(`^(?:wants to|plans to|goal is to) ${escapeRegExp(normaliseText(shown))}(?: in .+)?$`),
  ];
  return [assert(fact(slot, text, vp, { supersedes }))];
}

const ALLERGENS: Record<string, string> = {
  peanut: 'peanuts',
  nut: 'nuts',
  'tree nut': 'tree nuts',
  egg: 'eggs',
  cat: 'cats',
  dog: 'dogs',
  bee: 'bee stings',
  'bee sting': 'bee stings',
  strawberry: 'strawberries',
  almond: 'almonds',
  walnut: 'walnuts',
  cashew: 'cashews',
  'dust mite': 'dust mites',
  dust: 'dust',
  wasp: 'wasp stings',
  milk: 'milk',
  soya: 'soy',
  'sea food': 'seafood',
  kiwi: 'kiwi',
  tomato: 'tomatoes',
  sulfite: 'sulfites',
  antibiotic: 'antibiotics',
  mold: 'mold',
  mould: 'mold',
};

function allergyFacts(value: string): Intent[] {
  return items(value)
    .map((item) => stripQuantifier(item).replace(/^(?:to\s+)/i, ''))
    .filter((item) => item !== '' && wordCount(item) <= 4 && isLikeObject(item))
    .map((item) => {
      const lower = item.toLowerCase();
      const name = ALLERGENS[lower] ?? (/\p{Lu}/u.test(item) && !/^\p{Lu}\p{Ll}/u.test(item) ? item : lower);
      return assert(
        fact('allergies', `Allergic to ${name}`, name, { categories: isFood(name) ? ['health', 'food'] : ['health'] }),
      );
    });
}

function languageOf(item: string): string | null {
  const words = stripQuantifier(item.trim()).split(/\s+/);
  for (const n of [2, 1]) {
    const candidate = words.slice(0, n).join(' ').toLowerCase();
    if (words.length >= n && LANGUAGES.has(candidate))
      return properCase(candidate).replace(/^Asl$|^Bsl$/, (m) => m.toUpperCase());
  }
  return null;
}

function languageFacts(value: string): Intent[] {
  return items(value, 10)
    .map(languageOf)
    .filter((l): l is string => l !== null)
    .map((language) => assert(fact('languages', `Speaks ${language}`, language)));
}

/** "two cats named Luna and Milo" after "I have"; null when it is not about a pet. */
/** The pet slot of an animal WordNet knows (word-classes.ts): a dog, a cat or another pet; undefined for anything else. */
function animalSlot(noun: string): 'dogs' | 'cats' | 'otherPets' | undefined {
  if (!/^\p{Ll}+$/u.test(noun)) return undefined;
  const classes = wordClasses(noun);
  if (classes.includes('dog')) return 'dogs';
  if (classes.includes('cat')) return 'cats';
  return classes.includes('pet') ? 'otherPets' : undefined;
}

function petFact(rest: string): CandidateFact | null {
  const m = new RegExp(`^(?:${NUMBER}\\s+)?(.+)$`, 'i').exec(rest.trim());
  if (!m) return null;
  const n = m[1] === undefined ? 1 : count(m[1]);
  if (n === null || n === 0) return null;
  const words = (m[2] ?? '').replace(/,/g, ' , ').trim().split(/\s+/);
  for (let i = 0; i < Math.min(words.length, 4); i++) {
    for (const len of [2, 1]) {
      const noun = words
        .slice(i, i + len)
        .join(' ')
        .toLowerCase();
      const listed = PETS.get(noun);
      // A species the list lacks, by WordNet's class ("two rescue greyhounds", "a couple of chickens"); a word that
      // also names a food is a pet only when counted or named ("I have two chickens", not "I have a chicken").
      const classed = listed ? undefined : len === 1 ? animalSlot(noun) : undefined;
      const species = listed ?? classed;
      if (!species || i + len > words.length) continue;
      const modifiers = words.slice(0, i).filter((w) => !/^(?:new|pet|little|cute|old|very)$/i.test(w));
      if (modifiers.some((w) => /^(?:my|your|the|his|her|their|of|for|with|to)$/i.test(w)) || modifiers.length > 2)
        return null;
      const after = words.slice(i + len).join(' ');
      if (
        after !== '' &&
        !/^(?:,|(?:named|called|who|whose|that|which|and|but|at|in|from|since|for|as|too|now)\b)/i.test(after)
      )
        continue; // "a tabby cat": the pet word is further on
      const names = namesIn(
        /^(?:,\s*)?(?:named|called|who is called|whose name is)\b/i.test(after) || /^,/.test(after)
          ? after.replace(/^,\s*/, '')
          : undefined,
      );
      const phrase = [...modifiers, noun].join(' ').toLowerCase();
      // "a hot dog" is food; "two chickens", "a fish called Bubbles" are pets though the word also names a food.
      const several = n >= 2 || (m[1] === undefined && /[^s]s$/.test(noun));
      if (isFood(phrase) && (!isFood(noun) || (!several && !names))) return null;
      const slot: DefaultSlotName = species;
      const text =
        n === 1 && several
          ? `Has ${phrase}${names ? ` named ${names}` : ''}`
          : n === 1
            ? `Has ${withArticle(phrase)}${names ? ` named ${names}` : ''}`
            : `Has ${countWord(n)} ${phrase}${names ? ` named ${names}` : ''}`;
      const supersedes = names ? [new RegExp(`^has an? (?:\\w+ )?${escapeRegExp(noun)}$`)] : undefined;
      return fact(slot, text, names ?? noun, supersedes ? { supersedes } : {});
    }
  }
  return null;
}

const CHILD_WORDS: Record<string, [string, string]> = {
  kid: ['child', 'children'],
  kids: ['child', 'children'],
  child: ['child', 'children'],
  children: ['child', 'children'],
  son: ['son', 'sons'],
  sons: ['son', 'sons'],
  daughter: ['daughter', 'daughters'],
  daughters: ['daughter', 'daughters'],
  boy: ['son', 'sons'],
  boys: ['son', 'sons'],
  girl: ['daughter', 'daughters'],
  girls: ['daughter', 'daughters'],
  baby: ['baby', 'babies'],
  babies: ['baby', 'babies'],
  twins: ['twin', 'twins'],
  stepson: ['stepson', 'stepsons'],
  stepsons: ['stepson', 'stepsons'],
  stepdaughter: ['stepdaughter', 'stepdaughters'],
  stepdaughters: ['stepdaughter', 'stepdaughters'],
  stepkids: ['stepchild', 'stepchildren'],
  stepchildren: ['stepchild', 'stepchildren'],
  grandchildren: ['grandchild', 'grandchildren'],
  grandkids: ['grandchild', 'grandchildren'],
  grandchild: ['grandchild', 'grandchildren'],
  teenager: ['teenager', 'teenagers'],
  teenagers: ['teenager', 'teenagers'],
  teens: ['teenager', 'teenagers'],
  toddler: ['toddler', 'toddlers'],
  toddlers: ['toddler', 'toddlers'],
  teenage: ['teenager', 'teenagers'],
};
const COUNT_OF_CHILDREN = /^has (?:no|\w+|\d+) (?:children|kids)(?: named .*)?$/;

function childrenFact(n: number | null, noun: string, namesText: string | undefined): CandidateFact | null {
  const forms = CHILD_WORDS[noun.toLowerCase()];
  if (!forms) return null;
  const names = namesIn(namesText);
  if (noun.toLowerCase() === 'twins')
    return fact('children', `Has twins${names ? ` named ${names}` : ''}`, names ?? 'twins');
  if (n === 0)
    return fact('children', forms[1] === 'children' ? 'Has no children' : `Has no ${forms[1]}`, 'no children', {
      supersedes: [COUNT_OF_CHILDREN],
    });
  const total = n ?? 2;
  const text =
    total === 1
      ? `Has ${withArticle(forms[0])}${names ? ` named ${names}` : ''}`
      : n === null
        ? `Has ${forms[1]}`
        : `Has ${countWord(total)} ${forms[1]}${names ? ` named ${names}` : ''}`;
  const supersedes =
    forms[1] === 'children' && total > 1
      ? [COUNT_OF_CHILDREN]
      : names && total === 1
        ? [new RegExp(`^has an? ${forms[0]}$`)]
        : undefined;
  return fact('children', text, names ?? forms[1], supersedes ? { supersedes } : {});
}

const SIBLING = /^(?:(older|younger|little|big|baby|twin|half|step)([ -]?))?(brother|sister|sibling)(s?)$/i;

function siblingFact(n: number | null, noun: string, namesText: string | undefined): CandidateFact | null {
  const m = SIBLING.exec(noun.trim());
  if (!m) return null;
  const kind = (m[3] ?? '').toLowerCase();
  // "stepsister", "half-brother" are one word as written; "older sister" two.
  const modifier = m[1] ? `${m[1].toLowerCase()}${/^(?:step|half)$/i.test(m[1]) ? (m[2] ?? '') : ' '}` : '';
  const names = namesIn(namesText);
  if (n === 0) return fact('siblings', kind === 'sibling' ? 'Has no siblings' : `Has no ${kind}s`, 'no siblings');
  const total = n ?? 1;
  const text =
    total === 1
      ? `Has ${withArticle(modifier + kind)}${names ? ` named ${names}` : ''}`
      : `Has ${countWord(total)} ${modifier}${kind}s${names ? ` named ${names}` : ''}`;
  const supersedes = names && total === 1 ? [new RegExp(`^has an? ${escapeRegExp(modifier + kind)}$`)] : undefined;
  return fact('siblings', text, names ?? kind, supersedes ? { supersedes } : {});
}

const PARTNER_WORDS = /^(wife|husband|partner|spouse|girlfriend|boyfriend|fianc[ée]e?|fiance)$/i;

function partnerFact(noun: string, namesText: string | undefined): CandidateFact | null {
  if (!PARTNER_WORDS.test(noun)) return null;
  const rel = noun
    .toLowerCase()
    .replace(/^fianc[ée]e$/, 'fiancée')
    .replace(/^fianc[ée]$/, 'fiancé');
  const name = namesIn(namesText);
  if (name) return fact('partner', `Has ${withArticle(rel)} named ${name}`, name);
  const married = /^(?:wife|husband|spouse)$/.test(rel);
  return fact('partner', married ? 'Is married' : /^fianc/.test(rel) ? 'Is engaged' : 'Is in a relationship', rel, {
    vague: true,
  });
}

function statusFact(status: string, who: string | undefined): CandidateFact | null {
  const s = status.toLowerCase();
  // "married to a wonderful woman called Sarah": the name after the description.
  const named = who ? /\b(?:called|named)\s+(\p{Lu}[\p{L}'-]*)/u.exec(who) : null;
  const name = named ? named[1]! : who ? asPersonName(cutTail(who), false) : null;
  const base: Record<string, string> = {
    married: 'Is married',
    engaged: 'Is engaged',
    divorced: 'Is divorced',
    separated: 'Is separated',
    widowed: 'Is widowed',
    single: 'Is single',
    'in a relationship': 'Is in a relationship',
    'in a committed relationship': 'Is in a relationship',
    'dating someone': 'Is in a relationship',
    'seeing someone': 'Is in a relationship',
  };
  const text = base[s];
  if (!text) return null;
  const joined =
    name && /^(?:married|engaged)$/.test(s)
      ? `${text} to ${name}`
      : name && text === 'Is in a relationship'
        ? `${text} with ${name}`
        : text;
  return fact('partner', joined, name ?? s);
}

function personalityFact(value: string): Intent[] {
  const lower = value.toLowerCase();
  const trait = PERSONALITY_NOUNS.has(`${lower} person`) ? `${lower} person` : lower.replace(/\s+person$/, '');
  if (PERSONALITY_NOUNS.has(trait)) return [assert(fact('personality', `Is ${withArticle(trait)}`, trait))];
  if (PERSONALITY_ADJECTIVES.has(trait)) return [assert(fact('personality', `Is ${trait}`, trait))];
  return [];
}

function valueFacts(verb: string, value: string): Intent[] {
  return items(value)
    .filter(isLikeObject)
    .map((v) => lowerCommon(v))
    .map((v) => assert(fact('values', `${verb} ${v}`, v)));
}

/** Lower-cases a sentence-initial common word ("Family is important to me" -> "family"); keeps acronyms and names. */
function lowerCommon(value: string): string {
  if (/^\p{Lu}{2}/u.test(value)) return value;
  return value.charAt(0).toLowerCase() + value.slice(1);
}

function likeFacts(value: string, polarity: 'like' | 'dislike'): Intent[] {
  if (/\b(?:you|your|yours)\b/i.test(value)) return []; // about the conversation: "I like working with you"
  const living = /^living in (.+)$/i.exec(value.trim());
  if (living && polarity === 'like') return placeFact('location', 'Lives in', living[1]!); // "I love living in Lisbon"
  return items(value)
    .map((item) => item.replace(/^(?:all|most|any|some kinds of|all kinds of|good|really good)\s+/i, ''))
    .filter(isLikeObject)
    .map((item) => (/^to\s/i.test(item) ? toActivity(item) : item))
    .filter((item): item is string => item !== null && item !== '')
    .map((item) => assert(likeFact(item, polarity)));
}

const GERUNDS: Record<string, string> = {
  run: 'running',
  swim: 'swimming',
  cycle: 'cycling',
  bike: 'biking',
  hike: 'hiking',
  climb: 'climbing',
  surf: 'surfing',
  ski: 'skiing',
  dance: 'dancing',
  paint: 'painting',
  draw: 'drawing',
  knit: 'knitting',
  sing: 'singing',
  cook: 'cooking',
  bake: 'baking',
  garden: 'gardening',
  meditate: 'meditating',
  read: 'reading',
  write: 'writing',
  skate: 'skating',
  box: 'boxing',
  row: 'rowing',
  sew: 'sewing',
  fish: 'fishing',
  hunt: 'hunting',
  travel: 'traveling',
  golf: 'golfing',
  journal: 'journaling',
  crochet: 'crocheting',
  camp: 'camping',
  sail: 'sailing',
  kayak: 'kayaking',
  jog: 'jogging',
  walk: 'walking',
  play: 'playing',
  watch: 'watching',
  listen: 'listening',
  go: 'going',
  take: 'taking',
  make: 'making',
  build: 'building',
  collect: 'collecting',
  explore: 'exploring',
  learn: 'learning',
  photograph: 'photographing',
  code: 'coding',
  program: 'programming',
  game: 'gaming',
  skateboard: 'skateboarding',
  snowboard: 'snowboarding',
  volunteer: 'volunteering',
  teach: 'teaching',
  study: 'studying',
  work: 'working',
  visit: 'visiting',
  try: 'trying',
  eat: 'eating',
  drink: 'drinking',
  brew: 'brewing',
};

/** "to cook Italian food" -> "cooking Italian food"; null when the verb is not a pastime. */
function toActivity(phrase: string): string | null {
  const m = /^(?:to\s+)?(\w+)(.*)$/i.exec(phrase.trim());
  const gerund = m ? GERUNDS[(m[1] ?? '').toLowerCase()] : undefined;
  return gerund && m ? `${gerund}${m[2] ?? ''}`.trim() : null;
}

function hobbyFacts(value: string): Intent[] {
  return items(value)
    .map((item) => (isLikeObject(item) ? (toActivity(item) ?? item) : null))
    .filter((item): item is string => item !== null && isLikeObject(item))
    .map((item) => assert(likeFact(item, 'like')));
}

function playFacts(value: string): Intent[] {
  return items(value).flatMap((item) => {
    const thing = item
      .replace(/^(?:the|some|a lot of|lots of)\s+/i, '')
      .replace(/\s+(?:in|at|with|for|on)\s+(?:a|an|the|my|our)\s+.*$/i, '');
    if (isInstrument(thing)) return [assert(fact('music', `Plays the ${thing.toLowerCase()}`, thing))];
    if (isSport(thing)) return [assert(fact('sports', `Plays ${thing}`, thing))];
    if (isGame(thing)) return [assert(fact('hobbies', `Plays ${thing}`, thing))];
    return [];
  });
}

function restrictionFacts(verb: string, drink: boolean, value: string): Intent[] {
  return (
    items(value)
      .map((item) => item.replace(/^(?:any|much|a lot of|anything with|anything|food that is)\s+/i, ''))
      .filter(
        (item) =>
          isLikeObject(item) &&
          !/^(?:at|in|on|for|with|anymore|again|that|it|this|them|very|so|too)\b/i.test(item) &&
          (isFood(item) || wordCount(item) <= 2),
      )
      // "anything spicy": a taste alone is said of food.
      .map((item) =>
        /^(?:spicy|sweet|fried|greasy|salty|sour|oily|rich|processed|raw|deep-fried)$/i.test(item)
          ? `${item} food`
          : item,
      )
      .map((item) =>
        assert(
          fact('restrictions', `${verb} ${drink ? 'drink' : 'eat'} ${item}`, item, {
            // "I don't eat pork anymore" replaces "Likes pork".
            supersedes: [new RegExp(`^likes ${escapeRegExp(normaliseText(item))}$`)],
          }),
        ),
      )
  );
}

const INTEREST_SLOTS: DefaultSlotName[] = ['hobbies', 'sports', 'music', 'likes'];

/** A taken-back interest is looked for in every interest slot: "I don't swim anymore" removes "Likes swimming" wherever it was filed. */
function retractionsFor(f: CandidateFact, source: string): Intent[] {
  if (f.slot.topic !== 'interests') return [{ kind: 'retract', fact: f, source }];
  return INTEREST_SLOTS.map((slot) => ({ kind: 'retract' as const, fact: { ...fact(slot, f.text, f.value) }, source }));
}

/** Something given up, named by a noun ("Piano wasn't for me", "I gave up on Japanese"): taken back from learning, interests, goals and plans. */
function abandon(raw: string, ctx: RuleContext): Intent[] {
  const value = cutTail(raw).replace(/^(?:my|the|our)\s+/i, '');
  if (value === '' || wordCount(value) > 4 || !isLikeObject(value) || /^(?:it|that|this|them|job|work)$/i.test(value))
    return [];
  const slots: DefaultSlotName[] = ['learning', ...INTEREST_SLOTS, 'goals', 'plans'];
  return slots.map((slot) => ({
    kind: 'retract' as const,
    fact: fact(slot, value, value.toLowerCase()),
    source: ctx.source,
  }));
}

export const CHANGE_RULES: readonly StatementRule[] = [
  rule(
    'pet-loss',
    'We had to rehome Milo',
    /^(?:I|[Ww]e) (?:had to |have had to |have |decided to |finally )?(?:(?:rehome|rehomed|gave away|given away|give away|found a new home for|found a home for|put down|surrendered) (?:our |my )?(?:dog |cat |puppy |kitten |rabbit |bunny )?(\p{Lu}[\p{L}'-]+)|(?:gave|given|give) (?:our |my )?(?:dog |cat |puppy |kitten |rabbit |bunny )?(\p{Lu}[\p{L}'-]+) (?:away|up for adoption|to (?:my|our|a|an|the|some) [\w\s'-]+))$/u,
    (m, ctx) => petByName(m[1] ?? m[2]!, ctx),
  ),
  rule(
    'job-leave',
    "I'm no longer at Acme",
    /^I am (?:no longer|not) (?:at|with|working at|working for|employed (?:at|by)) (\p{Lu}[\p{L}\d&.'-]*(?: \p{Lu}[\p{L}\d&.'-]*){0,3})(?: anymore| any more| any longer)?$/u,
    (m, ctx) => {
      const old = companyFact(m[1]!);
      return old
        ? [
            { kind: 'retract', fact: old, source: ctx.source },
            { kind: 'forget', targets: [{ topic: 'work', subTopic: 'title' }], source: ctx.source },
          ]
        : [];
    },
  ),
  rule(
    'give-up',
    'I stopped my Italian lessons',
    /^I (?:have )?(?:stopped|quit|dropped|gave up|given up|cancell?ed|ended|am stopping|am quitting|am dropping|dropped out of) (?:on )?(?:my |the |our |taking |going to )?(.+?) (?:lessons|classes|class|course|courses|lectures|tutoring|practice|training|sessions|club)$/i,
    (m, ctx) => abandon(m[1]!, ctx),
  ),
  rule(
    'give-up',
    "I haven't picked up my guitar in years",
    /^I (?:have not|have never|had not|have barely|have hardly|have not really) (?:picked up|touched|played|used|opened|ridden|worn|been on) (?:my |the |a |an |our )?(.+)$/i,
    (m, ctx) => abandon(m[1]!, ctx),
  ),
  rule(
    'job-loss',
    'Shell let me go',
    /^(\p{Lu}[\w&.'-]*(?: \p{Lu}[\w&.'-]*)*) (?:let me go|laid me off|fired me|sacked me|made me redundant|dropped me)\b.*$/u,
    (m, ctx) => {
      const company = companyFact(m[1]!);
      return company
        ? [{ kind: 'retract', fact: company, source: ctx.source }, event('Lost their job', ctx, ctx.source)]
        : [];
    },
  ),
  rule(
    'retraction',
    'I dropped out of Harvard',
    /^I (?:dropped out of|left|quit|have left|have dropped out of) (school|college|uni|university|grad school|\p{Lu}[\w&.'-]*(?: \p{Lu}[\w&.'-]*)*)$/iu,
    (m, ctx) => {
      if (!/^I (?:have )?dropped out/i.test(ctx.source.replace(/^.*?\bI\b/, 'I')) && !SCHOOL_WORDS.test(m[1]!))
        return [];
      const school = m[1]!;
      // Dropping out ends the studies: the school, and the major and degree pursued there.
      const studies = (['school', 'major', 'degree'] as const).map((subTopic) => ({ topic: 'education', subTopic }));
      if (/^(?:school|college|uni|university|grad school)$/i.test(school))
        return [
          {
            kind: 'forget',
            targets: /dropped out/i.test(ctx.source) ? studies : [{ topic: 'education', subTopic: 'school' }],
            source: ctx.source,
          },
        ];
      return [{ kind: 'retract', fact: fact('school', `Studies at ${school}`, school), source: ctx.source }];
    },
  ),
  rule(
    'retraction',
    'Kyoto is behind me now',
    /^(\p{Lu}[\p{L}.'-]*(?: \p{Lu}[\p{L}.'-]*)*) is (?:behind me|in the past|history)$/u,
    (m, ctx) => {
      const place = asPlace(m[1]!);
      return place ? [{ kind: 'retract', fact: fact('location', `Lives in ${place}`, place), source: ctx.source }] : [];
    },
  ),
  rule(
    'relationship',
    'Ben passed away',
    /^(?:my (?:wife|husband|partner|spouse) )?(\p{Lu}[\p{L}'-]+) (?:passed away|died|passed)\b.*$/u,
    (m, ctx) => {
      const name = m[1]!;
      if (asPersonName(name, false) === null) return [];
      // Widowed only when the partner on record has that name; a pet of that name is gone either way.
      return [
        assert(
          fact('partner', 'Is widowed', 'widowed', {
            // Only a partner memory of that name ("Is married to Ben", "Has a wife named Sara"), not "Has a dog named Rex".
            supersedes: [
              new RegExp(
                `^(?:is (?:married|engaged) to|is (?:in a relationship with|dating|seeing|with)|has an? (?:wife|husband|partner|spouse|girlfriend|boyfriend|fianc\\w*) named|(?:wife|husband|partner|spouse)(?: is)?) ${escapeRegExp(name.toLowerCase())}\\b`,
              ),
            ],
            onlyReplaces: true,
          }),
        ),
        ...petByName(name, ctx),
      ];
    },
  ),
  rule(
    'give-up',
    'I passed my driving test',
    /^I (?:passed|have passed|finally passed) (?:my )?(?:driving|driver's|drivers) test$/i,
    (_m, ctx) => [
      { kind: 'retract', fact: fact('learning', 'Is learning to drive', 'drive'), source: ctx.source },
      { kind: 'retract', fact: fact('goals', 'Wants to learn to drive', 'learn to drive'), source: ctx.source },
      { kind: 'retract', fact: fact('goals', 'Wants to pass their driving test', 'driving test'), source: ctx.source },
      event('Passed their driving test', ctx, ctx.source),
    ],
  ),
  rule(
    'diet-change',
    "I'm off keto now",
    /^I (?:am (?:now )?off|am (?:done|finished|through) with|(?:have )?(?:ditched|dropped|quit|stopped|given up|gave up|came off|come off|went off)) (?:the )?(keto|paleo|carbs|low[- ]carb|vegan|vegetarian|whole30|diet|my diet|sugar|alcohol|booze|caffeine|coffee|meat|dairy|gluten)(?: diet)?$/i,
    (m, ctx) => {
      const what = m[1]!.toLowerCase().replace(/^my /, '');
      if (/^(?:sugar|alcohol|booze|caffeine|coffee|meat|dairy|gluten|carbs)$/.test(what)) {
        const drink = /^(?:alcohol|booze|caffeine|coffee)$/.test(what);
        const item = what === 'booze' ? 'alcohol' : what;
        return [assert(fact('restrictions', `Does not ${drink ? 'drink' : 'eat'} ${item}`, item))];
      }
      if (what === 'diet')
        return [{ kind: 'forget', targets: [{ topic: 'food', subTopic: 'diet' }], source: ctx.source }];
      return [{ kind: 'retract', fact: fact('diet', `Is ${what}`, what), source: ctx.source }];
    },
  ),
  rule(
    'health-state',
    'My leg has healed',
    /^my (\w+(?: \w+)?) (?:has|have|is|are) (?:now )?(?:fully |completely |finally |all )?(?:healed|better|fine|okay|ok|recovered|back to normal|gone)$/i,
    (m, ctx) => healed(m[1]!, ctx),
  ),
  rule(
    'health-state',
    "I've recovered from my knee injury",
    /^I (?:have )?(?:fully |completely |finally )?(?:recovered|healed) from (.+)$/i,
    (m, ctx) => healed(m[1]!, ctx),
  ),
  rule(
    'children',
    "I'm a grandmother of four",
    /^I am (?:a |the )?(?:proud )?(grandmother|grandfather|grandma|grandpa|granny|grandparent|nana|granddad|grandad) (?:of|to) (\w+)(?: (?:grandchildren|grandkids|grandsons|granddaughters))?$/i,
    (m) => {
      const n = count(m[2]);
      if (n === null || n === 0) return [];
      return [
        assert(fact('children', n === 1 ? 'Has a grandchild' : `Has ${countWord(n)} grandchildren`, 'grandchildren')),
      ];
    },
  ),
  rule(
    'like',
    'Catan is my favorite',
    /^(.+?) (?:is|are) (?:probably |definitely )?my (?:absolute |all-time |all time )?favou?rites?$/i,
    (m) => {
      const thing = cutTail(m[1]!);
      if (wordCount(thing) > 5 || !isLikeObject(thing) || !/\p{Lu}/u.test(thing)) return [];
      return [assert(likeFact(thing, 'like'))];
    },
  ),
  rule(
    'move',
    "We're in Chicago now",
    /^(?:I am|we are) (?:now |currently )?(?:in|over in|out in|back in|living in|settled in) (\p{Lu}.*)$/u,
    (m, ctx) => {
      // Said as the new normal ("now", "these days"), not a visit ("for the weekend", "on holiday").
      if (!/\b(?:now|these days|nowadays|currently|settled|for good)\b/i.test(ctx.source)) return [];
      if (
        /\b(?:for (?:the|a|two|three|\w+) (?:weekend|week|days?|trip|holiday|vacation|conference|night)|visiting|on (?:holiday|vacation|a trip|business)|today|tonight|this week)\b/i.test(
          ctx.source,
        )
      )
        return [];
      return placeFact('location', 'Lives in', m[1]!);
    },
  ),
  rule(
    'goal',
    "I'm studying to become a vet",
    /^I am (?:studying|training|working|saving|preparing|going back to school|retraining) (?:hard )?to (?:become|be) (?:an? )?(.+)$/i,
    (m, ctx) => {
      const what = cutTail(m[1]!);
      if (wordCount(what) > 5 || !isLikeObject(what)) return [];
      const verb =
        /^I am (\w+)/i.exec(ctx.source.replace(/^.*?\bI (?:am|'m)\s+/i, 'I am '))?.[1]?.toLowerCase() ?? 'studying';
      return [
        assert(fact('goals', `Is ${/ing$/.test(verb) ? verb : 'studying'} to become ${withArticle(what)}`, what)),
      ];
    },
  ),
  rule(
    'job-status',
    "I'm a stay at home mom of two boys",
    /^I am (?:a )?(?:stay[- ]at[- ]home|full[- ]time|stay at home) (mom|mum|mother|dad|father|parent)(?: (?:of|with) (\w+)(?: (?:kids|children|boys|girls|sons|daughters|little ones))?)?$/i,
    (m, ctx) => {
      const parent = /^(?:mom|mum|mother)$/i.test(m[1]!) ? 'mom' : /^(?:dad|father)$/i.test(m[1]!) ? 'dad' : 'parent';
      const fullTime = /full[- ]time/i.test(ctx.source);
      const out: Intent[] = [
        assert(
          fact(
            'title',
            fullTime ? `Is a full-time ${m[1]!.toLowerCase()}` : `Is a stay-at-home ${parent}`,
            'stay-at-home',
          ),
        ),
      ];
      const n = count(m[2]);
      if (n !== null && n > 0)
        out.push(
          assert(
            fact('children', n === 1 ? 'Has a child' : `Has ${countWord(n)} children`, 'children', {
              supersedes: [COUNT_OF_CHILDREN],
            }),
          ),
        );
      return out;
    },
  ),
  rule(
    'give-up',
    "Piano wasn't for me",
    /^(.+?) (?:was|is|were|are) (?:not|never) (?:really )?(?:for me|my thing)$/i,
    (m, ctx) => abandon(m[1]!, ctx),
  ),
  rule(
    'give-up',
    'I gave up on Japanese',
    /^I (?:gave up|have given up|am giving up|quit|stopped|have stopped|dropped|have dropped) (?!(?:on )?\w+ing\b)(?:on )?(.+)$/i,
    (m, ctx) => abandon(m[1]!, ctx),
  ),
  rule(
    'field-change',
    'I switched my major from law to economics',
    /^I (?:switched|changed|have switched|have changed|am switching|am changing) (?:my )?(?:major|degree|course|subject|field of study|studies)(?: from (.+?))? to (.+)$/i,
    (m, ctx) => {
      const to = cutTail(m[2]!);
      if (wordCount(to) > 5 || !isLikeObject(to)) return [];
      const out: Intent[] = [];
      if (m[1]) {
        const from = cutTail(m[1]);
        out.push({ kind: 'retract', fact: fact('major', `Studies ${from}`, from), source: ctx.source });
      }
      out.push(assert(fact('major', `Studies ${to}`, to)));
      return out;
    },
  ),
  rule(
    'diet-change',
    "I've gone vegan",
    /^(?:I|we) (?:have |had )?(?:gone|went|turned|become|became|switched to|changed to|converted to|am going|are going|decided to go|started eating|started following|started|am now|are now) (?:a |an |the )?(?:fully |completely |strictly |full |strict |totally |100% )?(vegetarian|vegan|pescatarian|pescetarian|keto|ketogenic|paleo|low[- ]carb|gluten[- ]free|mediterranean|halal|kosher|whole30|plant[- ]based|carnivore|dairy[- ]free|raw vegan|low[- ]fodmap)(?: diet| food| only)?$/i,
    (m) => dietFact(m[1]!.toLowerCase().replace('pescetarian', 'pescatarian')),
  ),
];

/** What a generic statement of taste says of its subject ("Mushrooms are disgusting", "Jazz is my thing"). */
const GOOD =
  /^(?:(?:so |really |absolutely |just |simply )?(?:amazing|awesome|great|the best|delicious|lovely|wonderful|fantastic|brilliant|my (?:thing|jam|favorite thing|weakness|guilty pleasure|happy place|go-to|comfort food|obsession|life))(?: to me| for me)?)$/i;
const BAD =
  /^(?:(?:so |really |absolutely |just |simply )?(?:disgusting|gross|awful|terrible|the worst|revolting|vile|horrible|overrated|boring|not (?:my thing|for me|my cup of tea))(?: to me| for me)?)$/i;

/**
 * A taste said of a generic subject: "Mushrooms are disgusting to me" ->
 * dislikes mushrooms; "Jazz is my thing" -> likes jazz. Only a bare noun
 * phrase (no determiner, no possessive) is generic: "the weather is awful"
 * and "my neighbour's dog is the worst" say nothing of the user's tastes.
 */
function genericTaste(subject: string, predicate: string): Intent[] {
  const polarity = GOOD.test(predicate) ? 'like' : BAD.test(predicate) ? 'dislike' : null;
  const words = tag(subject);
  if (!polarity || words.length === 0 || words.length > 3) return [];
  if (
    words.some(
      (w) => !/^(?:NOUN|PROPN|ADJ)$/.test(w.pos) || /^(?:it|this|that|life|work|today|everything)$/i.test(w.lower),
    )
  )
    return [];
  const thing = join(words);
  return isLikeObject(thing) ? likeFacts(thing.toLowerCase(), polarity) : [];
}

/** A bare noun phrase (no determiner, no possessive, no pronoun): a kind of thing, said generically ("Shellfish", "Raw onions"). */
function isBareNoun(phrase: string): boolean {
  const words = tag(phrase);
  return words.length > 0 && words.length <= 3 && words.every((w) => /^(?:NOUN|PROPN|ADJ)$/.test(w.pos));
}

/** Adjectives before "person" that say nothing of character: "a normal person", "a busy guy". */
const NOT_TRAITS =
  /^(?:good|bad|nice|normal|regular|real|different|new|old|young|busy|lucky|single|whole|certain|particular|random|average|other|same|right|wrong|only|first|last|tired)$/;

/** Changes said loosely, tried after every other rule ("I'm done with keto" is a diet change first). */
const LATE_CHANGE_RULES: readonly StatementRule[] = [
  rule(
    'health-state',
    'Shellfish gives me hives',
    /^(\p{L}[\p{L} -]*?) (?:gives?|gave) me (?:an? )?(?:really |very |pretty |terrible |bad |severe |awful |nasty )*(?:reaction|allergic reaction|rash|hives|reactions)$/iu,
    (m) => (isBareNoun(m[1]!) ? allergyFacts(m[1]!.toLowerCase()) : []),
  ),
  rule(
    'pregnancy',
    'I am 20 weeks along',
    /^I am (?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|\w+teen|twenty|thirty) (?:weeks?|months?) along\b.*$/i,
    () => [assert(fact('conditions', 'Is pregnant', 'pregnant', { categories: ['health'] }))],
  ),
  rule(
    'personality',
    'I am a pretty anxious person',
    /^I am (?:a|an) ((?:[\w-]+ ){0,2}?)([\w-]+) (?:person|guy|girl|gal|type|soul|character)(?: in general| overall| by nature| at heart)?$/i,
    (m) => {
      // "a pretty anxious person": the trait is the adjective, whatever degree word comes before it.
      // Only degree words and the adjective before the noun: "a big board game person" is a fan, not a trait.
      const before = tag(`I am a ${m[1]!}${m[2]!} person`).slice(3, -1);
      const adjective = before.at(-1);
      if (adjective?.pos !== 'ADJ' || before.some((t) => t.pos !== 'ADJ' && t.pos !== 'ADV')) return [];
      const known = personalityFact(adjective.lower);
      if (known.length > 0 || NOT_TRAITS.test(adjective.lower)) return known;
      return [assert(fact('personality', `Is ${adjective.lower}`, adjective.lower))];
    },
  ),
  rule('like', 'Mushrooms are disgusting to me', /^(\p{L}[\p{L} '-]*?) (?:is|are) (.+)$/iu, (m) =>
    genericTaste(m[1]!, m[2]!),
  ),
  rule(
    'give-up',
    'I do not do French anymore',
    /^I (?:do not|no longer|am not|am no longer) (?:do|doing|go to|going to|play|playing|take|taking) (?:my |the |any )?(.+?)(?: anymore| any more| any longer)?$/i,
    (m, ctx) => (/\b(?:anymore|any more|any longer|no longer)\b/i.test(ctx.source) ? abandon(m[1]!, ctx) : []),
  ),
  rule('give-up', 'I am done with Spanish', /^I am (?:done|finished|through) with (?:my |the )?(.+)$/i, (m, ctx) =>
    abandon(m[1]!, ctx),
  ),
  rule(
    'give-up',
    'Piano is on hold',
    /^(?:my |the )?([\p{L}][\p{L} '-]*?) (?:is|are) (?:on hold|on pause|on ice|shelved)(?: indefinitely| for(?: now)?)?$/iu,
    (m, ctx) => abandon(m[1]!, ctx),
  ),
  rule(
    'move',
    'The new place is in Bristol',
    /^(?:the|our|my) new (?:place|flat|house|home|apartment|pad|digs) is (?:in|near|just outside|outside) (.+)$/i,
    (m) => placeFact('location', 'Lives in', m[1]!),
  ),
];

export const STATEMENT_RULES: readonly StatementRule[] = [
  ...EVERYDAY_RULES,
  ...CHANGE_RULES,
  // ---- names
  rule('name', 'My name is Alex', /^my (?:full |first |real |given )?name is (.+)$/i, (m) => nameFacts(m[1]!, true)),
  rule('nickname', 'Call me Al', /^(?:you can |please |just |feel free to |everyone can )*call me (.+)$/i, (m) =>
    nickname(m[1]!),
  ),
  rule(
    'nickname',
    'Everyone calls me Al',
    /^(?:everyone|everybody|people|my friends|friends|most people|they) (?:calls?|call) me (.+)$/i,
    (m) => nickname(m[1]!),
  ),
  rule('nickname', 'I go by Al', /^I (?:go by|prefer to be called|like to be called) (.+)$/i, (m) => nickname(m[1]!)),
  rule('nickname', 'My nickname is Al', /^my nick ?name is (.+)$/i, (m) => nickname(m[1]!)),
  rule('name', 'I am called Alex', /^I am (?:called|named) (.+)$/i, (m) => nameFacts(m[1]!, true)),

  // ---- age, birthday, gender
  rule(
    'age',
    'I am 34 years old',
    /^I am (\d{1,3})(?:\s*(?:years?|yrs?)(?:\s*old|\s+of age)?|\s*(?:yo|y\/o|y\.o))?(?:\s+(?:now|today|this year|already))?$/i,
    (m) => age(m[1]!),
  ),
  rule(
    'age',
    'I just turned 40',
    /^I (?:turned|have turned) (\d{1,3})(?:\s+(?:today|yesterday|last week|last month|this year|in \w+))?$/i,
    (m) => age(m[1]!),
  ),
  rule(
    'age',
    'I just had my 42nd birthday',
    /^(?:I (?:had|celebrated|have had|have celebrated)|it is|today is) my (\d{1,3})(?:st|nd|rd|th) birthday$/i,
    (m) => age(m[1]!),
  ),
  rule('age', 'My age is 34', /^my age is (\d{1,3})$/i, (m) => age(m[1]!)),
  rule(
    'birthday',
    'My birthday is on May 3rd',
    /^my (?:birthday|bday|birth date|date of birth) is (.+)$/i,
    (m, ctx) => {
      const date = parseDate(m[1]!, ctx.now);
      return date
        ? [
            assert(
              fact(
                'birthday',
                `Birthday is ${formatDate({ ...date, year: null })}`,
                formatDate({ ...date, year: null }),
              ),
            ),
          ]
        : [];
    },
  ),
  rule('birthday', 'I was born on May 3, 1990', /^I was born on (.+)$/i, (m, ctx) => {
    const date = parseDate(m[1]!, ctx.now);
    return date ? [assert(fact('birthday', `Was born on ${formatDate(date)}`, formatDate(date)))] : [];
  }),
  rule(
    'birthday',
    'I was born in 1990',
    /^I was born in ((?:19|20)\d{2}|(?:january|february|march|april|may|june|july|august|september|october|november|december)(?: (?:19|20)\d{2})?)$/i,
    (m) => {
      const when = properCase(m[1]!.toLowerCase());
      return [assert(fact('birthday', `Was born in ${when}`, when))];
    },
  ),
  rule('birthplace', 'I was born in Madrid', /^I was born (?:and (?:raised|brought up) )?in (.+)$/i, (m, ctx) => {
    const out = placeFact('birthplace', 'Was born in', m[1]!);
    if (out.length > 0 && /born and (?:raised|brought up)/i.test(ctx.source))
      out.push(...placeFact('origin', 'Is from', m[1]!));
    return out;
  }),
  rule(
    'gender',
    'I am a woman',
    /^I am (?:a |an )?(man|woman|guy|girl|lady|dude|male|female|non-binary|nonbinary|enby|trans(?:gender)? (?:man|woman))$/i,
    (m) => {
      const g = m[1]!.toLowerCase();
      const text = /^(?:man|guy|dude|male)$/.test(g)
        ? 'Is male'
        : /^(?:woman|girl|lady|female)$/.test(g)
          ? 'Is female'
          : /^(?:non-?binary|enby)$/.test(g)
            ? 'Is non-binary'
            : `Is a ${g.replace('transgender', 'trans')}`;
      return [assert(fact('gender', text, g))];
    },
  ),
  rule(
    'pronouns',
    'My pronouns are she/her',
    /^(?:my pronouns are|I use) (\w+ ?\/ ?\w+(?: ?\/ ?\w+)?)(?: pronouns)?$/i,
    (m) => {
      const p = m[1]!.replace(/\s+/g, '').toLowerCase();
      return [assert(fact('pronouns', `Uses ${p} pronouns`, p))];
    },
  ),

  // ---- where the user lives and comes from
  rule(
    'residence',
    "I've been in Manchester since uni",
    /^(?:I|we) (?:am|are) in (\p{Lu}[\p{L}.'-]*(?:,? \p{Lu}[\p{L}.'-]*)*)$/u,
    // Said with "been ... since/for", a stay is a home; "I'm in Paris" alone is a visit.
    (m, ctx) =>
      /\b(?:been|lived) in\b.*\b(?:since|for)\b/i.test(ctx.source) ? placeFact('location', 'Lives in', m[1]!) : [],
  ),
  rule(
    'residence',
    'I live in Berlin',
    new RegExp(
      `^${SUBJECT} (?:live|am living|are living|reside|am residing|am based|are based|am located|are located|have been living|have lived|have been based|am settled|are settled|have settled|settled|am currently living)(?: out| over| down| up| back)? (in|at|on|near|outside(?: of)?|just outside(?: of)?|close to) (.+)$`,
      'i',
    ),
    (m) => {
      const near = /^(?:near|outside|just outside|close to)/i.test(m[1]!);
      return placeFact('location', near ? 'Lives near' : 'Lives in', m[2]!);
    },
  ),
  rule(
    'move',
    'I just moved to Munich',
    new RegExp(
      `^${SUBJECT} (?:have |had |finally |recently )?(?:moved|relocated)(?: back| over| out| here| away)?(?: from (\\p{Lu}[\\p{L}.'-]*(?: \\p{Lu}[\\p{L}.'-]*)*))? (?:to|into) (.+)$`,
      'iu',
    ),
    // "I moved from Berlin to Munich": the old home is taken back, the new one kept.
    (m, ctx) => {
      // "I moved from squash to padel": a place is named with a capital; a switch of things is read elsewhere.
      if (m[1] && !/\p{Lu}/u.test(m[1]) && !/\p{Lu}/u.test(m[2]!)) return [];
      const to = placeFact('location', 'Lives in', m[2]!);
      const from = m[1] ? asPlace(m[1]) : null;
      if (to.length === 0) return [];
      return from
        ? [{ kind: 'retract', fact: fact('location', `Lives in ${from}`, from), source: ctx.source }, ...to]
        : to;
    },
  ),
  rule(
    'move',
    'We are moving to Lisbon next month',
    new RegExp(`^${SUBJECT} (?:am|are) (?:moving|relocating) (?:back )?to (.+)$`, 'i'),
    (m, ctx) => {
      const place = asPlace(cutTail(m[1]!));
      return place ? goalFacts('plan', `move to ${place}`, true, ctx) : [];
    },
  ),
  rule('origin', "I'm from Spain", /^I (?:am|come) (?:originally )?from (.+)$/i, (m) =>
    placeFact('origin', 'Is from', m[1]!),
  ),
  rule(
    'origin',
    'I grew up in Lyon',
    /^I (?:grew up|was raised|was brought up) (in|on|at|near|outside(?: of)?) (.+)$/i,
    (m) =>
      // "on a farm in Iowa", "near Leeds": only a described place gives its name after "on" or "at".
      /^(?:in|near|outside)/i.test(m[1]!) || /^(?:a|an|the|my|our)\s/i.test(m[2]!)
        ? placeFact('origin', 'Is from', m[2]!)
        : [],
  ),
  rule('origin', 'My hometown is Porto', /^my (?:home ?town|home town|home country) is (.+)$/i, (m) =>
    placeFact('origin', 'Is from', m[1]!),
  ),
  rule('nationality', 'I am German', /^I am (?:an? )?(.+?)(?: citizen| national| by birth)?$/i, (m) => {
    const list = splitList(m[1]!);
    if (list.length === 0 || !list.every((n) => NATIONALITIES.has(n.toLowerCase()))) return [];
    return list.map((n) =>
      assert(fact('nationality', `Is ${properCase(n.toLowerCase())}`, properCase(n.toLowerCase()))),
    );
  }),
  rule(
    'nationality',
    'I have Irish citizenship',
    /^I (?:have|hold) (?:an? |dual )?(\w+(?: \w+)?) (?:citizenship|passport|nationality)$/i,
    (m) => {
      const n = m[1]!.toLowerCase();
      return NATIONALITIES.has(n) ? [assert(fact('nationality', `Is ${properCase(n)}`, properCase(n)))] : [];
    },
  ),

  // ---- languages
  rule('language', 'I speak German and French', /^I (?:speak|can speak|also speak|am speaking) (.+)$/i, (m) =>
    languageFacts(m[1]!.replace(/\b(?:fluently|natively|well|a bit|a little|okay|ok|poorly|badly)\b/gi, '')),
  ),
  rule(
    'language',
    'I am fluent in Japanese',
    /^I am (?:fluent|conversational|proficient|bilingual|trilingual|native) in (.+)$/i,
    // Fluent now: no longer learning it.
    (m, ctx) => {
      const spoken = languageFacts(m[1]!);
      const learning = spoken.flatMap((i): Intent[] =>
        i.kind === 'assert'
          ? [
              {
                kind: 'retract',
                fact: fact('learning', `Is learning ${i.fact.value}`, i.fact.value),
                source: ctx.source,
              },
            ]
          : [],
      );
      return [...spoken, ...learning];
    },
  ),
  rule('language', 'I am a native Spanish speaker', /^I am a native (\w+(?: \w+)?) speaker$/i, (m) =>
    nativeLanguage(m[1]!),
  ),
  rule(
    'language',
    'My native language is Polish',
    /^my (?:native language|mother tongue|first language|native tongue) is (.+)$/i,
    (m) => nativeLanguage(m[1]!),
  ),

  // ---- work
  rule(
    'job',
    'I work at Acme as a data engineer',
    /^I (?:work|am working|have been working|work full[- ]time|work part[- ]time) (?:at|for) (.+?)(?: as (.+))?$/i,
    (m) => {
      if (/^myself\b/i.test(m[1]!)) return [assert(fact('title', 'Is self-employed', 'self-employed'))];
      return jobFacts(m[2], m[1]);
    },
  ),
  rule(
    'job',
    'I work as a nurse',
    /^I (?:work|am working|have been working|am employed|earn a living|make a living) as (.+?)(?: (?:at|for) (.+))?$/i,
    (m) => jobFacts(m[1], m[2]),
  ),
  rule(
    'employer',
    'I drive for Uber',
    /^I (?:am )?(drive|deliver|ride|cook|write|freelance|consult|contract|model|design|code|program|develop|clean|nurse|temp|intern|driving|delivering|riding|cooking|writing|freelancing|consulting|contracting|modelling|modeling|designing|coding|cleaning|nursing|temping|interning) (?:for|at|with) (\p{Lu}[\p{L}\d&.'-]*(?: \p{Lu}[\p{L}\d&.'-]*){0,3})$/u,
    // A named employer after a verb of a trade ("I drive for Uber", "I freelance for Vogue").
    (m) => {
      const verb = /ing$/.test(m[1]!) ? baseForm(m[1]!) : m[1]!.toLowerCase();
      const f = companyFact(m[2]!, `${capitalise(thirdPersonVerb(verb))} for`);
      return f ? [assert(f)] : [];
    },
  ),
  rule(
    'employer',
    'I manage a team of 12 engineers at Shopify',
    /^I (?:manage|lead|run|head|head up|supervise|oversee|am on|am part of|sit on) (?:a|the|our|my) (?:[\w-]+ ){0,2}(?:team|department|group|unit|division|crew|squad|lab|office|store|branch|shop|restaurant|kitchen|desk)(?: of [\w\s-]+?)? (?:at|for|in) (\p{Lu}[\p{L}\d&.'-]*(?: \p{Lu}[\p{L}\d&.'-]*){0,3})$/u,
    (m) => {
      const f = companyFact(m[1]!);
      return f ? [assert(f)] : [];
    },
  ),
  rule('employer', 'I am employed by Siemens', /^I am (?:employed|hired) (?:at|by) (.+)$/i, (m) =>
    jobFacts(undefined, m[1]),
  ),
  rule(
    'job-change',
    'I just started a new job at Google',
    /^I (?:got|started|have started|landed|accepted|took|have) (?:a |my )?new job(?: (?:at|with) (.+?))?(?: as (.+))?$/i,
    (m, ctx) => [...jobFacts(m[2], m[1]), event('Started a new job', ctx, ctx.source)],
  ),
  rule(
    'job-change',
    'I started working at Acme',
    /^I (?:started|began) (?:working|to work) (?:at|for) (.+?)(?: as (.+))?$/i,
    (m) => jobFacts(m[2], m[1]),
  ),
  rule(
    'job-change',
    'I got promoted to team lead',
    /^I (?:got|was|am|have been|have just been) promoted(?: to (.+))?$/i,
    (m, ctx) => {
      const out = m[1] ? jobFacts(m[1], undefined) : [];
      return [...out, event('Got promoted', ctx, ctx.source)];
    },
  ),
  rule(
    'job-change',
    'I retired last year',
    /^I (?:retired|have retired|went into retirement)(?: from (\p{Lu}[\w&.'-]*(?: \p{Lu}[\w&.'-]*)*))?(?: (?:in|on|from|after|at) .+)?$/iu,
    (m, ctx) => {
      const from = m[1] ? companyFact(m[1]) : null;
      return [
        ...(from ? [{ kind: 'retract' as const, fact: from, source: ctx.source }] : []),
        assert(fact('title', 'Is retired', 'retired')),
        event('Retired', ctx, ctx.source),
      ];
    },
  ),
  rule(
    'job-loss',
    'I lost my job',
    /^I (?:lost my job|got fired|was fired|got laid off|was laid off|am laid off|am fired|have been laid off|have been fired|quit my job|left my job|resigned|quit|handed in my notice|handed my notice in|gave (?:in )?my notice|put in my notice)(?: (?:at|from|to) (.+))?$/i,
    (_m, ctx) => [
      { kind: 'forget', targets: [{ topic: 'work', subTopic: 'company' }], source: ctx.source },
      event(/quit|left|resigned|notice/i.test(ctx.source) ? 'Left their job' : 'Lost their job', ctx, ctx.source),
    ],
  ),
  rule(
    'job-status',
    'I am retired',
    /^I am (?:now |currently )?(a student|student|retired|a retiree|unemployed|between jobs|out of work|self-employed|self employed|a freelancer|freelance|a stay-at-home (?:mom|dad|parent)|a stay at home (?:mom|dad|parent)|a homemaker|a housewife|a househusband)$/i,
    (m) => {
      const text = JOB_STATUSES.get(m[1]!.toLowerCase());
      return text ? [assert(fact('title', text, m[1]!.toLowerCase()))] : [];
    },
  ),
  rule(
    'job-status',
    'I am looking for a job',
    /^I am (?:looking for|searching for|hunting for) (?:a |an )?(?:new )?(?:job|work|position)$/i,
    () => [assert(fact('title', 'Is looking for a job', 'looking for a job'))],
  ),
  rule(
    'study',
    'I am a computer science student at TU Munich',
    /^I am an? ((?:[\w'-]+ ){0,3}?)(student|freshman|sophomore|undergrad|undergraduate|postgrad|postgraduate)(?: (?:at|of|in) (.+))?$/i,
    (m) => {
      const modifier = (m[1] ?? '').trim();
      const noun = m[2]!.toLowerCase();
      // "a freshman at Ohio State studying biology": the year says a student; what is studied follows.
      const [where = '', subject] = (m[3] ?? '').split(/\s+(?:studying|majoring in|reading)\s+/i);
      const out: Intent[] =
        noun === 'student'
          ? [assert(fact('title', `Is ${withArticle(`${modifier ? `${modifier} ` : ''}student`)}`, 'student'))]
          : [];
      if (subject) out.push(assert(fact('major', `Studies ${cutTail(subject)}`, cutTail(subject))));
      const school = where ? schoolName(where) : null;
      if (school) out.push(assert(fact('school', `Studies at ${school}`, school)));
      return out;
    },
  ),
  rule('job', 'I am a nurse', /^I am (?:an? |the )?(.+?)(?: (?:at|for|with|of) (.+))?$/i, (m) => {
    const title = titleFact(m[1]!);
    if (!title) return [];
    const out = [assert(title)];
    if (m[2]) {
      const company = companyFact(m[2]);
      if (company) out.unshift(assert(company));
    }
    return out;
  }),
  rule('industry', 'I work in finance', /^I (?:work|am working|am) in (.+)$/i, (m) => {
    const value = cutTail(m[1]!);
    const field = value.replace(/^the\s+/i, '').replace(/\s+(?:industry|sector|field|space|business)$/i, '');
    if (
      !INDUSTRIES.has(value.toLowerCase()) &&
      !INDUSTRIES.has(field.toLowerCase()) &&
      !/\b(?:industry|sector|field)$/i.test(value)
    )
      return [];
    return [assert(fact('industry', `Works in ${value}`, field))];
  }),
  rule(
    'business',
    'I run a small bakery',
    new RegExp(
      `^${SUBJECT} (?:own|run|have|started|opened|founded|co-founded|manage|am running|am starting) (an? |my own |our own |my |our )(.+)$`,
      'i',
    ),
    (m) => {
      // "a small Etsy shop selling candles": what it sells describes it.
      const what = cutTail(m[2]!).replace(/\s+(?:selling|making|that|which|where|with|for|in|on)\b.*$/i, '');
      const words = what.toLowerCase().split(/\s+/);
      const head = words.slice(-2).join(' ');
      if (wordCount(what) > 5 || !(BUSINESSES.has(words[words.length - 1] ?? '') || BUSINESSES.has(head))) return [];
      const own = /own/i.test(m[1]!);
      return [assert(fact('company', `Runs ${own ? 'their own' : article(what)} ${what}`, what))];
    },
  ),
  rule(
    'skill',
    'I am good at Python',
    /^I am (good|great|skilled|proficient|experienced|an expert|expert|decent|competent|pretty good|really good|very good) (at|in|with) (.+)$/i,
    (m) => {
      if (/with/i.test(m[2]!) && !/skilled|proficient|experienced|expert/i.test(m[1]!)) return [];
      return skillFacts(m[3]!);
    },
  ),
  rule(
    'skill',
    'I code in TypeScript and Go',
    /^I (?:code|program|develop|write code) (?:mostly |mainly )?in (.+)$/i,
    (m) => skillFacts(m[1]!),
  ),
  rule('skill', 'My skills include SQL and Excel', /^my (?:main )?(?:skills|strengths) (?:are|include) (.+)$/i, (m) =>
    skillFacts(m[1]!),
  ),

  // ---- education
  rule(
    'degree',
    "I have a master's degree in physics",
    /^I (?:have|hold|got|earned|completed|did|finished|took|gained) (?:an? |my )?(bachelor'?s|master'?s|masters|phd|ph\.?d\.?|doctorate|mba|bsc|msc|ba|bs|ma|ms|md|jd|associate'?s|law degree|medical degree|degree)(?: degree)?(?: in ([^,]+?))?(?: (?:from|at) (.+))?$/i,
    (m) => {
      const degree = normaliseDegree(m[1]!);
      const field = m[2] ? cutTail(m[2]) : '';
      const out: Intent[] = [
        assert(fact('degree', `Has ${withArticle(degree)}${field ? ` in ${field}` : ''}`, degree)),
      ];
      if (field) out.push(assert(fact('major', `Studied ${field}`, field)));
      const school = m[3] ? schoolName(m[3]) : null;
      if (school) out.push(assert(fact('school', `Studied at ${school}`, school)));
      return out;
    },
  ),
  rule(
    'degree',
    'I am doing a PhD in biology',
    /^I am (?:doing|pursuing|working on|studying for|finishing|taking|halfway through|in the middle of|in the (?:first|second|third|final|last) year of) (?:an? |my )(?:((?:(?!bachelor|master|phd)[\w'-]+ ){1,2}?))?(bachelor'?s|master'?s|masters|phd|ph\.?d\.?|doctorate|mba|msc|mres|mphil|meng|bsc|beng|ba|ma|degree)(?: degree)?(?: in ([^,]+?))?(?: at (.+))?$/i,
    (m) => {
      // "my nursing degree": the field before the degree word ("an online degree" names no field).
      const before = (m[1] ?? '').trim();
      const fieldBefore =
        before !== '' && !/^(?:new|online|first|second|part-time|full-time|\w+ year)$/i.test(before)
          ? before.toLowerCase()
          : '';
      const degree = normaliseDegree(m[2]!);
      const field = m[3] ? cutTail(m[3]) : fieldBefore;
      const out: Intent[] = [
        assert(fact('degree', `Is pursuing ${withArticle(degree)}${field ? ` in ${field}` : ''}`, degree)),
      ];
      if (field) out.push(assert(fact('major', `Studies ${field}`, field)));
      const school = m[4] ? schoolName(m[4]) : null;
      if (school) out.push(assert(fact('school', `Studies at ${school}`, school)));
      return out;
    },
  ),
  rule('school', 'I graduated from MIT', /^I (?:graduated|have graduated) (?:from (.+))?$/i, (m, ctx) => {
    const school = m[1] ? schoolName(m[1]) : null;
    const out: Intent[] = school ? [assert(fact('school', `Graduated from ${school}`, school))] : [];
    if (ctx.recent) out.push(event(school ? `Graduated from ${school}` : 'Graduated', ctx, ctx.source));
    return out;
  }),
  rule(
    'school',
    'I go to Lincoln High School',
    /^I (study at|am studying at|go to|attend|am attending|am enrolled at|am enrolled in|studied at|went to|attended) (.+)$/i,
    (m) => {
      const school = schoolName(m[2]!);
      if (!school) return [];
      // "I go to Berlin every summer", "I went to Japan": a place one goes to is a school only when named as one.
      if (/^(?:go to|went to)$/i.test(m[1]!) && !SCHOOL_WORDS.test(school) && !/^\p{Lu}{2,6}$/u.test(school)) return [];
      const past = /studied|went|attended$/i.test(m[1]!);
      return [assert(fact('school', `${past ? 'Studied' : 'Studies'} at ${school}`, school))];
    },
  ),
  rule(
    'study',
    'I study computer science at TU Munich',
    /^I (study|am studying|studied|major in|am majoring in|majored in) (?!at\b|for\b|hard\b|a lot\b|late\b|with\b|to\b|in\b|every\b|on\b|abroad\b)(.+?)(?: at (.+))?$/i,
    (m) => {
      const subject = cutTail(m[2]!);
      if (subject === '' || wordCount(subject) > 5 || !isLikeObject(subject)) return [];
      const past = /studied|majored/i.test(m[1]!);
      const out: Intent[] = [assert(fact('major', `${past ? 'Studied' : 'Studies'} ${subject}`, subject))];
      const school = m[3] ? schoolName(m[3]) : null;
      if (school) out.push(assert(fact('school', `${past ? 'Studied' : 'Studies'} at ${school}`, school)));
      return out;
    },
  ),
  rule(
    'learning',
    'I am learning Spanish',
    /^I am (?:learning|teaching myself|taking (?:classes|lessons|a course) in|taking (\w+) (?:classes|lessons))(?: (.+))?$/i,
    (m) => {
      const subject = cutTail(
        (m[1] ?? m[2] ?? '').replace(/^(?:how to|to)\s+/i, (s) => s.toLowerCase()).replace(/^the\s+/i, ''),
      );
      if (
        subject === '' ||
        wordCount(subject) > 6 ||
        (!/^(?:how )?to\s/i.test(subject) && !isLikeObject(subject)) ||
        /^(?:a lot|so much|fast|quickly|slowly|from)\b/i.test(subject)
      )
        return [];
      const language = languageOf(subject);
      return [
        assert(
          fact(
            'learning',
            `Is learning ${language && wordCount(subject) === 1 ? language : thirdPerson(subject)}`,
            subject,
          ),
        ),
      ];
    },
  ),

  // ---- family
  rule(
    'relationship',
    "I'm married",
    /^(?:I am|we are|I have been|we have been) (married|engaged|divorced|separated|widowed|single|in a relationship|in a committed relationship|dating someone|seeing someone)(?: (?:to|with) (.+))?$/i,
    (m) => {
      const status = statusFact(m[1]!, m[2]);
      const out: Intent[] = status ? [assert(status)] : [];
      const kids = m[2]
        ? (new RegExp(`^${NUMBER} (kids?|children|sons?|daughters?)$`, 'i').exec(cutTail(m[2]).trim()) ??
          new RegExp(`^${NUMBER} (kids?|children|sons?|daughters?)\\b`, 'i').exec(m[2].trim()))
        : null;
      if (kids) {
        const c = childrenFact(count(kids[1]), kids[2]!, undefined);
        if (c) out.push(assert(c));
      }
      return out;
    },
  ),
  rule(
    'relationship',
    'We just got married',
    new RegExp(
      `^${SUBJECT} (?:got |have gotten |have got |have been |were |)(married|engaged|divorced|separated)(?: (?:to|with) (.+?))?(?: (?:in|on|last|this) .+)?$`,
      'i',
    ),
    (m, ctx) => {
      const status = statusFact(m[1]!, m[2]);
      if (!status) return [];
      const verb = `Got ${m[1]!.toLowerCase()}`;
      return [assert(status), event(verb, ctx, ctx.source)];
    },
  ),
  rule(
    'relationship',
    'We broke up',
    /^(?:we (?:broke up|split up|separated|are no longer together|are not together)|I (?:broke up|split up) with (?:my |him|her|them)?.*|my (?:girlfriend|boyfriend|partner|wife|husband|fianc[ée]e?) (?:and I )?(?:broke up with me|left me|dumped me))$/i,
    (_m, ctx) => [{ kind: 'forget', targets: [{ topic: 'family', subTopic: 'partner' }], source: ctx.source }],
  ),
  rule('relationship', "I'm a widow", /^I am (?:a )?(?:widow|widower)$/i, () => [
    assert(fact('partner', 'Is widowed', 'widowed')),
  ]),
  rule(
    'relationship',
    'My husband passed away',
    /^my (wife|husband|spouse|partner) (?:passed away|died)(?: .*)?$/i,
    () => [assert(fact('partner', 'Is widowed', 'widowed'))],
  ),
  rule(
    'partner',
    'I have a wife named Anna',
    /^I (?:have|have got) (?:a|an) (wife|husband|partner|spouse|girlfriend|boyfriend|fianc[ée]e?)(?:,?\s+((?:named|called|whose name is)\s+.+))?$/i,
    (m) => {
      const f = partnerFact(m[1]!, m[2]);
      return f ? [assert(f)] : [];
    },
  ),
  rule(
    'children',
    'I have two kids',
    new RegExp(
      `^${SUBJECT} (?:have|have got|got) (?:${NUMBER} )?(?:(?:little|young|baby|teenage|grown-up|grown|adult|lovely|beautiful|wonderful|cheeky) )?(kids?|children|child|sons?|daughters?|boys?|girls?|babies|baby|grandchildren|grandkids|grandchild|stepsons?|stepdaughters?|stepkids|stepchildren|twins|teenagers?|teens|toddlers?)(?:(?:,|:|\\s+named|\\s+called)\\s*(.+))?(?: (?:under|aged|ages|between|over|from) [\\w -]+)?$`,
      'i',
    ),
    (m) => {
      const n = m[1] === undefined ? null : count(m[1]);
      const f = childrenFact(n, m[2]!, m[3]);
      return f ? [assert(f)] : [];
    },
  ),
  rule(
    'children',
    "I don't have kids",
    /^(?:I|we) (?:do not have|have no|do not have any) (kids|children)(?: yet)?$/i,
    (m) => {
      const f = childrenFact(0, m[1]!, undefined);
      return f ? [assert(f)] : [];
    },
  ),
  rule(
    'children',
    "I'm a stay-at-home dad to twin girls",
    /^I am (?:a |an )?((?:[\w-]+ ){1,3}?(?:mom|mum|mother|dad|father|parent|mama|papa)) (?:of|to|with) ((?:\w+ )?(?:twin )?(?:kids|children|boys|girls|sons|daughters|teenagers|teens|toddlers|little ones|babies|twins|twin (?:boys|girls)))$/i,
    // The parent's kind ("stay-at-home", "single") and the children, each read as said alone.
    (m, ctx) => {
      const kind = matchStatement(`I am a ${m[1]!}`, ctx)?.intents ?? [];
      const children = matchStatement(`I have ${m[2]!.replace(/^twin (boys|girls)$/i, 'twins')}`, ctx)?.intents ?? [];
      return children.length > 0 ? [...kind, ...children] : [];
    },
  ),
  rule(
    'children',
    'I am a mother of two',
    /^I am (?:a |the )?(mom|mum|mother|dad|father|parent|mama|papa|single mom|single mum|single mother|single dad|single father|single parent)(?: (?:of|with) (\w+)(?: (?:kids|children|boys|girls|sons|daughters|teenagers|teens|toddlers|toddler|little ones|grown(?:-up)? kids))?)?$/i,
    (m) => {
      const raw = m[1]!.toLowerCase();
      const single = raw.startsWith('single ');
      const base = raw.replace(/^single /, '');
      const who = /^(?:mom|mum|mama|mother)$/.test(base)
        ? 'mother'
        : /^(?:dad|papa|father)$/.test(base)
          ? 'father'
          : 'parent';
      const n = count(m[2]);
      if (m[2] && (n === null || n === 0)) return [];
      const out: Intent[] = [];
      if (n !== null)
        out.push(
          assert(
            fact('children', n === 1 ? 'Has a child' : `Has ${countWord(n)} children`, 'children', {
              supersedes: [COUNT_OF_CHILDREN],
            }),
          ),
        );
      if (single || n === null)
        out.push(assert(fact('children', `Is ${withArticle(single ? `single ${who}` : who)}`, 'parent')));
      return out;
    },
  ),
  rule(
    'children',
    'We just had a baby girl',
    new RegExp(
      `^${SUBJECT} (?:had|welcomed|have had|have welcomed) (?:a |an |our |my )?(?:first |second |third |fourth |new |beautiful |healthy )?(baby boy|baby girl|baby|son|daughter|twins)(?:,?\\s+((?:named|called)\\s+.+))?$`,
      'i',
    ),
    (m, ctx) => {
      const kind = m[1]!.toLowerCase();
      const noun = kind === 'baby boy' ? 'son' : kind === 'baby girl' ? 'daughter' : kind;
      const f = childrenFact(kind === 'twins' ? 2 : 1, noun, m[2]);
      return f
        ? [assert(f), ...notPregnant(ctx), event(kind === 'twins' ? 'Had twins' : 'Had a baby', ctx, ctx.source)]
        : [];
    },
  ),
  rule(
    'birth',
    'I gave birth to a baby boy',
    /^(?:I|we) (?:gave birth to|delivered|welcomed) (?:a |an |our |my )?(?:new |first |second |third |little |beautiful |healthy )*(baby boy|baby girl|baby|son|daughter|twins|little boy|little girl|boy|girl)(?:,? (?:named |called )?(\p{Lu}[\p{L}'-]+))?$/iu,
    (m, ctx) => {
      const kind = m[1]!.toLowerCase();
      const noun = /boy$/.test(kind) ? 'son' : /girl$/.test(kind) ? 'daughter' : kind;
      const f = childrenFact(kind === 'twins' ? 2 : 1, noun, m[2] ? `named ${m[2]}` : undefined);
      return f
        ? [assert(f), ...notPregnant(ctx), event(kind === 'twins' ? 'Had twins' : 'Had a baby', ctx, ctx.source)]
        : [];
    },
  ),
  rule(
    'birth',
    'Our baby girl was born on Tuesday',
    /^(?:our|my) (?:new |first |second |third |little |beautiful |healthy )*(baby boy|baby girl|baby|son|daughter|twins|little boy|little girl|boy|girl)(?:,? (\p{Lu}[\p{L}'-]+),?)? (?:was|were|has been|have been) born\b.*$/iu,
    (m, ctx) => {
      const kind = m[1]!.toLowerCase();
      const noun = /boy$/.test(kind) ? 'son' : /girl$/.test(kind) ? 'daughter' : kind;
      const f = childrenFact(kind === 'twins' ? 2 : 1, noun, m[2] ? `named ${m[2]}` : undefined);
      return f
        ? [assert(f), ...notPregnant(ctx), event(kind === 'twins' ? 'Had twins' : 'Had a baby', ctx, ctx.source)]
        : [];
    },
  ),
  rule(
    'siblings',
    'I have a sister named Anna',
    /^I (?:have|have got) (?:(no|a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2}) )?((?:(?:older|younger|little|big|baby|twin|half|step)[ -]?)?(?:brothers?|sisters?|siblings?))(?:(?:,|:|\s+named|\s+called)\s*(.+))?$/i,
    (m) => {
      const f = siblingFact(m[1] === undefined ? null : count(m[1]), m[2]!, m[3]);
      return f ? [assert(f)] : [];
    },
  ),
  rule(
    'siblings',
    "I'm the youngest of five kids",
    /^I am the (youngest|oldest|eldest|middle|second|third|baby) (?:child |kid )?(?:of|in a family of) (\w+)(?: (?:kids|children|siblings|brothers|sisters))?$/i,
    (m) => {
      const n = count(m[2]);
      if (n === null || n < 2) return [];
      // The place in the family is kept with the count: "Has three siblings (the oldest of four)".
      const place = `the ${m[1]!.toLowerCase().replace('eldest', 'oldest')} of ${countWord(n)}`;
      const siblings = n === 2 ? 'Has a sibling' : `Has ${countWord(n - 1)} siblings`;
      return [assert(fact('siblings', `${siblings} (${place})`, 'siblings'))];
    },
  ),
  rule('siblings', 'I am an only child', /^I am an only child$/i, () => [
    assert(fact('siblings', 'Is an only child', 'only child')),
  ]),

  // ---- pets
  rule(
    'pet',
    'I have a dog named Rex',
    new RegExp(
      `^${SUBJECT} (?:have|have got|own|got|adopted|rescued|have adopted|have a pet|took in|brought home) (.+)$`,
      'i',
    ),
    (m) => {
      const f = petFact(m[1]!);
      return f ? [assert(f)] : [];
    },
  ),
  rule(
    'pet',
    "I don't have any pets",
    /^(?:I|we) (?:do not have|have no|do not own|no longer have) (?:any )?pets$/i,
    (_m, ctx) => [{ kind: 'forget', targets: [{ topic: 'pets', subTopic: null }], source: ctx.source }],
  ),
  rule(
    'pet-loss',
    'My dog Rex died',
    /^(?:my|our) ([\w ]+?)(?:,)?(?: (\p{Lu}[\p{L}'-]+))?,? (?:died|passed away|passed|ran away|is gone|was put down|had to be put down|crossed the rainbow bridge)(?: .*)?$/iu,
    (m, ctx) => petLoss(m[1]!, m[2], ctx),
  ),
  rule(
    'pet-loss',
    'We had to put Luna down',
    /^(?:I|[Ww]e) (?:had to |have had to )?(?:put|have put) (?:(?:my|our) \w+ )?(\p{Lu}[\p{L}'-]+) (?:down|to sleep)$/u,
    (m, ctx) => petByName(m[1]!, ctx),
  ),
  rule(
    'pet-loss',
    'We rehomed our cat Oscar',
    /^(?:I|[Ww]e) (?:rehomed|have rehomed|had to rehome|gave away|gave up|had to give up|found a new home for|lost|had to put down|put down|said goodbye to) (?:(?:my|our) )?([\w ]+?)?,? ?(\p{Lu}[\p{L}'-]+)?$/u,
    (m, ctx) => (m[1] ? petLoss(m[1], m[2], ctx) : m[2] ? petByName(m[2], ctx) : []),
  ),
  rule(
    'pet-loss',
    'We lost our cat',
    /^(?:I|we) (?:lost|had to put down|put down|said goodbye to) (?:my|our) ([\w ]+?)(?:,)?(?: (\p{Lu}[\p{L}'-]+))?$/iu,
    (m, ctx) => petLoss(m[1]!, m[2], ctx),
  ),

  // ---- food and health
  rule(
    'diet',
    'I am vegetarian',
    /^(?:I am|we are) (?:a |an )?(?:strict |full |fully |lifelong |committed |practicing )?(mostly |mainly |almost |part[- ]time )?(vegetarian|vegan|pescatarian|pescetarian|flexitarian|plant-based|plant based|lacto-vegetarian|ovo-vegetarian|lacto-ovo vegetarian|fruitarian|raw vegan|carnivore)$/i,
    (m) => {
      const diet = m[2]!.toLowerCase().replace('pescetarian', 'pescatarian').replace('plant based', 'plant-based');
      const qualifier = m[1] ? `${m[1].trim().toLowerCase()} ` : '';
      const text = diet === 'plant-based' ? `Eats ${qualifier}plant-based` : `Is ${qualifier}${diet}`;
      return [assert(fact('diet', text, diet))];
    },
  ),
  rule(
    'diet',
    "I'm keto",
    /^(?:I am|we are) (?:strictly |fully |mostly |pretty much |basically )?(keto|ketogenic|paleo|low[- ]carb|gluten[- ]free|dairy[- ]free|sugar[- ]free|halal|kosher|whole30|low[- ]fodmap|carnivore)$/i,
    (m) => dietFact(m[1]!),
  ),
  rule(
    'diet',
    'I follow a keto diet',
    /^I (?:eat|follow|am on|do|keep|am doing|have|stick to|try to eat|live on) (?:an? |the |mostly |strictly )?(keto|ketogenic|paleo|low[- ]carb|gluten[- ]free|mediterranean|halal|kosher|whole30|low[- ]fodmap|dash|raw|intermittent fasting|vegan|vegetarian|plant[- ]based|dairy[- ]free|sugar[- ]free|low[- ]sugar|low[- ]fat|high[- ]protein|carnivore|pescatarian)(?: diet| food| only)?$/i,
    (m) => dietFact(m[1]!),
  ),
  rule(
    'diet',
    'I am on a low-carb diet',
    /^I am on (?:an? |the )?(keto|ketogenic|paleo|low[- ]carb|gluten[- ]free|mediterranean|whole30|low[- ]fodmap|dash|raw|vegan|vegetarian|plant[- ]based|dairy[- ]free|sugar[- ]free|low[- ]sugar|low[- ]fat|high[- ]protein|carnivore|liquid|elimination) diet$/i,
    (m) => dietFact(m[1]!),
  ),
  rule(
    'restriction',
    "I don't eat meat",
    new RegExp(
      `^${SUBJECT} (do not|never|cannot|can not|no longer|try not to|stopped|gave up|have given up|have stopped|quit|avoid|am avoiding|refuse to) (eating|eat|drinking|drink|consuming|consume|touching|touch|do)? ?(?:any )?(.+)$`,
      'i',
    ),
    (m) => {
      const how = m[1]!.toLowerCase();
      const drink = /drink/i.test(m[2] ?? '');
      if (!m[2] && !/^(?:avoid|am avoiding)$/.test(how)) return [];
      if (/^(?:gave up|have given up|stopped|have stopped|quit)$/.test(how) && !m[2]) return [];
      const verb = /^(?:cannot|can not)$/.test(how)
        ? 'Cannot'
        : /^(?:try not to)$/.test(how)
          ? 'Tries not to'
          : 'Does not';
      // "I don't do dairy" is a restriction; "I don't do French anymore" is not about food.
      if (/^do$/i.test(m[2] ?? '') && !items(m[3]!).every((i) => isFood(i))) return [];
      if (/^(?:avoid|am avoiding)$/.test(how)) {
        return items(m[3]!)
          .filter((i) => isFood(i))
          .map((i) => assert(fact('restrictions', `Avoids ${i}`, i)));
      }
      return restrictionFacts(verb, drink, m[3]!);
    },
  ),
  rule(
    'restriction',
    "I'm sober",
    /^I am (?:sober|teetotal|a teetotaler|a teetotaller|alcohol[- ]free|a non-drinker|straight edge|a recovering alcoholic|in recovery from alcohol(?:ism)?)$/i,
    () => [assert(fact('restrictions', 'Does not drink alcohol', 'alcohol'))],
  ),
  rule(
    'restriction',
    "I don't drink",
    /^I (?:do not|never|no longer|cannot|can not) drink(?: at all| anymore| any more)?$/i,
    () => [assert(fact('restrictions', 'Does not drink alcohol', 'alcohol'))],
  ),
  rule(
    'allergy',
    "I'm allergic to nuts",
    /^I am (?:severely |very |highly |deathly |mildly |slightly |super |extremely |seriously |a bit |a little )?allergic to (.+)$/i,
    (m) => allergyFacts(m[1]!),
  ),
  rule(
    'allergy',
    'I have a peanut allergy',
    /^I have (?:an? |severe |bad |serious |mild |life-threatening |food )*(.+?) allerg(?:y|ies)$/i,
    (m) => allergyFacts(m[1]!),
  ),
  rule(
    'allergy',
    'I have allergies to pollen and dust',
    /^(?:I have (?:an? |severe |bad )?allerg(?:y|ies) to|my allergies (?:are|include)) (.+)$/i,
    (m) => allergyFacts(m[1]!),
  ),
  rule(
    'intolerance',
    "I'm lactose intolerant",
    /^I am (lactose|gluten|fructose|histamine|dairy|wheat|soy|egg|caffeine|alcohol) intolerant$/i,
    (m) => intolerance(m[1]!),
  ),
  rule(
    'intolerance',
    'I have a gluten intolerance',
    /^I have (?:an? |severe |mild )?(lactose|gluten|fructose|histamine|dairy|wheat|soy|egg|caffeine|alcohol) intolerance$/i,
    (m) => intolerance(m[1]!),
  ),
  rule(
    'condition',
    'I have asthma',
    /^I (?:have|suffer from|was diagnosed with|am diagnosed with|have been diagnosed with|live with|struggle with|deal with|got diagnosed with) (.+)$/i,
    (m) => {
      const conditions = items(m[1]!).map((c) =>
        c
          .toLowerCase()
          .replace(/^(?:a mild form of|mild|severe|chronic|bad|some)\s+(?=\w)/, (s) =>
            s.trim() === 'chronic' ? s : '',
          ),
      );
      if (conditions.length === 0 || !conditions.every((c) => CONDITIONS.has(c))) return [];
      return conditions.map((c) =>
        assert(
          fact('conditions', `Has ${conditionName(c)}`, c, {
            categories: /celiac|coeliac/.test(c) ? ['health', 'food'] : ['health'],
          }),
        ),
      );
    },
  ),
  rule(
    'condition',
    "I'm diabetic",
    /^I am (?:an? )?(?:(?:\d+|a few) (?:weeks|months) )?(?:type (?:1|2|one|two|i|ii) )?(diabetic|asthmatic|epileptic|autistic|dyslexic|deaf|hard of hearing|blind|visually impaired|colou?r ?blind|pregnant|expecting(?: a baby)?|celiac|coeliac|anemic|anaemic|a wheelchair user)$/i,
    (m) => {
      const key = m[1]!.toLowerCase().replace(/^expecting.*/, 'pregnant');
      const text = CONDITION_ADJECTIVES.get(key);
      return text ? [assert(fact('conditions', text, key))] : [];
    },
  ),

  // ---- tastes and pastimes
  rule(
    'favorite',
    'My favorite band is Radiohead',
    /^my (?:all[- ]time |absolute |current |very |most )?favorite ([\p{L} -]{2,30}?) (is|are|has to be|has always been|will always be|must be|of all time is) (.+)$/iu,
    (m) => favorite(m[1]!, m[2]!, m[3]!),
  ),
  rule(
    'favorite',
    'Dune is my favorite book',
    /^(.+?) (is|are) (?:probably |definitely )?my (?:all[- ]time |absolute |current )?favorite ([\p{L} -]{2,30}?)(?: of all time| ever)?$/iu,
    (m) => favorite(m[3]!, m[2]!, m[1]!),
  ),
  rule(
    'hobby',
    'My hobbies are reading and chess',
    /^my (?:main |favorite |biggest )?(?:hobby is|hobbies are|hobbies include|hobbies would be|pastimes are|pastime is|passion is|passions are) (.+)$/i,
    (m) => hobbyFacts(m[1]!),
  ),
  rule(
    'hobby',
    'In my free time I paint',
    /^(?:in my (?:free|spare|leisure) time|for fun|on (?:the )?weekends|when I am not working|after work),? (?:I|we) (?:like to |love to |enjoy |usually |often |mostly )?(.+)$/i,
    (m) => hobbyFacts(m[1]!.replace(/^(?:go|play)\s+/i, (s) => (/play/i.test(s) ? 'playing ' : ''))),
  ),
  rule('plays', 'I play the guitar', /^(?:I|we) play (.+)$/i, (m) => playFacts(m[1]!)),
  rule(
    'activity',
    'I go climbing every weekend',
    /^(?:I|we) (?:go|love going|like going|enjoy going|often go|regularly go) ((?:mountain |road |trail |rock |ice |wild |open water |deep sea |fly |sea |cross-country |downhill |scuba |skinny |bar |window |clubbing )?[a-z]+ing)\b.*$/i,
    (m) => {
      const activity = m[1]!.toLowerCase();
      return /^(?:to|going|being|getting|nothing|something|anything)$/.test(activity)
        ? []
        : [assert(fact('hobbies', `Goes ${activity}`, activity))];
    },
  ),
  rule(
    'activity',
    'I go to the gym',
    /^(?:I|we) (?:go|love going|like going|regularly go|often go) to (?:the )?(gym|yoga|pilates|crossfit|spin class|spinning|dance classes|dance class|climbing gym|bouldering gym|swimming pool|pool|choir|book club|church|the gym)\b.*$/i,
    (m) => {
      const place = m[1]!.toLowerCase();
      if (place === 'church') return [];
      const shown = /^(?:gym|climbing gym|bouldering gym|swimming pool|pool)$/.test(place) ? `the ${place}` : place;
      return [assert(fact('hobbies', `Goes to ${shown}`, place))];
    },
  ),
  rule(
    'dislike',
    'I hate cilantro',
    /^(?:I|we) (?:hate|dislike|detest|loathe|despise|cannot stand|can not stand|do not like|do not enjoy|do not care for|am not (?:a |the )?(?:big |huge |great )?fan of|am not into|am not keen on|can not bear|cannot bear|do not love) (.+)$/i,
    (m) => likeFacts(m[1]!, 'dislike'),
  ),
  rule(
    'like',
    'I love hiking',
    /^(?:I|we) (?:love|like|enjoy|adore|dig|fancy|am into|am (?:a |an )?(?:big |huge |massive |great |avid |die-hard |total |complete |bit of a )?(?:fan|lover|enthusiast|nerd|geek|buff|fanatic|addict|junkie|devotee|aficionado|sucker|snob) (?:of|for|about)|am passionate about|am obsessed with|am crazy about|am addicted to|am a sucker for|have a soft spot for|cannot get enough of|am in love with|am keen on|am fond of) (.+)$/i,
    (m) => likeFacts(m[1]!, 'like'),
  ),
  rule(
    'like',
    'I am a big jazz fan',
    /^I am (?:a |an )?(?:big |huge |massive |great |avid |die-hard )?(.+?) (?:fan|lover|enthusiast|nerd|geek|buff|supporter|follower|devotee|aficionado|snob)$/i,
    (m) => {
      // "a lifelong Celtic supporter", "a diehard Mets fan": how keen is said before what.
      const words = tag(cutTail(m[1]!));
      let k = 0;
      while (
        k < words.length - 1 &&
        (words[k]!.pos === 'ADJ' || words[k]!.pos === 'ADV') &&
        words[k]!.text === words[k]!.lower
      )
        k++;
      const thing = join(words.slice(k));
      return isLikeObject(thing) && wordCount(thing) <= 3 ? likeFacts(thing, 'like') : [];
    },
  ),
  rule(
    'preference',
    'I prefer tea over coffee',
    /^I (?:much |really |generally )?prefer (.+?) (?:to|over|rather than|instead of) (.+)$/i,
    (m) => {
      const a = cutTail(m[1]!);
      const b = cutTail(m[2]!);
      if (!isLikeObject(a) || !isLikeObject(b) || wordCount(a) > 4 || wordCount(b) > 4) return [];
      return [assert(fact(isFood(a) || isFood(b) ? 'foodLikes' : 'likes', `Prefers ${a} over ${b}`, a))];
    },
  ),

  // ---- personality and values
  rule(
    'personality',
    'I am an introvert',
    /^I am (?:an? |a bit |a little |kind of |sort of |very |quite |pretty |really |extremely |super |such an? |a total |a real |a huge |a big |a massive |a true |a bit of an? |a proper |definitely |naturally |more of an? |more |huge |big |total |massive )*(.+?)(?: person)?$/i,
    (m) => personalityFact(cutTail(m[1]!)),
  ),
  rule('name', "Hi, I'm Alex", /^I am (\p{L}[\p{L}'.-]*(?:\s+\p{L}[\p{L}'.-]*){0,2}?)(?:,? from (.+))?$/iu, (m) => {
    const name = asPersonName(m[1]!, false);
    if (
      !name ||
      name
        .split(' ')
        .some((w) => NATIONALITIES.has(w.toLowerCase()) || LANGUAGES.has(w.toLowerCase()) || JOBS.has(w.toLowerCase()))
    )
      return [];
    const out: Intent[] = [assert(fact('name', `Name is ${name}`, name))];
    if (m[2]) out.push(...placeFact('origin', 'Is from', m[2]));
    return out;
  }),
  rule(
    'value',
    'I value honesty',
    /^I (value|care (?:deeply |a lot |so much |a great deal )?about|believe in|stand for|prioriti[sz]e) (.+)$/i,
    (m) => {
      const verb = /^value|prioriti/i.test(m[1]!)
        ? 'Values'
        : /^care/i.test(m[1]!)
          ? 'Cares about'
          : /^believe/i.test(m[1]!)
            ? 'Believes in'
            : 'Stands for';
      return valueFacts(verb, m[2]!);
    },
  ),
  rule(
    'value',
    "I'm a big believer in honesty",
    /^I am (?:a |an )?(?:big |firm |strong |huge |great |true |real |staunch |passionate )?(?:believer in|advocate (?:of|for)|champion of|stickler for) (.+?)(?: (?:above|over|before) (?:all|everything|anything)(?: else)?)?$/i,
    (m) => valueFacts('Values', m[1]!),
  ),
  rule(
    'value',
    'Family is important to me',
    /^(.+?) (?:is|are) (?:very |really |super |extremely |so |incredibly |the most )?important (?:thing )?to me$/i,
    (m) => valueFacts('Values', m[1]!),
  ),
  rule(
    'value',
    'My family means everything to me',
    /^(.+?) (?:means?|matters?) (?:a lot|everything|the world|so much|a great deal) to me$/i,
    (m) => valueFacts('Values', m[1]!.replace(/^(?:my|our)\s+/i, '')),
  ),

  // ---- goals, plans, events
  rule(
    'goal',
    'I want to learn Spanish',
    /^I (?:want|hope|dream|am hoping|have always wanted|really want|long|aspire|yearn|am dying|am eager|am keen) to (.+)$/i,
    (m, ctx) => goalFacts('want', m[1]!, false, ctx),
  ),
  rule('goal', 'I dream of visiting Japan', /^I (?:dream of|dream about|am dreaming of) (\w+ing)\b(.*)$/i, (m, ctx) => {
    const verb =
      Object.entries(GERUNDS).find(([, g]) => g === m[1]!.toLowerCase())?.[0] ??
      m[1]!.toLowerCase().replace(/ing$/, '');
    return goalFacts('want', `${verb}${m[2] ?? ''}`, false, ctx);
  }),
  rule(
    'plan',
    "I'm planning to run a marathon",
    /^I (?:am planning|plan|am going|intend|am intending|will|am about|have decided|decided|am preparing|am getting ready|am set|have made up my mind) to (.+)$/i,
    (m, ctx) => goalFacts('plan', m[1]!, false, ctx),
  ),
  rule(
    'goal',
    "I'm trying to lose weight",
    /^I am (?:trying|aiming|working|striving|determined|committed|hoping) to (.+)$/i,
    (m, ctx) => goalFacts('goal', m[1]!, false, ctx),
  ),
  rule(
    'goal',
    "I'm saving up to buy a campervan",
    /^I am (?:saving(?: up)?|saving money|putting money (?:aside|away)) to (buy|get|afford|pay for|travel to|visit|go to|move to|start|open) (.+)$/i,
    (m) => {
      const target = cutTail(m[2]!);
      if (target === '' || wordCount(target) > 6 || !isLikeObject(target)) return [];
      return [assert(fact('goals', `Is saving up to ${m[1]!.toLowerCase()} ${thirdPerson(target)}`, target))];
    },
  ),
  rule(
    'plan',
    'I am training for a marathon',
    /^I am (training for|saving (?:up )?for|preparing for|working towards|working toward|studying for) (.+)$/i,
    (m) => {
      const target = cutTail(m[2]!);
      // "my first half marathon": the user's own event is an object too.
      const bare = target.replace(/^(?:my|our)\s+/i, '');
      if (bare === '' || wordCount(bare) > 6 || !isLikeObject(bare)) return [];
      const verb = m[1]!.toLowerCase().replace(/^saving up/, 'saving');
      return [assert(fact('plans', `Is ${verb} ${thirdPerson(target)}`, target))];
    },
  ),
  rule(
    'goal',
    'My goal is to run a marathon',
    /^(?:one of )?my (?:main |big |biggest |personal |new year'?s |life |long-term |short-term |ultimate |only |current |number one |#1 )?(goal|aim|resolution|dream|ambition|plan|mission|objective)s?(?: (?:for|this|in|right now|now) [\w\s']+?)? (?:is|are|was|will be) (?:to )?(.+)$/i,
    (m, ctx) => {
      const kind = /^plan/i.test(m[1]!) ? 'plan' : /^dream/i.test(m[1]!) ? 'want' : 'goal';
      const phrase = m[2]!.replace(
        /^(\w+)ing\b/i,
        (g) => Object.entries(GERUNDS).find(([, v]) => v === g.toLowerCase())?.[0] ?? g,
      );
      return goalFacts(kind, phrase, true, ctx);
    },
  ),
  rule(
    'life-event',
    'We just bought a house',
    new RegExp(
      `^${SUBJECT} (?:bought|have bought|purchased|closed on|got the keys to) (?:a |an |our |my )?(?:first |new |own |dream )*(house|home|apartment|flat|condo|place|cottage|cabin|farm)\\b.*$`,
      'i',
    ),
    (m, ctx) => [event(`Bought ${withArticle(m[1]!.toLowerCase())}`, ctx, ctx.source)],
  ),

  // ---- explicit retractions
  rule(
    'retraction',
    'I moved out of London and into a flat in Kent',
    new RegExp(
      `^${SUBJECT} (?:moved away from|moved out of|left|no longer live in|have left|have moved out of|have moved away from) (.+?)(?:,? and (?:moved )?(?:in)?to (.+))?$`,
      'i',
    ),
    (m, ctx) => {
      if (m[2]) {
        const from = asPlace(cutTail(m[1]!));
        const to = placeFact('location', 'Lives in', m[2]);
        const back: Intent[] = from
          ? [{ kind: 'retract', fact: fact('location', `Lives in ${from}`, from), source: ctx.source }]
          : [];
        return to.length > 0 ? [...back, ...to] : back;
      }
      const value = cutTail(m[1]!);
      if (/^(?:my|the|a|an|it|home|work|school)\b/i.test(value)) return [];
      const place = asPlace(value);
      const out: Intent[] = [];
      if (place) out.push({ kind: 'retract', fact: fact('location', `Lives in ${place}`, place), source: ctx.source });
      const company = companyFact(value);
      if (company) out.push({ kind: 'retract', fact: company, source: ctx.source });
      return out;
    },
  ),
  ...LATE_CHANGE_RULES,
];

// ---------------------------------------------------------------- rule helpers

/** Better now: the health conditions that name this part or illness are taken back ("my leg has healed" -> "Has a broken leg"). */
function healed(raw: string, ctx: RuleContext): Intent[] {
  const what = cutTail(raw)
    .replace(/^(?:my|the|a|an)\s+/i, '')
    .toLowerCase();
  if (what === '' || wordCount(what) > 3 || !isLikeObject(what)) return [];
  const head = what.split(/\s+/).at(-1) ?? what;
  return [{ kind: 'retract', fact: fact('conditions', `Has ${what}`, head), source: ctx.source }];
}

/** A pet named without its species ("We had to put Luna down"): looked for by name in every pet slot. */
function petByName(name: string, ctx: RuleContext): Intent[] {
  if (asPersonName(name, false) === null) return [];
  return (['dogs', 'cats', 'otherPets'] as const).map((slot) => ({
    kind: 'retract' as const,
    fact: fact(slot, `Has a pet named ${name}`, name),
    source: ctx.source,
  }));
}

/** A birth ends a pregnancy: "Is pregnant" and "Is expecting a baby" are taken back. */
function notPregnant(ctx: RuleContext): Intent[] {
  return ['Is pregnant', 'Is expecting a baby'].map((text) => ({
    kind: 'retract' as const,
    fact: fact('conditions', text, text === 'Is pregnant' ? 'pregnant' : 'expecting'),
    source: ctx.source,
  }));
}

function nickname(value: string): Intent[] {
  const name = asPersonName(cutTail(value), true);
  return name ? [assert(fact('nickname', `Prefers to be called ${name}`, name))] : [];
}

function age(value: string): Intent[] {
  const years = Number(value);
  if (!Number.isInteger(years) || years < 3 || years > 119) return [];
  return [assert(fact('age', `Is ${years} years old`, String(years)))];
}

function nativeLanguage(value: string): Intent[] {
  const language = languageOf(cutTail(value));
  return language
    ? [
        assert(
          fact('languages', `Native language is ${language}`, language, {
            supersedes: [exactly(`Speaks ${language}`)],
          }),
        ),
      ]
    : [];
}

function normaliseDegree(raw: string): string {
  const d = raw.toLowerCase().replace(/\./g, '');
  if (/^(?:phd|doctorate)$/.test(d)) return 'PhD';
  if (/^(?:master'?s|masters|ms|msc|ma)$/.test(d)) return "master's degree";
  if (/^(?:bachelor'?s|bsc|bs|ba)$/.test(d)) return "bachelor's degree";
  if (/^(?:associate'?s)$/.test(d)) return "associate's degree";
  if (/^(?:mba|md|jd)$/.test(d)) return d.toUpperCase();
  return d;
}

function dietFact(raw: string): Intent[] {
  const diet = raw
    .toLowerCase()
    .replace(/\s+/g, '-')
    .replace(/^ketogenic$/, 'keto')
    .replace('intermittent-fasting', 'intermittent fasting');
  if (diet === 'vegan' || diet === 'vegetarian' || diet === 'pescatarian' || diet === 'carnivore')
    return [assert(fact('diet', `Is ${diet}`, diet))];
  if (diet === 'plant-based') return [assert(fact('diet', 'Eats plant-based', diet))];
  if (diet === 'halal') return [assert(fact('diet', 'Eats halal', diet))];
  if (diet === 'kosher') return [assert(fact('diet', 'Keeps kosher', diet))];
  if (diet === 'intermittent fasting') return [assert(fact('diet', 'Does intermittent fasting', diet))];
  const name =
    diet === 'dash'
      ? 'DASH'
      : diet === 'whole30'
        ? 'Whole30'
        : diet === 'mediterranean'
          ? 'Mediterranean'
          : diet === 'low-fodmap'
            ? 'low-FODMAP'
            : diet;
  return [assert(fact('diet', `Follows ${withArticle(name)} diet`, diet))];
}

function intolerance(raw: string): Intent[] {
  const what = raw.toLowerCase();
  return [assert(fact('allergies', `Is ${what} intolerant`, `${what} intolerant`, { categories: ['health', 'food'] }))];
}

function conditionName(condition: string): string {
  const names: Record<string, string> = {
    adhd: 'ADHD',
    add: 'ADD',
    ibs: 'IBS',
    pcos: 'PCOS',
    ptsd: 'PTSD',
    ocd: 'OCD',
    ms: 'MS',
    gerd: 'GERD',
    cfs: 'CFS',
    celiac: 'celiac disease',
    // The user's own spelling is kept ("coeliac" in British English).
    coeliac: 'coeliac disease',
    "crohn's": "Crohn's disease",
    crohns: "Crohn's disease",
    "crohn's disease": "Crohn's disease",
    hayfever: 'hay fever',
    "parkinson's": "Parkinson's disease",
    migraine: 'migraines',
  };
  return names[condition] ?? condition;
}

function skillFacts(value: string): Intent[] {
  return items(value)
    .filter((s) => isLikeObject(s) && wordCount(s) <= 4)
    .map((s) => assert(fact('workSkills', `Is skilled in ${s}`, s)));
}

function favorite(rawKind: string, verb: string, rawValue: string): Intent[] {
  const kind = rawKind.trim().toLowerCase();
  const value = trimValue(
    rawValue
      .replace(/\s+(?:haha|lol|by far|hands down|of all time|ever)$/i, '')
      .replace(/,\s*(?:but|because|since|which|though)\b.*$/i, '')
      // "my nan's roast dinner": a dish as someone close makes it.
      .replace(favoriteSlot(kind) === 'foodLikes' ? /^(?:my|our) (\p{L}+'s \p{L})/iu : /^$/, '$1'),
  );
  if (value === '' || wordCount(value) > 8 || wordCount(kind) > 3 || !isLikeObject(value)) return [];
  const plural = /^are$/i.test(verb);
  const text = `Favorite ${kind} ${plural ? 'are' : 'is'} ${value}`;
  return [
    assert(
      fact(favoriteSlot(kind), text, value, {
        supersedes: [new RegExp(`^favou?rite ${escapeRegExp(normaliseText(kind))} (?:is|are)\\b`)],
      }),
    ),
  ];
}

function petLoss(rawNoun: string, name: string | undefined, ctx: RuleContext): Intent[] {
  const noun = rawNoun.trim().toLowerCase();
  const words = noun.split(/\s+/);
  const head = words[words.length - 1] ?? '';
  const species = PETS.get(noun) ?? PETS.get(head);
  if (!species) return [];
  const value = name ?? head;
  return [
    {
      kind: 'retract',
      fact: fact(species, `Has ${withArticle(head)}${name ? ` named ${name}` : ''}`, value),
      source: ctx.source,
    },
  ];
}

// ---------------------------------------------------------------- mentions

const RELATIONS: Record<string, { slot: DefaultSlotName; noun: string }> = {
  wife: { slot: 'partner', noun: 'wife' },
  husband: { slot: 'partner', noun: 'husband' },
  partner: { slot: 'partner', noun: 'partner' },
  spouse: { slot: 'partner', noun: 'spouse' },
  girlfriend: { slot: 'partner', noun: 'girlfriend' },
  boyfriend: { slot: 'partner', noun: 'boyfriend' },
  fiancée: { slot: 'partner', noun: 'fiancée' },
  fiancee: { slot: 'partner', noun: 'fiancée' },
  fiancé: { slot: 'partner', noun: 'fiancé' },
  fiance: { slot: 'partner', noun: 'fiancé' },
  son: { slot: 'children', noun: 'son' },
  daughter: { slot: 'children', noun: 'daughter' },
  kid: { slot: 'children', noun: 'child' },
  child: { slot: 'children', noun: 'child' },
  baby: { slot: 'children', noun: 'baby' },
  stepson: { slot: 'children', noun: 'stepson' },
  stepdaughter: { slot: 'children', noun: 'stepdaughter' },
  mom: { slot: 'parents', noun: 'mother' },
  mum: { slot: 'parents', noun: 'mother' },
  mother: { slot: 'parents', noun: 'mother' },
  dad: { slot: 'parents', noun: 'father' },
  father: { slot: 'parents', noun: 'father' },
  stepmother: { slot: 'parents', noun: 'stepmother' },
  stepfather: { slot: 'parents', noun: 'stepfather' },
  stepmom: { slot: 'parents', noun: 'stepmother' },
  stepdad: { slot: 'parents', noun: 'stepfather' },
  brother: { slot: 'siblings', noun: 'brother' },
  sister: { slot: 'siblings', noun: 'sister' },
  twin: { slot: 'siblings', noun: 'twin' },
};
const SIBLING_MODIFIERS = '(?:older|younger|little|big|baby|twin|half|step)[ -]?';
const PET_NOUNS = [...PETS.keys()]
  .filter((k) => !/s$/.test(k) || k === 'fish')
  .sort((a, b) => b.length - a.length)
  .map(escapeRegExp)
  .join('|');
const MENTION = new RegExp(
  `\\b(?:my|our) (?:(${SIBLING_MODIFIERS})?(${Object.keys(RELATIONS).map(escapeRegExp).join('|')})|(${PET_NOUNS}))(?:'s name is| is called| is named| named| called|,)?\\s+([\\p{L}][\\p{L}'-]*)`,
  'giu',
);

/**
 * Family members and pets named in passing: "My sister Anna lives in Rome"
 * gives "Has a sister named Anna" (and nothing about Rome: that is Anna's
 * fact, not the user's). The name must be capitalised as written.
 */
export function mentionFacts(clause: string): Intent[] {
  const out: Intent[] = [];
  for (const m of clause.matchAll(MENTION)) {
    const name = m[4] ?? '';
    if (!/^\p{Lu}/u.test(name) || asPersonName(name, false) === null) continue;
    if (m[2]) {
      const relation = RELATIONS[m[2].toLowerCase()];
      if (!relation) continue;
      const noun = `${m[1] ? `${m[1].toLowerCase().replace(/-$/, '').trim()} ` : ''}${relation.noun}`;
      const supersedes = relation.slot === 'partner' ? undefined : [new RegExp(`^has an? ${escapeRegExp(noun)}$`)];
      out.push(
        assert(fact(relation.slot, `Has ${withArticle(noun)} named ${name}`, name, supersedes ? { supersedes } : {})),
      );
    } else if (m[3]) {
      const noun = m[3].toLowerCase();
      const species = PETS.get(noun);
      if (!species) continue;
      out.push(
        assert(
          fact(species, `Has ${withArticle(noun)} named ${name}`, name, {
            supersedes: [new RegExp(`^has an? (?:\\w+ )?${escapeRegExp(noun)}$`)],
          }),
        ),
      );
    }
  }
  return out;
}

/** "Dan and I have been together since 2012", "Mia and I got engaged": the other half of a couple the user names. */
const COUPLE =
  /^(\p{Lu}[\p{L}'-]+) and I (?:have been|are|were|got|have|just got|recently got|finally got) (?:(?:happily |now )?(married|together|engaged|dating|a couple|in a relationship))\b/u;

/**
 * The partner a couple names: "Dan and I have been together since 2012" ->
 * "Is in a relationship with Dan"; "Sam and I got married" -> "Is married to
 * Sam". Read on the clause as said: the canonical clause says "we".
 */
export function coupleFacts(clause: string): Intent[] {
  const m = COUPLE.exec(clause);
  const name = m ? asPersonName(m[1]!, false) : null;
  if (!m || !name) return [];
  const state = m[2]!.toLowerCase();
  const text =
    state === 'married'
      ? `Is married to ${name}`
      : state === 'engaged'
        ? `Is engaged to ${name}`
        : `Is in a relationship with ${name}`;
  return [assert(fact('partner', text, name))];
}

// ---------------------------------------------------------------- negation

const TIME_MARKERS = /\s*\b(?:anymore|any more|any longer|no more|these days|nowadays|now|right now|at the moment)\b/gi;
/** Trailing words that do not change a statement: "I'm vegetarian again", "I'm allergic to nuts since childhood". */
const TRAILING =
  /\s+(?:again|too|as well|also|though|anyway|actually|haha|lol|btw|by the way|to be honest|tbh|honestly|for (?:\d+|a few|many|several|two|three|four|five|ten) (?:years?|months?|weeks?|days?)|for (?:years|ages|a while|a long time|life|good)|since (?:\d{4}|I was \w+|childhood|birth|forever|college|university|school)|(?:\d+|two|three|four|five|a few|many) (?:years?|months?|weeks?) ago|lately|currently|these days|after all|(?:last|this) (?:year|month|week|weekend|summer|winter|spring|fall|autumn)|recently|yesterday|today|tonight|last night|in (?:19|20)\d{2})$/i;

function withoutTrailers(clause: string): string {
  let text = clause.replace(TIME_MARKERS, '').trim();
  for (let guard = 0; guard < 3; guard++) {
    const next = text.replace(TRAILING, '').trim();
    if (next === text) break;
    text = next;
  }
  return text;
}

/**
 * The positive form of a negated clause, for retraction: "I am not
 * vegetarian anymore" -> "I am vegetarian"; "I no longer live in Berlin" ->
 * "I live in Berlin". Null when the clause is not a negated self-statement.
 */
export function positiveForm(clause: string): string | null {
  return positiveForms(clause)[0] ?? null;
}

const GIVE_UP =
  /^(I|we) (?:stopped|quit|gave up(?: on)?|have given up(?: on)?|have stopped|have quit|am giving up(?: on)?|am quitting|dropped|abandoned|am done with|am through with) (\w+ing)\b(.*)$/i;

/**
 * The positive forms of a negated or abandoned statement, for retraction:
 * "I am not vegetarian anymore" -> "I am vegetarian"; "I no longer live in
 * Berlin" -> "I live in Berlin"; "I gave up on learning Spanish" -> "I am
 * learning Spanish", "I learn Spanish" (the base form from the tagger's
 * lemma). Empty when the clause is neither.
 */
/** "I had to stop", "I decided to give up": a give-up verb after a verb of having to or choosing is the give-up itself. */
const MADE_TO =
  /^(I|we) (?:had to|have had to|decided to|have decided to|chose to|was forced to|were forced to|finally) (stop|quit|give up|drop)\b/i;
const GAVE: Record<string, string> = { stop: 'stopped', quit: 'quit', 'give up': 'gave up', drop: 'dropped' };

export function positiveForms(clause: string): string[] {
  const c = withoutTrailers(clause).replace(
    MADE_TO,
    (_m, who: string, verb: string) => `${who} ${GAVE[verb.toLowerCase()] ?? verb}`,
  );
  const gaveUp = GIVE_UP.exec(c);
  if (gaveUp) {
    const [, who, gerund, said] = gaveUp as unknown as [string, string, string, string];
    // "I stopped playing rugby after my injury": why and when it stopped is not part of the habit.
    const rest = said.replace(/\s+(?:after|because|since|due to|when|as|until|following)\b.*$/i, '');
    // "I've stopped being vegan" takes back "I am vegan".
    if (gerund.toLowerCase() === 'being') return [`${who} ${who.toLowerCase() === 'we' ? 'are' : 'am'}${rest}`];
    const base = baseForm(gerund);
    return [
      `${who} ${who.toLowerCase() === 'we' ? 'are' : 'am'} ${gerund.toLowerCase()}${rest}`,
      `${who} ${base}${rest}`,
    ];
  }
  // "I haven't painted in years" takes back "I paint".
  const notSince =
    /^(I|we) (?:have not|have never|had not|have not really) (\w+(?:ed|en|ung|um|wn|one|ayed|run))\b(.*)$/i.exec(c);
  if (notSince) {
    const participle = tag(`I have ${notSince[2]!.toLowerCase()}`)[2];
    if (participle?.pos === 'VERB' && participle.lemma !== participle.lower)
      return [`${notSince[1]} ${participle.lemma}${notSince[3]}`];
  }
  const patterns: [RegExp, string][] = [
    [/^(I|we) (?:am|are) (?:not|no longer) (.+)$/i, '$1 am $2'],
    [/^(I|we) (?:have not|have no longer|no longer have|do not have) (?:got )?(.+)$/i, '$1 have $2'],
    [/^(I|we) (?:do not|did not|no longer|never|cannot|can not|will not) (.+)$/i, '$1 $2'],
  ];
  for (const [pattern, replacement] of patterns) {
    if (pattern.test(c)) return [c.replace(pattern, replacement).replace(/^we am\b/i, 'we are')];
  }
  return [];
}

// ---------------------------------------------------------------- entry point

/**
 * The first words a rule's pattern can start with ("i", "we", "my", "our"),
 * read from its source; null when it can start with anything. Lets a clause
 * skip the rules that cannot match it.
 */
function openingWords(pattern: RegExp): ReadonlySet<string> | null {
  const source = pattern.source;
  const group = /^\^\(\?:([^()]+)\)[ \\]/.exec(source);
  const words = group ? group[1]!.split('|') : /^\^(\w+)[ \\]/.exec(source)?.slice(1);
  if (!words || words.length === 0) return null;
  const firsts = words.map((w) =>
    w
      .replace(/\[Ww\]/, 'w')
      .split(' ')[0]!
      .toLowerCase(),
  );
  return firsts.every((w) => /^[a-z]+$/.test(w)) ? new Set(firsts) : null;
}

const OPENINGS = new Map(STATEMENT_RULES.map((r) => [r, openingWords(r.pattern)]));

/** The first rule that yields something for this canonical clause; empty when none does. */
export function matchStatement(clause: string, ctx: RuleContext): { kind: StatementKind; intents: Intent[] } | null {
  const first = /^\S+/.exec(clause)?.[0].toLowerCase() ?? '';
  for (const r of STATEMENT_RULES) {
    const openings = OPENINGS.get(r);
    // Patterns are case-insensitive at most in their first word; a rule that must start with "my" skips "I ...".
    if (openings && !openings.has(first)) continue;
    const m = r.pattern.exec(clause);
    if (!m) continue;
    const intents = r.build(m, ctx);
    if (intents.length > 0) return { kind: r.kind, intents };
  }
  return null;
}

/**
 * Everything one clause says: facts named in passing first, then the
 * statement itself; a negated statement no rule claims becomes a retraction
 * of its positive form.
 */
export function clauseIntents(clause: string, ctx: RuleContext): Intent[] {
  const mentions = mentionFacts(clause);
  // As said first ("My birthday is today"), then without trailing time words ("I retired yesterday").
  const plain = clause.replace(TIME_MARKERS, '').trim();
  const trailered = withoutTrailers(clause);
  const direct = matchStatement(plain, ctx) ?? (trailered !== plain ? matchStatement(trailered, ctx) : null);
  if (direct) return [...mentions, ...direct.intents];
  for (const positive of positiveForms(clause)) {
    const claimed = matchStatement(positive, ctx);
    if (!claimed) continue;
    const retractions: Intent[] = claimed.intents.flatMap((intent): Intent[] =>
      intent.kind === 'assert' && intent.fact.slot.topic !== 'life_event'
        ? retractionsFor(intent.fact, ctx.source)
        : [],
    );
    return [...mentions, ...retractions];
  }
  return mentions;
}
