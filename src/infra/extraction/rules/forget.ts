// "Forget my food preferences", "forget what I told you about my job",
// "please delete everything about my diet": requests to drop every memory of
// a topic or sub-topic. "Forget that I'm vegetarian" is a retraction of one
// statement instead. "Forget everything" names no topic and is not acted on.

import type { ProfileConfig } from '../../../domain/types.js';
import type { SlotPattern } from './intents.js';
import { tag } from './nlp.js';
import { splitList } from './values.js';

export type ForgetRequest =
  /** Forget these slots. */
  | { kind: 'slots'; targets: SlotPattern[] }
  /** Forget one statement: the clause is matched by the statement rules and retracted. */
  | { kind: 'statement'; clause: string }
  /** Forget what names these things ("forget what I told you about chess"): no slot is named, the memories that say the word go. */
  | { kind: 'words'; words: string[] }
  /** A forget request that names nothing we can map ("forget it", "forget everything"). */
  | { kind: 'unknown' };

const REQUEST =
  /^(?:(?:please|pls|kindly|ok|okay|and|also|actually|now|hey|so|oh|can you|could you|would you|will you|you can|you may|you could|feel free to|go ahead and|I want you to|I need you to|I would like you to|I want to)[\s,]+)*(?:forget|delete|remove|erase|drop|clear|wipe|discard|unlearn|stop remembering|do not remember|not remember|no need to remember|you do not need to remember|do not keep|do not store|do not save)\s+(.+)$/i;
const STATEMENT =
  /^(?:about\s+)?(?:the fact\s+)?that\s+(?:I (?:said|told you|mentioned)\s+(?:that\s+)?)?((?:I|we)\b.+)$/i;
/** "Forget I have a dog": a statement without "that", known by its verb ("forget I asked" names nothing). */
const BARE_STATEMENT =
  /^(?:I (?:said|told you|mentioned)\s+(?:that\s+)?)?((?:I|we)\s+(?:am|are|have|do not|did not|was|were|had|used to|no longer|never|cannot|live|work|play|eat|speak|own|like|love|hate)\b.+)$/i;
const PREAMBLE =
  /^(?:about\s+)?(?:all\s+(?:of\s+)?|everything\s+|anything\s+|whatever\s+|the\s+)?(?:(?:that\s+|what\s+)?(?:you know|you have|you have stored|you stored|you remember|you saved|I (?:have )?(?:told|said to|shared with|mentioned to) you|I (?:have )?(?:said|mentioned|shared))\s+)?(?:about\s+|regarding\s+|on\s+|of\s+|concerning\s+|related to\s+|re\s+)?(?:all\s+(?:of\s+)?)?(?:my|the|our)?\s*/i;
const SUFFIX =
  /\s+(?:anymore|any more|any longer|please|for me|from (?:your|the) memory|from memory|too|as well|now|already|completely|entirely|info|information|details|data|stuff|things|facts|settings)$/i;

const MEMORY_WORDING =
  /\b(?:(?:the )?(?:stuff|things?|bit|part) (?:about|on|regarding)|you know|you have|you stored|you saved|you remember|(?:told|said to|shared with|mentioned to) you|from (?:your |the )?memory|everything|anything|all (?:of )?(?:my|the)|whatever)\b/i;

const T = (topic: string, subTopic: string | null = null): SlotPattern => ({ topic, subTopic });

