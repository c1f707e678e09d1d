// From a raw message to clauses the statement rules can match: drop code and
// quoted text, split sentences, expand contractions, split clauses (restoring
// an elided subject: "I'm vegetarian and allergic to nuts" -> "I am
// vegetarian" + "I am allergic to nuts"), and strip fillers and adverbs.

import { join, tag } from './nlp.js';
import { capitalisePlaces, isA } from './word-classes.js';
import { LANGUAGES } from './lexicon.js';

export interface Sentence {
  /** The sentence with contractions expanded ("I'm" -> "I am"). */
  text: string;
  /** It ended with a question mark. */
  question: boolean;
}

/** Marks a span of quoted speech; a clause containing it is never a fact. */
export const QUOTE_MARK = '\u27e6quote\u27e7';

const SPEECH_VERB =
  /\b(?:say|says|said|saying|tell|tells|told|ask|asks|asked|write|writes|wrote|reply|replied|replies|yell|yelled|shout|shouted|whisper|whispered|goes|went|quote|quoted|claims?|claimed|text|texted|messaged|call|called|like)[\s,:]*$/i;
const FIRST_PERSON = /\b(?:i|i'm|im|i've|i'd|i'll|me|my|mine|myself|we|our|us)\b/i;

/**
 * Normalises typography and removes what is not the user speaking for
 * themselves: code, quoted reply lines ("> ..."), and quoted speech. A
 * quoted title ("my favorite book is "Dune"") is kept without its quotes.
 */