/** Words the user says for a part of the profile, mapped to default slots. */
const TARGETS: [RegExp, SlotPattern[]][] = [
  [
    /^(?:food(?: preferences| likes| habits| choices)?|eating(?: habits)?|what I eat|meals?|cooking preferences)$/i,
    [T('food')],
  ],
  [
    /^(?:diet(?:ary)?(?: restrictions| preferences| needs| requirements)?|diet preferences|restrictions)$/i,
    [T('food', 'diet'), T('food', 'restrictions')],
  ],
  [/^(?:food dislikes|what I do not eat)$/i, [T('food', 'dislikes'), T('food', 'restrictions')]],
  [/^(?:allerg(?:y|ies)|food allerg(?:y|ies)|intolerances?)$/i, [T('health', 'allergies')]],
  [/^(?:health(?: conditions| issues| problems)?|medical(?: history| conditions| info)?|conditions)$/i, [T('health')]],
  [
    /^(?:job|jobs|work|career|employer|company|workplace|profession|occupation|employment|work life|professional life|where I work)$/i,
    [T('work')],
  ],
  [/^(?:job title|title|role|position)$/i, [T('work', 'title')]],
  [/^(?:skills|work skills)$/i, [T('work', 'work_skills')]],
  [/^(?:education|school|schools|studies|university|college|degrees?|major)$/i, [T('education')]],
  [/^(?:family|relatives)$/i, [T('family')]],
  [
    /^(?:wife|husband|partner|spouse|girlfriend|boyfriend|fianc[ée]e?|relationship|relationships|marriage|marital status|love life|dating life)$/i,
    [T('family', 'partner')],
  ],
  [/^(?:kids?|children|child|sons?|daughters?)$/i, [T('family', 'children')]],
  [/^(?:parents|mom|mum|mother|dad|father)$/i, [T('family', 'parents')]],
  [/^(?:siblings|brothers?|sisters?)$/i, [T('family', 'siblings')]],
  [/^(?:pets?|animals)$/i, [T('pets')]],
  [/^(?:dogs?|puppy|puppies)$/i, [T('pets', 'dogs')]],
  [/^(?:cats?|kittens?)$/i, [T('pets', 'cats')]],
  [/^(?:name|full name|real name)$/i, [T('basic_info', 'name'), T('basic_info', 'nickname')]],
  [/^nickname$/i, [T('basic_info', 'nickname')]],
  [/^(?:age|how old I am)$/i, [T('basic_info', 'age')]],
  [/^(?:birthday|birth ?date|date of birth|birth year)$/i, [T('basic_info', 'birthday')]],
  [/^(?:gender|pronouns)$/i, [T('basic_info', 'gender'), T('basic_info', 'pronouns')]],
  [/^(?:address|location|where I live|city|home|home address|current city|residence)$/i, [T('basic_info', 'location')]],
  [
    /^(?:hometown|home town|origin|where I am from|where I grew up|background)$/i,
    [T('basic_info', 'origin'), T('basic_info', 'birthplace')],
  ],
  [/^(?:languages?|what languages I speak)$/i, [T('basic_info', 'languages')]],
  [/^(?:nationality|citizenship)$/i, [T('basic_info', 'nationality')]],
  [/^(?:personal (?:info|details|information)|basic info|basic information)$/i, [T('basic_info')]],
  [/^(?:hobbies|hobby|pastimes)$/i, [T('interests', 'hobbies')]],
  [/^(?:interests)$/i, [T('interests')]],
  [
    /^(?:likes(?: and dislikes)?|preferences|tastes|likes and dislikes)$/i,
    [T('interests', 'likes'), T('interests', 'dislikes'), T('food', 'likes'), T('food', 'dislikes')],
  ],
  [/^dislikes$/i, [T('interests', 'dislikes'), T('food', 'dislikes')]],
  [/^(?:music(?: taste)?|taste in music|favorite music|bands)$/i, [T('interests', 'music')]],
  [/^(?:books|reading|favorite books)$/i, [T('interests', 'books')]],
  [/^(?:movies|films|shows|tv shows|favorite movies)$/i, [T('interests', 'movies')]],
  [/^(?:sports?)$/i, [T('interests', 'sports')]],
  [/^(?:goals?|dreams?|ambitions?|aspirations?|wishes)$/i, [T('psychological', 'goals')]],
  [/^(?:plans?|future plans|travel plans)$/i, [T('life_event', 'plans')]],
  [/^(?:goals and plans|plans and goals)$/i, [T('psychological', 'goals'), T('life_event', 'plans')]],
  [/^(?:personality|character|traits)$/i, [T('psychological', 'personality')]],
  [/^(?:values|beliefs)$/i, [T('psychological', 'values')]],
  [/^(?:life events|events|history)$/i, [T('life_event', 'events')]],
];

/** Parses a forget request out of a sentence (contractions expanded); null when it is not one. */
export function parseForget(sentence: string, profile: ProfileConfig): ForgetRequest | null {
  const request = REQUEST.exec(sentence.trim());
  if (!request) return null;
  const rest = (request[1] ?? '').trim();
  const statement = STATEMENT.exec(rest) ?? BARE_STATEMENT.exec(rest);
  if (statement) return { kind: 'statement', clause: statement[1] ?? '' };
  // "Forget the dog, let's talk about cats" is conversation, not a request about
  // the profile: a target must be the user's own ("my diet") or named as
  // something remembered ("what I told you about ..."). Verbs other than
  // "forget" are editing words as often as not ("delete my name from this
  // letter"), so they need the memory wording.
  // "Don't store where I live": storing, saving and remembering are about memory by nature.
  const isForget =
    /^(?:[\w\s,]*\s)?(?:forget|unlearn|stop remembering|(?:do )?not (?:remember|store|save|keep))\s/i.test(
      `${sentence.trim()} `,
    );
  const aboutMemory = MEMORY_WORDING.test(rest);
  // Said to the assistant ("you can forget the shellfish allergy", "can you not remember Rufus anymore"):
  // what follows is what it keeps, whoever's it is.
  const addressed =
    /^(?:[\w\s,]*\s)?(?:you can|you may|feel free to|go ahead and)\s+(?:\w+\s+)?forget\s/i.test(
      `${sentence.trim()} `,
    ) ||
    // "don't remember Liam anymore", "please forget Tigger": a name asked to be forgotten is about what is kept.
    (isForget &&
      /^\p{Lu}/u.test(rest) &&
      (/\s(?:anymore|any more|any longer)\b/i.test(rest) || /^\W*please\b/i.test(sentence.trim()))) ||
    (/^(?:can|could|would|will) you\s/i.test(sentence.trim()) && /\s(?:anymore|any more|any longer)\b/i.test(rest));
  if (!aboutMemory && !(isForget && (/\b(?:my|our|I)\b/i.test(rest) || addressed))) return null;
  // "forget the shellfish allergy, the tests came back clear": the reason after a comma names nothing to forget.
  let phrase = rest
    .replace(/\s*(?:[,;]|\s[-–—]\s|\b(?:because|since|cause|cos)\b).*$/i, '')
    .replace(PREAMBLE, '')
    .trim();
  for (let guard = 0; guard < 3; guard++) phrase = phrase.replace(SUFFIX, '').trim();
  const targets = splitList(phrase).flatMap((item) => targetsFor(item.replace(/^(?:my|the|our)\s+/i, ''), profile));
  if (targets.length === 0) {
    const words = namedThings(phrase);
    return words.length > 0 ? { kind: 'words', words } : { kind: 'unknown' };
  }
  return { kind: 'slots', targets: dedupe(targets) };
}

/** Words that name no thing of their own in "the stuff about my dog". */
const VAGUE = new Set([
  'thing',
  'things',
  'stuff',
  'bit',
  'part',
  'info',
  'information',
  'detail',
  'details',
  'fact',
  'facts',
]);

/**
 * The things a short forget phrase names, by their nouns ("my hamster" ->
 * hamster, "the stuff about my old bike" -> bike), singular and as said;
 * empty for a phrase of more than five words or with no noun.
 */
function namedThings(phrase: string): string[] {
  const tokens = tag(
    phrase.replace(/^(?:the |that |this )?(?:stuff|thing|things|bit|part) (?:about|on|regarding) /i, ''),
  );
  if (tokens.length === 0 || tokens.length > 5) return [];
  const nouns = tokens.filter((t) => /^(?:NOUN|PROPN)$/.test(t.pos) && !VAGUE.has(t.lower)).map((t) => t.lower);
  return [
    ...new Set(nouns.flatMap((noun) => (noun.length > 3 && /[^s]s$/.test(noun) ? [noun, noun.slice(0, -1)] : [noun]))),
  ];
}

function targetsFor(phrase: string, profile: ProfileConfig): SlotPattern[] {
  for (const [pattern, targets] of TARGETS) if (pattern.test(phrase)) return targets;
  // The project's own names: "forget my hobbies" where a topic or sub-topic is called "hobbies".
  const wanted = nameKey(phrase);
  if (wanted === '') return [];
  const found: SlotPattern[] = [];
  for (const topic of profile.topics) {
    if (nameKey(topic.name) === wanted) found.push(T(topic.name));
    else for (const sub of topic.subTopics) if (nameKey(sub.name) === wanted) found.push(T(topic.name, sub.name));
  }
  return found;
}

/** "Food_Likes" and "food likes" compare equal; a plural "s" is ignored. */
function nameKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/[_\s-]+/g, ' ')
    .trim()
    .replace(/s$/, '');
}

function dedupe(targets: SlotPattern[]): SlotPattern[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = `${t.topic}\u0000${t.subTopic ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