export function prepareText(raw: string): string {
  let text = raw
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/(?<=\p{L})[\u0060\u00b4](?=\p{L})/gu, "'")
    .replace(/[\u201c\u201d\u201e\u00ab\u00bb]/g, '"')
    .replace(/\u00a0/g, ' ')
    .replace(/\r\n?/g, '\n')
    .replace(/```[\s\S]*?(?:```|$)/g, '\n')
    .replace(/`[^`\n]*`/g, ' ');
  text = capitalisePlaces(
    text
      .split('\n')
      .filter((line) => !/^\s*>/.test(line))
      .join('\n'),
  );
  const quote = (content: string, offset: number, source: string): string => {
    const before = source.slice(Math.max(0, offset - 40), offset);
    if (FIRST_PERSON.test(content) || SPEECH_VERB.test(before) || /[.!?]\s*$/.test(content)) return ` ${QUOTE_MARK} `;
    return content;
  };
  text = text.replace(/"([^"\n]{1,200})"/g, (_whole, content: string, offset: number, source: string) =>
    quote(content, offset, source),
  );
  text = text.replace(
    /(^|[\s(])'(.+?)'(?=$|[\s.,!?;:)])/gm,
    (_whole, lead: string, content: string, offset: number, source: string) =>
      lead + quote(content, offset + lead.length, source),
  );
  return text;
}

const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'st',
  'jr',
  'sr',
  'vs',
  'etc',
  'e.g',
  'i.e',
  'eg',
  'ie',
  'approx',
  'inc',
  'ltd',
  'co',
  'mt',
  'ft',
  'u.s',
  'u.k',
  'a.m',
  'p.m',
  'no',
  'dept',
  'univ',
  'ave',
  'corp',
]);

/** Splits prepared text into sentences at . ! ? … and line breaks, not after "Dr." or an initial. */
export function splitSentences(text: string): Sentence[] {
  const sentences: Sentence[] = [];
  for (const line of text.split('\n')) {
    let start = 0;
    const push = (end: number) => {
      const raw = line.slice(start, end).trim();
      start = end;
      if (!/[\p{L}\p{N}]/u.test(raw)) return;
      sentences.push({ text: expandContractions(raw.replace(/[.!?…\s]+$/u, '')), question: /\?[!?.]*$/.test(raw) });
    };
    for (const match of line.matchAll(/[.!?…]+(?=\s|$)|\s[\u{1F300}-\u{1FAFF}\u{2600}-\u{27BF}]+(?=\s|$)/gu)) {
      const end = match.index + match[0].length;
      if (match[0] === '.') {
        const lastWord = (/(\S+)$/.exec(line.slice(start, match.index))?.[1] ?? '').toLowerCase().replace(/^\W+/, '');
        if (ABBREVIATIONS.has(lastWord) || /^\p{L}$/u.test(lastWord)) continue;
      }
      // An emoji ends a sentence too, and stays with it so joke markers are seen.
      push(end);
    }
    push(line.length);
  }
  return sentences;
}

const CONTRACTIONS: [RegExp, string][] = [
  [/\bi'm\b/gi, 'I am'],
  [/\bi've\b/gi, 'I have'],
  [/\bi'll\b/gi, 'I will'],
  [/\bi'd\b/gi, 'I would'],
  [/\bwe're\b/gi, 'we are'],
  [/\bwe've\b/gi, 'we have'],
  [/\bwe'll\b/gi, 'we will'],
  [/\bwe'd\b/gi, 'we would'],
  [/\byou're\b/gi, 'you are'],
  [/\bthey're\b/gi, 'they are'],
  [/\bit's\b/gi, 'it is'],
  [/\bthat's\b/gi, 'that is'],
  [/\bwhat's\b/gi, 'what is'],
  [/\bwhere's\b/gi, 'where is'],
  [/\bthere's\b/gi, 'there is'],
  [/\bname's\b/gi, 'name is'],
  [/\blet's\b/gi, 'let us'],
  [/\bcan't\b/gi, 'cannot'],
  [/\bwon't\b/gi, 'will not'],
  [/\bshan't\b/gi, 'shall not'],
  [/\bain't\b/gi, 'am not'],
  [/\b(\w+)n't\b/gi, '$1 not'],
  // Chat spellings without apostrophes.
  [/\bim\b/gi, 'I am'],
  [/\bive\b/gi, 'I have'],
  [/\bdont\b/gi, 'do not'],
  [/\bdoesnt\b/gi, 'does not'],
  [/\bdidnt\b/gi, 'did not'],
  [/\bisnt\b/gi, 'is not'],
  [/\bwasnt\b/gi, 'was not'],
  [/\bhavent\b/gi, 'have not'],
  [/\bcant\b/gi, 'cannot'],
  [/\bwanna\b/gi, 'want to'],
  [/(?<=\s)w\/(?=\s)/gi, 'with'],
  // Job titles said short: "a backend dev", "a senior eng".
  [/\b(an?|the) ((?:[\w-]+ )?)dev(?=\s+(?:at|for|with|in|on|and|who)\b|\s*[,.!?;]|$)/gi, '$1 $2developer'],
  [/\b(an?|the) ((?:[\w-]+ )?)eng(?=\s+(?:at|for|with|in|on|and|who)\b|\s*[,.!?;]|$)/gi, '$1 $2engineer'],
  // "My go-to comfort food is ...": a favourite by another name.
  [
    /\b(my|our) (?:go-?to|all-time favou?rite|absolute favou?rite|number one|no\. ?1) (?=[\w ]{1,30}? (?:is|are)\b)/gi,
    '$1 favorite ',
  ],
  // "My birthday's on 12 May": a date's "'s" before "on" or "in" is "is" (a person's is left alone: "my sister's in ...").
  [/\b(birthday|anniversary|due date)'s (?=(?:on|in)\b)/gi, '$1 is '],
  // "the 3rd of October" -> "October 3rd"; "half Mexican, half Irish" -> "Mexican and Irish".
  [
    /\bthe (\d{1,2}(?:st|nd|rd|th)) of (January|February|March|April|May|June|July|August|September|October|November|December)\b/gi,
    '$2 $1',
  ],
  [/\bhalf ([A-Z]\w+),? (?:and )?half ([A-Z]\w+)\b/g, '$1 and $2'],
  [/\bgonna\b/gi, 'going to'],
  [/\bgotta\b/gi, 'have to'],
  [/\bfav(?:ou?rite)?\b/gi, 'favorite'],
  [/\bfavourite\b/gi, 'favorite'],
  [/\bi(?=\s|$)/g, 'I'],
];

/** "I'm" -> "I am", "don't" -> "do not", "dont" -> "do not"; a lone "i" -> "I". */
export function expandContractions(text: string): string {
  let out = text;
  for (const [pattern, replacement] of CONTRACTIONS) out = out.replace(pattern, replacement);
  return out.replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------- clauses

const SEPARATOR =
  /\s*[,;:]\s*(?:(?:and|but|so|plus|though|yet|also)\s+)?|\s+[-–—]+\s+|\s+(?:and|but|so|plus|yet|although|though|because|since|while|whereas|whilst)\s+/gi;
const SUBJECT_START =
  /^(?:I|we|my|our|he|she|they|it|his|her|their|you|your|this|that|there|mine|everyone|everybody|people|nobody|someone)\b/i;
const VERB_START =
  /^(?:am|was|have|had|live|lived|work|worked|love|like|enjoy|hate|dislike|speak|play|go|moved|just|recently|also|really|currently|study|studied|eat|do not|did not|never|no longer|got|want|plan|prefer|own|run|grew up|come from|turned|started|adore|avoid|cannot|can not|speak|teach|volunteer|practice|practise|write|read|cook|bake)\b/; // lower case: "TypeScript and Go" is a list
const PREDICATE_START =
  /^(?:a|an|not|also|allergic|vegetarian|vegan|pescatarian|married|single|divorced|engaged|widowed|pregnant|retired|unemployed|lactose|gluten|fluent|from|based|originally|\d{1,3}\b|[a-z]+ing\s+\w)/i;
const QUESTION_START =
  /^(?:(?:can|could|would|will|do|does|did|should|is|are|am|have|has|may|might|shall)\s+(?:you|I|we|it|this|that|there|they|he|she|my|your)\b|(?:what|how|why|where|when|which|who|whom|whose)\b(?!\s+(?:I|we)\b)|any\s+(?:ideas?|tips|suggestions|recommendations)\b|tell me\b|help me\b)/i;

/** A clause that asks rather than tells ("can you suggest a recipe", "what is my name"). */
export function isQuestionClause(clause: string): boolean {
  return QUESTION_START.test(clause.trim());
}

/**
 * Splits a sentence (contractions expanded) into clauses. A conjunction or
 * comma splits only when a new clause follows: a subject ("and I live..."),
 * a verb whose subject is the user ("and love hiking" -> "I love hiking"), a
 * predicate after "I am" ("and allergic to nuts" -> "I am allergic to nuts"),
 * or a question. Otherwise it joins a list ("German and French").
 */
export function splitClauses(sentence: string): string[] {
  const parts: string[] = [];
  const separators: string[] = [];
  let last = 0;
  for (const match of sentence.matchAll(SEPARATOR)) {
    parts.push(sentence.slice(last, match.index));
    separators.push(match[0]);
    last = match.index + match[0].length;
  }
  parts.push(sentence.slice(last));

  const clauses: string[] = [];
  let current = parts[0] ?? '';
  for (let i = 1; i < parts.length; i++) {
    const next = (parts[i] ?? '').trim();
    const restored = startsNewClause(current, next);
    if (restored === null) {
      current += (separators[i - 1] ?? ' ') + next;
    } else {
      clauses.push(current);
      current = restored;
    }
  }
  clauses.push(current);
  return clauses.map((c) => c.trim()).filter((c) => /[\p{L}\p{N}]/u.test(c));
}

/** The clause `next` starts, with the user restored as its subject where elided; null when it continues `current`. */
function startsNewClause(current: string, next: string): string | null {
  if (next === '') return null;
  if (
    SUBJECT_START.test(next) ||
    isQuestionClause(next) ||
    /^(?:hi|hello|hey|thanks|thank you|btw|by the way|also|anyway|oh|well)\b/i.test(next)
  )
    return next;
  const subject = /^(?:(?:hi|hello|hey|so|well|also|and|but|oh|btw|actually|yeah|yes)\b[\s,]*)*(I|we)\b/i.exec(
    current.trim(),
  );
  if (!subject) return null;
  const who = subject[1] === 'we' ? 'we' : 'I';
  if (/^(?:call me|forget)\b/i.test(next)) return next;
  if (VERB_START.test(next)) return `${who} ${next}`;
  // "I have a cat and two dogs": another thing the user has.
  const having = new RegExp(
    `^(?:(?:hi|hello|hey|so|well|also|and|but|oh|btw|actually|yeah|yes)\\b[\\s,]*)*${who} (have|own|have got)\\b`,
    'i',
  ).exec(current.trim());
  if (having && /^(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s/i.test(next))
    return `${who} ${having[1]} ${next}`;
  const copula = new RegExp(
    `^(?:(?:hi|hello|hey|so|well|also|and|but|oh|btw|actually|yeah|yes)\\b[\\s,]*)*${who} (am|are)\\b`,
    'i',
  ).exec(current.trim());
  if (copula && PREDICATE_START.test(next) && !/^(?:a|an) (?:lot|bit|little|few|couple)\b/i.test(next))
    return `${who} ${copula[1]} ${next}`;
  return null;
}

// ---------------------------------------------------------------- canonical clause

/** Other words for what a statement rule reads, one a line: [what is said, what the rules know]. */
const SAID_ANOTHER_WAY: readonly [RegExp, string | ((...groups: string[]) => string)][] = [
  // "we're emigrating to New Zealand", "I relocated to Denver": a move.
  [/\b(?:emigrat|relocat)(e|es|ed|ing)\b/gi, (_m, end: string) => MOVE_FORMS[end.toLowerCase()] ?? 'move'],
  // "we co-own a bakery", "I co-founded a startup": owning, running, founding all the same.
  [/\bco-?(own|run|manage|found)(s|ed|ing)?\b/gi, '$1$2'],
  // "we share the house with two guinea pigs": living with them.
  [/\bshare (?:the|a|my|our) (?:house|flat|home|place|apartment|bungalow|cottage) with\b/gi, 'live with'],
  // "we're hoping to adopt", "I hope to run a marathon": a goal.
  [/^(I|we) (?:am |are )?(?:hoping|hope) to\b/i, '$1 want to'],
  // "we're trying for a baby": wanting one.
  [/^(I|we) (?:am|are) trying for (a baby|another baby|a family|kids)\b/i, '$1 want to have $2'],
  // "we want to adopt", "we're saving to buy a house": a couple's goal or plan is the user's too.
  [
    /^we (want|plan|hope|dream|intend|would love|are (?=planning|hoping|trying|saving|going|about|aiming))/i,
    (_m, verb: string) => `I ${verb.toLowerCase() === 'are ' ? 'am ' : verb}`,
  ],
  // "we're off to Thailand in January": going there.
  [/^(I am|we are) off to (?=\p{Lu})/u, '$1 going to '],
  // "we're due in May": a couple's due date is the expected baby ("we're expecting" says the same).
  [/^we are due\b(?! to\b)/i, 'we are expecting, due'],
  // "I've been with my girlfriend for three years": having one.
  [
    /^(I) (?:have been|am) (?:together )?with my (girlfriend|boyfriend|partner|wife|husband|fianc[eé]e?)\b/i,
    '$1 have a $2',
  ],
  // "six months sober", "two years clean": sober.
  [/^(I am) (?:(?:\w+|\d+) ){1,2}(?:days?|weeks?|months?|years?) (sober|smoke-free|alcohol-free)\b/i, '$1 $2'],
  // "in remission from breast cancer", "a cancer survivor": recovering from it.
  [/^(I am) (?:in remission from|a survivor of)\b/i, '$1 recovering from'],
  [/^(I am) an? ([\p{L} -]+?) survivor$/iu, '$1 recovering from $2'],
  // "they made me head of department", "my boss bumped me up to senior": a promotion said by who gave it.
  [
    /^(?:they|we|my (?:boss|manager|company|work|employer|team)|work|the company|\p{Lu}[\p{L}&'-]*) (?:have |has |just |finally )*(?:made|promoted|bumped|moved) me (?:up )?(?:to |into )?(?:a |an |the )?(.+)$/u,
    (whole, title: string) => (PROMOTED_TO.test(title) || isA(title, 'job') ? `I got promoted to ${title}` : whole),
  ],
  // "I've been at Amazon for five years": where one has been for years is where one works.
  [
    /^I (?:have been|am) at (\p{Lu}[\p{L}&'-]*(?: \p{Lu}[\p{L}&'-]*)*) (?=for (?:over |about |almost |nearly |around )?(?:\w+|\d+) (?:years?|months?)\b)/u,
    'I work at $1 ',
  ],
  // "in my second year of nursing at Leeds": the year of study says nothing of the subject.
  [/^(I am) in my (?:[\p{L}-]+ ){1,2}year of (?=[\p{L}])/iu, '$1 studying '],
  // "home is a small village in Kent": where the user lives.
  [/^home is (?:now |these days )?(?=(?:a|an|in|near|just|outside)\b|\p{Lu})/u, 'I live in '],
  // "I'm half Japanese", "a quarter Irish": the nationality, in part.
  [/^(I am) (?:half|part|partly|a quarter) (?=\p{Lu})/u, '$1 '],
  // "I live in York, not Leeds": the correction's second name is what it is not.
  [/(\p{Lu}[\p{L}'-]*),? (?:and )?not (?:in |at |from |for )?\p{Lu}[\p{L}'-]*(?: \p{Lu}[\p{L}'-]*)*$/u, '$1'],
  // "I took up pottery", "trying to get into running": a pastime started is one the user has.
  [
    /^(I|we) (?:am |are |have |had )?(?:trying to |starting to |just |recently |finally )?(?:took|taken|take|taking|got|gotten|get|getting) (?:up|into) (?=(\p{L}+))/iu,
    (_m, who: string, next: string) => `${who} have started ${/ing$/i.test(next) ? '' : 'doing '}`,
  ],
  // "been doing korean on duolingo", "I'm doing French at night school": a language one does is being learned.
  [
    /^(I) (?:am|have been) doing (\p{L}+)\b/iu,
    (whole, who: string, what: string) => (LANGUAGES.has(what.toLowerCase()) ? `${who} am learning ${what}` : whole),
  ],
  // "we're both vegetarian", "we all love hiking": the quantifier floats off the subject.
  [/^we (are |have |do )?(?:both|all)\b/i, 'we $1'],
];
const MOVE_FORMS: Record<string, string> = { e: 'move', es: 'moves', ed: 'moved', ing: 'moving' };
/** Rank words a promotion names even when WordNet files the rest under no job ("head of department"). */
const PROMOTED_TO =
  /\b(?:head|lead|senior|manager|director|chief|supervisor|partner|principal|captain|editor|officer|sister|charge nurse)\b/i;

/** Words that make a clause after them subordinate or shared ("if I", "which I", "my sister and I"), whatever their tag. */
const NOT_FRONTED = new Set(
  `and or but nor if when whenever because unless although though while whilst whether that who whom whose which what
  how why where wherever like so`.split(/\s+/),
);
/** Fronted words that doubt or report the statement ("apparently I'm allergic"): the hedge and reported-speech filters must see them. */
const EPISTEMIC =
  /^(?:apparently|supposedly|allegedly|reportedly|seemingly|maybe|perhaps|probably|possibly|hopefully|ideally|theoretically|technically|sometimes|occasionally|never|not|no|almost|nearly|hardly|barely|jokingly|kidding|imagine|hypothetically|eventually|someday|one day)$/;
/** Most words fronted before the subject: a time, a place, a topic, a hedge ("most tuesdays after work"). */
const MAX_FRONTED = 6;

/**
 * "most tuesdays after work I help out at the food bank", "ngl I'm obsessed
 * with baking", "work-wise I'm a backend developer": material put before the
 * subject, with no verb of its own, frames the statement; the statement
 * starts at the subject. Read by part of speech, so no list of openers is
 * needed; a subordinating or joining word ("after I retired", "my sister and
 * I") keeps the clause whole, and a preposition may frame ("after work") but
 * not open the subject's clause ("after I retired").
 */
export function dropFrontedMaterial(text: string): string {
  const tokens = tag(text);
  const at = tokens.findIndex((t, i) => i > 0 && i <= MAX_FRONTED && (t.text === 'I' || t.lower === 'we'));
  if (at < 1) return text;
  const fronted = tokens.slice(0, at);
  if (fronted.some((t) => /^(?:VERB|AUX|PRON|CCONJ|SCONJ)$/.test(t.pos) || NOT_FRONTED.has(t.lower))) return text;
  if (fronted.some((t) => EPISTEMIC.test(t.lower))) return text;
  // "after I retired", "since we moved": a preposition right before the subject opens a clause.
  if (/^(?:ADP|SCONJ|PART)$/.test(fronted[at - 1]!.pos)) return text;
  if (!fronted.some((t) => /^(?:NOUN|PROPN|ADJ|ADV|NUM|X|INTJ)$/.test(t.pos))) return text;
  return join(tokens.slice(at));
}

const FILLER =
  /^(?:hi|hello|hey|hiya|howdy|greetings|well|so|oh|ok|okay|yes|yeah|yep|yup|no|nope|um+|uh+|hmm+|btw|by the way|actually|also|and|but|anyway|anyways|fyi|just so you know|for the record|for context|for reference|some context|to be honest|honestly|tbh|fun fact|turns out|it turns out|turned out|it turned out|as it turns out|as I said|as I mentioned|like I said|in fact|in my case|personally|these days|nowadays|currently|right now|at the moment|oh and|and also|plus|a quick note|quick note|note|ps|p\.s|dear \w+|good (?:morning|afternoon|evening))\b[\s,:!-]*/i;
const ADVERBS =
  '(?:really|super|also|just|recently|finally|currently|still|now|actually|totally|absolutely|definitely|usually|often|always|mostly|generally|truly|honestly|literally|basically|kinda|kind of|sort of|even|already|officially|personally|genuinely|seriously|pretty|very|quite|rather|somewhat|mainly|primarily|originally|presently|newly|happily|proudly|sadly|unfortunately|luckily|fortunately)';
const ADVERB_AFTER_SUBJECT = new RegExp(`\\b(I|we|am|are|have|been|not|do not)\\s+${ADVERBS}\\s+`, 'i');
const STANCE_AFTER_COPULA =
  /\b(is|are|was|'s)\s+(?:probably|definitely|easily|hands down|honestly|without (?:a |any )?doubt|by far|absolutely|totally|undoubtedly|clearly|obviously)\s+(?:,\s*)?/i;
const MOVE_PARTICLE =
  /\b((?:I|we) (?:have |had |just |finally |recently )*(?:moved|relocated|move|moving|relocating))\s+(?:down|up|over|back|out|across|home)\s+to\s+/i;
const RECENT =
  /\b(?:just|recently|finally|newly|last (?:week|month|weekend|night)|yesterday|today|this (?:week|month)|a (?:few|couple of) (?:days|weeks) ago)\b/i;

export interface CanonicalClause {
  /** Fillers and adverbs removed: "Oh, and I really love hiking" -> "I love hiking". */
  text: string;
  /** It says the change is recent ("I just got married"): life events are dated. */
  recent: boolean;
}

export function canonicalClause(clause: string): CanonicalClause {
  let text = clause.trim().replace(/^[\s,;:.!-]+/, '');
  for (let guard = 0; guard < 6; guard++) {
    const next = text.replace(FILLER, '');
    if (next === text) break;
    text = next;
  }
  text = dropFrontedMaterial(text);
  for (const [said, known] of SAID_ANOTHER_WAY) text = text.replace(said, known as string);
  const recent = RECENT.test(text);
  text = text.replace(/\bwould like to\b/gi, 'want to');
  for (let guard = 0; guard < 4; guard++) {
    const next = text.replace(ADVERB_AFTER_SUBJECT, '$1 ');
    if (next === text) break;
    text = next;
  }
  // "My favourite book is probably X", "Sushi is hands down my favourite": a stance word after the copula of a
  // statement about something else is no part of the value (after "I am" a hedge stays: "I am probably moving").
  text = text.replace(STANCE_AFTER_COPULA, '$1 ');
  // "We moved down to Brighton", "I moved back to Leeds": a direction particle between a verb of moving and "to".
  text = text.replace(MOVE_PARTICLE, '$1 to ');
  text = text
    // "I have been vegetarian for years" says "I am vegetarian".
    .replace(/^(I|we) have been\b/i, (_m, who: string) => (who.toLowerCase() === 'we' ? 'we are' : 'I am'))
    // "I have had insomnia for years" says "I have insomnia"; "I have got a cat" says "I have a cat".
    .replace(/^(I|we) (?:have had|have got)\b(?! to\b)/i, '$1 have')
    .replace(
      /^(I|we) (?:have gotten|got)\b(?= (?:a|an|the|one|two|three|four|five|six|some|my|our|no|\d+)\b)(?!.*\b(?:job|jobs|promotion|position|role|offer|raise|internship|apprenticeship|placement|traineeship)\b)/i,
      '$1 have',
    )
    // "I watch way too much anime", "I play loads of board games": how much is no part of the object.
    .replace(
      /^((?:I|we) (?:\w+ )?(?!(?:way|far)\b)\w+) (?:way |far )?(?:too much|too many|a lot of|lots of|loads of|tons of|so much|so many|heaps of|plenty of|a ton of|a bunch of) (?=\p{L})/iu,
      '$1 ',
    )
    // "My favourite food has to be X", "... would have to be X": a stance on the choice, said with a modal.
    .replace(
      /^((?:my|our) (?:[\p{L}'-]+ ){0,3}?(?:favou?rite|fave) [^,]*?) (?:has|have|would have|has got|have got) to be\b/iu,
      '$1 is',
    )
    .replace(/^((?:my|our) (?:[\p{L}'-]+ ){0,3}?(?:favou?rite|fave) [^,]*?) (?:would|must) be\b/iu, '$1 is')
    // "Nothing beats a proper curry", "you cannot beat a roast dinner": a liking said as a comparison.
    .replace(
      /^(?:nothing (?:really |quite )?beats|(?:you )?(?:cannot|can not|can't) beat) (.+?)(?: for me)?$/i,
      'I love $1',
    )
    // "Got my autism diagnosis at 34": a diagnosis said as a noun.
    .replace(
      /^(I) (?:got|received|had|have|finally got) (?:my|an?) ([\p{L} -]+?) diagnosis\b/iu,
      '$1 was diagnosed with $2',
    )
    // "I'm in my final year studying architecture": the year of study says nothing of the subject.
    .replace(/^(I am) in my (?:[\p{L}-]+ ){1,2}year (?:of |at \S+ )?(?=studying|doing|reading|training)/iu, '$1 ')
    // "We're getting divorced": separated until it is done.
    .replace(/^(I am|we are) (?:getting|going through a|in the middle of a) divorced?$/i, '$1 separated')
    // "It was my 41st birthday on Saturday": a birthday's ordinal is the user's new age.
    .replace(/^(?:it was|it is|today is|yesterday was) my (\d{1,3}(?:st|nd|rd|th)) birthday\b/i, 'I had my $1 birthday')
    // "came over to London when I was 10": a move.
    .replace(/^((?:I|we) )(?:came|come|have come) (?:over |across |down |up )?to (?=\p{Lu})/u, '$1moved to ')
    // "my hubby", "the missus", "my other half": chat's words for a partner.
    .replace(/\b(my|our) (?:hubby|hubs|husbo)\b/gi, '$1 husband')
    .replace(/\b(my|our) (?:wifey|missus|missis)\b/gi, '$1 wife')
    .replace(/\b(my|our) (?:other half|significant other|OH)\b/g, '$1 partner')
    .replace(/\b(my) (?:bf)\b/gi, '$1 boyfriend')
    .replace(/\b(my) (?:gf)\b/gi, '$1 girlfriend')
    // "my husband's called Dev": "'s" before "called" is "is".
    .replace(/\b((?:my|our) [\p{L} ]+?)'s (called|named)\b/iu, '$1 is $2')
    // "she/her pronouns please": pronouns named without a verb.
    .replace(/^(\w+ ?\/ ?\w+(?: ?\/ ?\w+)?) pronouns(?: please| only| for me)?$/i, 'I use $1 pronouns')
    // "packed in the Lloyds job": leaving an employer said with its job.
    .replace(
      /^(I) (?:packed in|jacked in|quit|left|walked out of) (?:the|my) (\p{Lu}[\p{L}&'-]*(?: \p{Lu}[\p{L}&'-]*)*) job\b/u,
      '$1 quit my job at $2',
    )
    // "Spanish is my second language": a language the user speaks.
    .replace(/^(\p{L}+) is my (?:first|second|third|native|mother|home) (?:language|tongue)$/iu, 'I speak $1')
    // "we live together in Bath": living with someone says where, not with whom.
    .replace(/\b(live|living|lived) together\b/i, '$1')
    // "March 3rd is my birthday": the date said first.
    .replace(/^(.+?) is my birthday$/i, 'my birthday is $1')
    // "I'm a bit of a perfectionist", "something of a night owl": a hedge of degree before what the user is.
    .replace(
      /^(I am|we are) (?:a (?:little )?bit of|something of|kind of|sort of|a real|a total|a complete) (a|an)\b/i,
      '$1 $2',
    )
    // "I'm more of an introvert than people think": a comparison of degree.
    .replace(/^(I am|we are) more of (a|an) (\p{L}+(?: \p{L}+)?)(?: than\b.*| really| to be honest)?$/iu, '$1 $2 $3')
    // "reading my way through every Pratchett book": the way through is how, the books are what.
    .replace(/\b(\w+) (?:my|our) way through (?:(?:every|each|all(?: of)?) (?:the |my )?)?/i, '$1 ')
    // "went vegan back in 2021": "back" only points to the time.
    .replace(/ back(?= (?:in|around|during) (?:\d{4}|the)\b| when\b| then\b)/i, '')
    // "Vegan here", "Nurse here": how chat introduces oneself.
    .replace(/^(?:an? )?((?:\p{L}+[- ]){0,2}\p{L}+) here$/iu, (_m, what: string) => `I am ${what.toLowerCase()}`)
    // "a six-month-old son", "my 3-year-old daughter": the age is about the child, not the user.
    .replace(/\b(?:\w+-)+(?:year|month|week|day)s?-old\s+(?=\p{L})/giu, '')
    .replace(
      /\b(?:my (?:\w+ ){0,2}and I|me and my \w+(?: (?!(?:have|had|are|were|live|love|own|got|just|both|moved|went|do|did|go|like)\b)\w+)?)\b/i,
      'we',
    )
    .replace(/^\p{Lu}\p{Ll}+ and I\b/u, 'we')
    .replace(/[\s.,!?;:…)]+$/u, '')
    .replace(/\s+/g, ' ')
    .trim();
  return { text, recent };
}
