// Clauses and qualifiers read with part-of-speech tags (nlp.ts) rather than
// word lists: where a sentence splits into clauses, which subject a clause
// without one gets back, and which trailing words only say when, how often,
// with whom or how sure ("for about ten years", "on the night shift", "most
// evenings", "with my kids", ", honestly") and are cut before the statement
// rules look for a value.

import { join, type Token, tag } from './nlp.js';
import { BODY_PARTS, COMPANIONS, DISCOURSE_TAILS, HOBBYISTS, TIME_NOUNS, TIME_PREPOSITIONS } from './tables.js';
import { splitList } from './values.js';
import { isA } from './word-classes.js';

const CLAUSE_CONJUNCTIONS = new Set(['and', 'but', 'so', 'plus', 'yet']);
const SUBORDINATORS = new Set([
  'because',
  'since',
  'while',
  'although',
  'though',
  'whereas',
  'whilst',
  'cause',
  'cos',
  'when',
  'once',
  'whenever',
  'unless',
  'if',
]);
/** "unless it's pouring", "if I have time": a condition on the statement, never a fact of its own. */
const CONDITIONAL = new Set(['unless', 'if']);
/** "when I retire", "once I move": a clause of time in the present speaks of the future, not a fact. */
const TEMPORAL = new Set(['when', 'once', 'whenever']);
/** Adverbs that change what a clause says (negation, "now" for a change), kept when a restored clause drops the rest. */
const KEPT_ADVERBS = new Set([
  'not',
  'never',
  'no',
  'hardly',
  'rarely',
  'seldom',
  'barely',
  'scarcely',
  'longer',
  'now',
  'still',
  'again',
]);
const SEPARATOR_PUNCT = new Set([',', ';', ':', '-', '–', '—', '--']);
const SUBJECTS = new Set(['i', 'we', 'he', 'she', 'they', 'it', 'you', 'this', 'that', 'there', 'everyone', 'nobody']);
const LEAD_FILLERS = new Set(['also', 'now', 'then', 'still', 'just', 'so', 'and', 'really', 'currently', 'even']);
const PREDICATE =
  /^(?:a|an|not|also|allergic|vegetarian|vegan|pescatarian|married|single|divorced|engaged|widowed|pregnant|retired|unemployed|lactose|gluten|fluent|from|based|originally|\d{1,3}\b)/i;
const OWNED = /^(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+\w/i;
const CHILD_OR_PET =
  /^(?:no|one|two|three|four|five|six|\d)\s+(?:(?:older|younger|big|little|half|step)[- ])?(?:kids?|children|child|sons?|daughters?|dogs?|cats?|teenagers?|grandkids?|grandchildren|brothers?|sisters?|siblings?)\b/i;
const QUESTION_START =
  /^(?:(?:can|could|would|will|do|does|did|should|is|are|am|have|has|may|might|shall)\s+(?:you|I|we|it|this|that|there|they|he|she|my|your)\b|(?:what|how|why|where|when|which|who|whom|whose)\b(?!\s+(?:I|we)\b)|any\s+(?:ideas?|tips|suggestions|recommendations)\b|tell me\b|help me\b)/i;

function isSeparator(t: Token, previous: Token | undefined, next: Token | undefined): boolean {
  // A dash separates only between spaces: "self-employed" is one word.
  if (t.pos === 'PUNCT') return SEPARATOR_PUNCT.has(t.text) && (t.text !== '-' || t.space !== '');
  if (previous?.text === ',' && CLAUSE_CONJUNCTIONS.has(t.lower)) return true;
  // "... so I listen to audiobooks": "so" before the user's subject opens a clause.
  if (t.lower === 'so' && next !== undefined && /^(?:i|we|my)$/.test(next.lower)) return true;
  // "I'm coeliac so no gluten for me": "so" after a finished predicate (a noun, name, adjective or number) opens
  // a result, not "so" as a degree word ("so much", "so happy"), which comes before what it qualifies.
  if (
    t.lower === 'so' &&
    previous !== undefined &&
    next !== undefined &&
    /^(?:NOUN|PROPN|ADJ|NUM)$/.test(previous.pos) &&
    !/^(?:ADJ|ADV|PUNCT)$/.test(next.pos) &&
    !/^(?:much|many|far|long)$/.test(next.lower)
  )
    return true;
  // "... when I joined Palantir": a subordinator before a subject, however it was tagged.
  if (SUBORDINATORS.has(t.lower) && next !== undefined && /^(?:i|we|my|he|she|they|it)$/.test(next.lower)) return true;
  if (t.pos === 'CCONJ' || t.pos === 'SCONJ' || t.pos === 'ADP') {
    if (CLAUSE_CONJUNCTIONS.has(t.lower)) return true;
    // "since uni", "since 2019": a time phrase the qualifier step cuts, not a clause ("since I was six" splits above).
    if (t.lower === 'since') return false;
    return SUBORDINATORS.has(t.lower);
  }
  return false;
}

/** "I" or "we" when the clause's subject is the user ("Oh and I ...", "so we ..."), else null. */
function userSubject(tokens: readonly Token[]): 'I' | 'we' | null {
  for (const t of tokens) {
    if (t.lower === 'i') return 'I';
    if (t.lower === 'we') return 'we';
    if (t.pos === 'INTJ' || t.pos === 'ADV' || t.pos === 'PUNCT' || t.pos === 'CCONJ' || LEAD_FILLERS.has(t.lower))
      continue;
    return null;
  }
  return null;
}

function content(tokens: readonly Token[]): Token[] {
  let i = 0;
  while (
    i < tokens.length &&
    (tokens[i]!.pos === 'ADV' || tokens[i]!.pos === 'INTJ' || LEAD_FILLERS.has(tokens[i]!.lower)) &&
    tokens[i]!.lower !== 'not'
  )
    i++;
  return tokens.slice(i);
}

/** A verb as written in running text: lower case ("TypeScript and Go" is a list of names, not "and go"). */
const isVerb = (t: Token | undefined): boolean =>
  t !== undefined && (t.pos === 'VERB' || t.pos === 'AUX') && t.text === t.lower;
/** A verb that can head a clause: not a participle describing a noun ("a dog named Max", "kids aged five"). */
const isFiniteVerb = (t: Token | undefined): boolean =>
  isVerb(t) &&
  !/^(?:named|called|aged|born|based)$/.test(t!.lower) &&
  // An -ing participle, not a verb that ends so ("sing", "bring").
  !(t!.pos === 'VERB' && /ing$/.test(t!.lower) && t!.lemma !== t!.lower);

/** Only comments on what was said: "honestly", "quite severely", "always have", "just so you know". */
function isQualifierOnly(tokens: readonly Token[]): boolean {
  const words = tokens.filter((t) => t.pos !== 'PUNCT');
  if (words.length === 0) return true;
  if (DISCOURSE_TAILS.has(join(words).toLowerCase())) return true;
  return words.every((t) => t.pos === 'ADV' || t.pos === 'INTJ' || (t.pos === 'AUX' && t.lower !== 'am'));
}

/** A clause with its own subject before its verb: "my husband is a firefighter", "on weekends I play football". */
function hasOwnSubject(tokens: readonly Token[]): boolean {
  // "a terraced house", "the converted barn": a participle after a determiner describes a noun.
  const v = tokens.findIndex((t, k) => isFiniteVerb(t) && !(/ed$/.test(t.lower) && tokens[k - 1]?.pos === 'DET'));
  if (v <= 0) return false;
  // "the new flat is in Leith": a determiner opens a noun phrase before the verb, however its words were tagged.
  if (tokens[0]!.pos === 'DET' && v >= 2 && tokens[v]!.pos === 'AUX') return true;
  // "and my back is killing me": "my" opens a short noun phrase before the verb, however its head was tagged.
  if (tokens[0]!.lower === 'my' && v >= 2 && v <= 4) return true;
  return tokens
    .slice(0, v)
    .some(
      (t) => SUBJECTS.has(t.lower) || (t.pos === 'PRON' && t.lower !== 'my') || t.pos === 'PROPN' || t.pos === 'NOUN',
    );
}

/**
 * Splits a sentence (contractions expanded) into clauses. A conjunction,
 * comma or subordinator splits only when a new clause follows: one with a
 * subject of its own ("and on weekends I play football"), a verb whose
 * subject is the user ("and now work as a designer" -> "I now work as a
 * designer"), a predicate after "I am" ("and allergic to nuts"), or a
 * question. A tail that only qualifies (", honestly") is dropped; anything
 * else continues a list ("German and French").
 */
export function splitClauses(sentence: string): string[] {
  const tokens = withSubject(firstWordRetagged(sentence));
  const parts: { tokens: Token[]; separator: Token[] }[] = [{ tokens: [], separator: [] }];
  for (const [i, t] of tokens.entries()) {
    const current = parts[parts.length - 1]!;
    if (isSeparator(t, tokens[i - 1], tokens[i + 1])) {
      if (current.tokens.length === 0 && parts.length > 1) current.separator.push(t);
      else parts.push({ tokens: [], separator: [t] });
    } else current.tokens.push(t);
  }
  const clauses: string[] = [];
  let current = parts[0]!.tokens;
  let restoredPrefix = '';
  let future = false;
  const flush = () => {
    const text = `${restoredPrefix}${join(current)}`.trim();
    if (/[\p{L}\p{N}]/u.test(text) && !future) clauses.push(text);
  };
  for (let i = 1; i < parts.length; i++) {
    const next = parts[i]!;
    if (isQualifierOnly(next.tokens) && (i === parts.length - 1 || isSeparatorLike(parts[i + 1]))) continue;
    // "Sam and I split up", "My wife and I moved": a compound subject, not two clauses.
    const compound =
      restoredPrefix === '' &&
      next.separator.some((t) => t.lower === 'and') &&
      /^(?:i|we)$/.test(next.tokens[0]?.lower ?? '') &&
      current.length > 0 &&
      current.length <= 3 &&
      !current.some((t) => isVerb(t) || t.pos === 'ADP');
    // "me and my girlfriend have a dog": "me" coordinated with someone of the user's is the subject "we".
    const withMe =
      restoredPrefix === '' &&
      next.separator.some((t) => t.lower === 'and') &&
      /^(?:my|our)$/.test(next.tokens[0]?.lower ?? '') &&
      current.length === 1 &&
      current[0]!.lower === 'me';
    if (compound || withMe) {
      current = [...current, ...next.separator, ...next.tokens];
      continue;
    }
    // "oh and for the record, my pronouns are he/him": what follows an interjection alone is the clause.
    if (restoredPrefix === '' && current.length > 0 && current.every((t) => t.pos === 'INTJ' || t.pos === 'PUNCT')) {
      current = next.tokens;
      continue;
    }
    const restored = startsClause([...wordTokens(restoredPrefix), ...current], next.tokens);
    if (restored === null) {
      // Only "," "and" "or" continue a list; a tail after "so", "but", "because" that is no clause is dropped.
      if (next.separator.some((t) => t.pos !== 'PUNCT' && t.lower !== 'and')) continue;
      // A list goes on with things ("German, French"), not with "up at 5" or "especially in autumn".
      const head = next.tokens[0];
      const movedOn = head?.lower === 'into' || (head?.lower === 'to' && next.separator.some((t) => t.lower === 'and'));
      if (!movedOn && head && head.text === head.lower && /^(?:ADP|ADV|PART|SCONJ|VERB|AUX|INTJ)$/.test(head.pos))
        continue;
      current = [...current, ...next.separator, ...next.tokens];
      continue;
    }
    flush();
    current = next.tokens;
    // "..., currently as a supervisor" -> "I work as a supervisor": a leading adverb after a restored subject only says when.
    if (restored !== '')
      while (current.length > 1 && current[0]!.pos === 'ADV' && !KEPT_ADVERBS.has(current[0]!.lower))
        current = current.slice(1);
    restoredPrefix = restored;
    future =
      (next.separator.some((t) => TEMPORAL.has(t.lower)) && !isPast(next.tokens)) ||
      next.separator.some((t) => CONDITIONAL.has(t.lower));
  }
  flush();
  return clauses.flatMap((clause) => {
    const relative = REDUCED_RELATIVE.exec(clause);
    if (!relative) return [clause];
    const who = /^we\b/i.test(clause) ? 'we are' : 'I am';
    return [relative[1]!, `${who} ${relative[2]!.toLowerCase()} ${relative[3]!}`];
  });
}

const PAST_ONLY =
  /^(?:grew|moved|started|began|got|went|left|quit|finished|graduated|relocated|retired|switched|joined|became|married|bought|adopted|lost|landed|married|turned|gave|handed|dropped|stopped|ditched|sold|passed|took)$/;

/**
 * Chat often drops the subject: "Grew up in Perth, living in Sydney now",
 * "Just started a new job", "Born and raised in Cork". A sentence that opens
 * with a past verb, an -ing verb or "born" gets "I" back ("I grew up",
 * "I am living", "I was born"); an opening base form is a request and stays.
 */
/**
 * The sentence's tokens, its first word read again in lower case when the
 * tagger took its capital for a name: "Married, three kids", "Training for a
 * marathon" open with a participle, not a person called Married.
 */
function firstWordRetagged(sentence: string): Token[] {
  const tokens = tag(sentence);
  const first = tokens[0];
  if (first?.pos !== 'PROPN' || !/^\p{Lu}\p{Ll}+$/u.test(first.text)) return tokens;
  const again = tag(first.text.toLowerCase() + sentence.slice(first.text.length))[0];
  // "Training for ...": an -ing word the tagger reads as a noun is a verb when "I am training" says so.
  const progressive = /ing$/.test(first.lower) ? tag(`I am ${first.lower}`)[2] : undefined;
  if (progressive?.pos === 'VERB') return [{ ...progressive, text: first.text, space: '' }, ...tokens.slice(1)];
  if (!again || !/^(?:VERB|ADJ|ADV)$/.test(again.pos)) return tokens;
  return [{ ...again, text: first.text }, ...tokens.slice(1)];
}

/** Words that open a sentence as a state of the user's: "Married, three kids", "Single and happy". */
const STATE_OPENERS = new Set([
  'married',
  'divorced',
  'engaged',
  'separated',
  'widowed',
  'single',
  'retired',
  'unemployed',
  'pregnant',
  'vegan',
  'vegetarian',
  'pescatarian',
  'allergic',
  'originally',
]);

function withSubject(tokens: Token[]): Token[] {
  const i = tokens.findIndex((t) => !(t.pos === 'ADV' || t.pos === 'INTJ' || t.pos === 'PUNCT'));
  const first = tokens[i];
  // "Not learning Spanish anymore", "No longer vegan": a negated state without its subject.
  if (
    i === 0 &&
    /^(?:not|no)$/.test(first?.lower ?? '') &&
    (/ing$/.test(tokens[1]?.lower ?? '') || tokens[1]?.lower === 'longer' || STATE_OPENERS.has(tokens[1]?.lower ?? ''))
  )
    return [...wordTokens('I am'), { ...first!, text: first!.lower, space: ' ' }, ...tokens.slice(1)];
  // "Love a good long hike", "Hate crowds": a verb of liking opens a sentence without its subject (not "Like I said").
  if (
    i === 0 &&
    /^(?:love|adore|hate|enjoy|loathe|detest)$/.test(first?.lower ?? '') &&
    tokens.length > 1 &&
    tokens[1]!.lower !== 'you'
  )
    return [...wordTokens('I'), { ...first!, text: first!.lower, pos: 'VERB', space: ' ' }, ...tokens.slice(1)];
  // "Favourite band is Radiohead": a favourite without its owner is the user's.
  // "Birthday is June 9th": the user's too.
  if (
    i === 0 &&
    (first?.lower === 'favorite' || first?.lower === 'birthday') &&
    tokens.slice(1, 5).some((t) => /^(?:is|are)$/.test(t.lower))
  )
    return [...wordTokens('my'), { ...first, text: first.lower, space: ' ' }, ...tokens.slice(1)];
  if (i === 0 && first && STATE_OPENERS.has(first.lower) && first.pos !== 'NOUN' && first.pos !== 'PROPN')
    return [...wordTokens('I am'), { ...first, text: first.lower, space: ' ' }, ...tokens.slice(1)];
  // "Haven't picked up my guitar in years": a perfect without its subject.
  if (i === 0 && first?.lower === 'have' && /^(?:not|never|just|already|finally|been)$/.test(tokens[1]?.lower ?? ''))
    return [
      { text: 'I', lower: 'i', pos: 'PRON', lemma: 'i', space: '', stop: true },
      { ...first, text: 'have', space: ' ' },
      ...tokens.slice(1),
    ];
  // "Just had my 42nd birthday": "had" opens a sentence as a past verb, with an adverb before it.
  if (first?.lower === 'had' && i > 0 && tokens.slice(0, i).every((t) => t.pos === 'ADV'))
    return [...tokens.slice(0, i), ...wordTokens('I'), { ...first, text: 'had', space: ' ' }, ...tokens.slice(i + 1)];
  if (first?.pos !== 'VERB' && first?.lower !== 'been') return tokens;
  const lower = first.lower;
  let subject: string | null = null;
  if (lower === 'born') subject = 'I was';
  else if (/^(?:raised|brought)$/.test(lower) && /^(?:up|on|in|near|outside|by)$/.test(tokens[i + 1]?.lower ?? ''))
    subject = 'I was';
  else if (lower === 'been' && i === 0) subject = 'I have';
  else if (/ing$/.test(lower) && (i === 0 || tokens.slice(0, i).every((t) => t.pos === 'ADV'))) subject = 'I am';
  else if (PAST_ONLY.test(lower) || (/ed$/.test(lower) && first.lemma !== lower)) subject = 'I';
  if (subject === null) return tokens;
  const added = subject.split(' ').map(
    (word, k): Token => ({
      text: word,
      lower: word.toLowerCase(),
      pos: k === 0 ? 'PRON' : 'AUX',
      lemma: word.toLowerCase(),
      space: ' ',
      stop: true,
    }),
  );
  const rest = tokens.map((t, k) => (k === i ? { ...t, text: t.lower, space: ' ' } : t));
  // "Just turned 30": the subject goes before the adverbs that lead into the verb ("I just turned 30").
  let at = i;
  while (at > 0 && tokens[at - 1]!.pos === 'ADV') at--;
  const lead = rest.slice(at, i).map((t, k) => (k === 0 ? { ...t, text: t.lower, space: ' ' } : t));
  return [...rest.slice(0, at), ...added, ...lead, ...rest.slice(i)];
}

/** Verbs whose object can be a list of -ing words ("I love hiking, swimming and reading"). */
const GERUND_TAKING = new Set(
  'love like enjoy hate prefer adore dislike miss start stop quit give keep try avoid mind finish consider recommend suggest go practice practise begin continue fancy dread'.split(
    ' ',
  ),
);

/** "I am a retired police officer living in Phoenix": a reduced relative clause is a statement of its own. */
const REDUCED_RELATIVE =
  /^((?:I|we) (?:am|are) (?:a|an|the)\b.*?\S) (?:who is |who am |currently )?(living|based|working|studying|staying|residing) ((?:in|at|near|from|for|as|outside)\b.*)$/i;

/** The clause's first verb is in the past ("when I joined Palantir"), not the present ("when I retire"). */
function isPast(tokens: readonly Token[]): boolean {
  const verb = tokens.find((t) => t.pos === 'VERB' || t.pos === 'AUX');
  if (!verb) return false;
  if (/^(?:was|were|had|did)$/.test(verb.lower)) return true;
  return verb.pos === 'VERB' && verb.lemma !== verb.lower && !/(?:ing|s)$/.test(verb.lower);
}

/** Tokens for a restored subject ("I ", "I am "), so the clause need not be tagged again. */
function wordTokens(prefix: string): Token[] {
  return prefix
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((word, k) => ({
      text: word,
      lower: word.toLowerCase(),
      pos: k === 0 ? 'PRON' : 'AUX',
      lemma: word.toLowerCase(),
      space: ' ',
      stop: true,
    }));
}

const isSeparatorLike = (part: { tokens: Token[] } | undefined): boolean => part !== undefined;

/** The subject to put back before `next` ("I ", "I am ", ""), or null when `next` continues the current clause. */
function startsClause(currentClause: readonly Token[], next: readonly Token[]): string | null {
  const text = join(next);
  if (text === '') return null;
  if (QUESTION_START.test(text) || hasOwnSubject(next)) return '';
  if (/^(?:hi|hello|hey|thanks|thank you|btw|by the way|anyway|oh|well|call me|forget)\b/i.test(text)) return '';
  const current = join(currentClause);
  const currentTokens = cutFrontedAdverbial([...currentClause]);
  const who = userSubject(currentTokens);
  if (who === null) return null;
  // "I heard that Tom quit his job and started painting": the second verb is Tom's.
  if (
    currentTokens
      .slice(2)
      .some(
        (t) =>
          t.lower === 'that' ||
          t.pos === 'SCONJ' ||
          (t.pos === 'PROPN' && isVerb(currentTokens[currentTokens.indexOf(t) + 1])),
      )
  )
    return null;
  // "I've been working at Lidl, currently as a shift supervisor": the role goes with the work verb.
  const rest0 = content(next);
  if (
    rest0[0]?.lower === 'as' &&
    /^(?:a|an)$/.test(rest0[1]?.lower ?? '') &&
    currentTokens.some((t) => t.pos === 'VERB' && /^(?:work|start|join|employ|hire)$/.test(t.lemma))
  )
    return `${who} work `;
  // ", like EpiPen-level": "like" after a comma is a filler, not the verb.
  if (next[0]?.lower === 'like' && next.length > 0) return null;
  const rest = content(next);
  // A word the tagger read as a noun out of context ("and work at Equinor") is read again after "I".
  const asVerb =
    rest[0] &&
    rest[0].pos !== 'VERB' &&
    rest[0].text === rest[0].lower &&
    /^(?:ADP|DET|PRON|PART)$/.test(rest[1]?.pos ?? '')
      ? tag(`I ${rest[0].text}`)[1]
      : undefined;

  const first = asVerb && isVerb(asVerb) && rest[0] ? { ...rest[0], pos: asVerb.pos, lemma: asVerb.lemma } : rest[0];
  const copula = new RegExp(`^(?:\\W*\\w+\\W+){0,3}?${who} (?:am|are)\\b`, 'i').test(current);
  const having = new RegExp(`^(?:\\W*\\w+\\W+){0,3}?${who} (?:have|own|have got)\\b`, 'i').test(current);
  const restText = join(rest);
  // "I will go hiking and swim in the lake": the second verb keeps the first one's modal.
  const modal = new RegExp(
    `^(?:\\W*\\w+\\W+){0,3}?${who} (will|would|can|could|might|may|should|must|shall|(?:am|are) going to|have to|need to|want to|used to|plan to|hope to|would like to)\\b`,
    'i',
  ).exec(current);
  if (modal && first && isVerb(first) && !/(?:ing|ed)$/i.test(first.lower)) return `${who} ${modal[1]!.toLowerCase()} `;
  // "I'm from Nigeria, born in Lagos": "born" (or "raised in") after the user's clause is the user's birth.
  if (
    first &&
    (first.lower === 'born' || (first.lower === 'raised' && /^(?:in|near|outside|on)$/.test(rest[1]?.lower ?? ''))) &&
    !modal
  )
    return `${who} ${who === 'we' ? 'were' : 'was'} `;
  if (first && isVerb(first)) {
    const participle = /(?:ing|ed)$/i.test(first.lower) && first.pos === 'VERB';
    if (!participle) return `${who} ${first.lower === 'been' ? 'have ' : ''}`;
    // "I'm Polish, moved to Manchester": a verb of moving is the user's own past act, not a state after "am".
    if (/^(?:moved|relocated|emigrated)$/i.test(first.lower)) return `${who} `;
    if (copula) return `${who} ${who === 'we' ? 'are' : 'am'} `;
    if (/ed$/i.test(first.lower) && !having) return `${who} `;
    // "Grew up in Perth, living in Sydney now": an -ing clause after a verb that takes no -ing object.
    const mainVerb = currentTokens.find((t) => t.pos === 'VERB');
    if (/ing$/i.test(first.lower) && mainVerb && !GERUND_TAKING.has(mainVerb.lemma))
      return `${who} ${who === 'we' ? 'are' : 'am'} `;
    return null;
  }
  if (CHILD_OR_PET.test(restText)) return `${who} have `;
  if (having && OWNED.test(restText)) return `${who} have `;
  if (
    copula &&
    (PREDICATE.test(restText) || first?.pos === 'ADJ') &&
    !/^(?:a|an) (?:lot|bit|little|few|couple)\b/i.test(restText)
  )
    return `${who} ${who === 'we' ? 'are' : 'am'} `;
  return null;
}

// ---------------------------------------------------------------- qualifiers

/** "evening", "Evenings" (tagged a proper noun at the start of a sentence), "weekends". */
function isTimeNoun(t: Token): boolean {
  return TIME_NOUNS.has(t.lemma) || TIME_NOUNS.has(t.lower) || TIME_NOUNS.has(t.lower.replace(/s$/, ''));
}

/** "for like six years", "for about ten years", "for almost a decade". */
const APPROXIMATELY = new Set([
  'like',
  'about',
  'around',
  'almost',
  'nearly',
  'roughly',
  'over',
  'under',
  'just',
  'well',
  'at least',
]);
const TIME_SPAN_WORDS = new Set(['DET', 'ADJ', 'NUM', 'ADV', 'NOUN', 'PROPN', 'PRON']);

/** "a couple of times a month", "a few times a week": the quantity before "times" belongs to the time phrase. */
function withQuantity(tokens: readonly Token[], start: number): number {
  let i = start;
  if (i < 2 || tokens[i]?.lower !== 'times') return start;
  if (tokens[i - 1]!.lower === 'of' && /^(?:couple|lot|bunch|number)$/.test(tokens[i - 2]!.lower)) i -= 2;
  else if (/^(?:few|several|many|multiple)$/.test(tokens[i - 1]!.lower)) i -= 1;
  if (i < start && /^(?:a|quite)$/.test(tokens[i - 1]?.lower ?? '')) i -= 1;
  return i;
}

/** The "of" of a quantity ("a couple of weeks", "a bunch of years"): part of the time phrase, not a preposition. */
function isQuantityOf(tokens: readonly Token[], k: number): boolean {
  return tokens[k]?.lower === 'of' && /^(?:couple|few|bunch|number|lot|handful)$/.test(tokens[k - 1]?.lower ?? '');
}

/** Index where a trailing time phrase starts ("for about ten years", "three times a week", "since high school"), or -1. */
function timeTailStart(tokens: readonly Token[]): number {
  const start = timeTailOpening(tokens);
  return start < 0 ? start : withQuantity(tokens, start);
}

function timeTailOpening(tokens: readonly Token[]): number {
  const last = tokens[tokens.length - 1];
  if (!last) return -1;
  const lastIsTime =
    isTimeNoun(last) ||
    /^(?:19|20)\d{2}s?$/.test(last.lower) ||
    (last.lower === 'week' && /^\d+x$/.test(tokens[tokens.length - 3]?.lower ?? '')) ||
    /^(?:school|college|university|uni|then|birth)$/.test(last.lower);
  if (!lastIsTime) return -1;
  // Walk back over the phrase: determiners, numbers, adjectives, nouns ("a week", "the night shift").
  let i = tokens.length - 1;
  while (
    i > 0 &&
    (TIME_SPAN_WORDS.has(tokens[i - 1]!.pos) ||
      APPROXIMATELY.has(tokens[i - 1]!.lower) ||
      isQuantityOf(tokens, i - 1)) &&
    !/^(?:i|we)$/.test(tokens[i - 1]!.lower) &&
    // "in my spare time", "on my lunch break": "my" inside a phrase after a preposition; not "my mornings" alone.
    !(/^(?:my|our)$/.test(tokens[i - 1]!.lower) && tokens[i - 2]?.pos !== 'ADP')
  ) {
    // "Pilates twice a week": a name before the phrase is its object, unless it names a time ("Mondays").
    if (
      (tokens[i - 1]!.pos === 'NOUN' || (tokens[i - 1]!.pos === 'PROPN' && !isTimeNoun(tokens[i - 1]!))) &&
      !TIME_NOUNS.has(tokens[i - 1]!.lemma) &&
      !/^(?:times|x)$/.test(tokens[i - 1]!.lower) &&
      !isQuantityOf(tokens, i)
    )
      break;
    i--;
  }
  const opener = tokens[i - 1];
  // "since high school" is a time; "at the Open University" is a place.
  const schoolTime = /^(?:school|college|university|uni|then|birth)$/.test(last.lower) && !isTimeNoun(last);
  if (schoolTime && !/^(?:since|after|before|during|from|until)$/.test(opener?.lower ?? '')) return -1;
  if (opener && (opener.pos === 'ADP' || opener.pos === 'SCONJ') && TIME_PREPOSITIONS.has(opener.lower)) return i - 1;
  if (opener && (opener.lower === 'since' || opener.lower === 'for')) return i - 1;
  // No preposition: "most evenings", "every morning", "three times a week", "last year".
  const head = tokens[i];
  if (!head || i === tokens.length - 1) return -1; // one bare word ("1990" in "May 3, 1990") is no phrase
  if (TIME_PREPOSITIONS.has(head.lower) || head.pos === 'NUM' || head.lower === 'times' || /^\d+x$/.test(head.lower))
    return i;
  if (head.pos === 'DET' || head.pos === 'ADJ') return i;
  // "earlier this year", "later this month", "only last week".
  if (head.pos === 'ADV' && /^(?:earlier|later|early|late|only|just)$/.test(head.lower)) return i;
  return -1;
}

/** Start of a final "at the local pool" / "in the park" phrase, or -1. */
function lastPlacePhrase(tokens: readonly Token[]): number {
  for (let i = tokens.length - 2; i > 1; i--) {
    const t = tokens[i]!;
    if (t.pos === 'ADP')
      return /^(?:at|in|on|near|by|around)$/.test(t.lower) &&
        (/^(?:the|a|my|our)$/.test(tokens[i + 1]!.lower) || tokens[i + 1]!.pos === 'PROPN')
        ? i
        : -1;
    if (!/^(?:DET|ADJ|NOUN|PROPN)$/.test(t.pos)) return -1;
  }
  return -1;
}

/** "since my knee surgery", "since I was six": a trailing since-phrase says since when. */
function sinceTailStart(tokens: readonly Token[]): number {
  for (let i = tokens.length - 1; i > 1; i--) if (tokens[i]!.lower === 'since') return i;
  return -1;
}

/**
 * The family a user lives with: "I live with my mum and my two younger
 * brothers" -> "my two younger brothers", "my mum". Only a household says
 * so ("live with", "share a flat with", "moved in with"); "I hike with my
 * kids" is company on an outing.
 */
export function household(clause: string): string[] {
  const m =
    /^(?:I|we) (?:live|have lived|am living|still live|moved in|share (?:a|an|the|my|our) \w+)(?: (?:in|near|outside) \p{Lu}[\p{L}'-]*(?: \p{Lu}[\p{L}'-]*)*)? with ((?:my|our|a|an|two|three|four|five|six|\d+) .+)$/iu.exec(
      clause,
    );
  if (!m) return [];
  const parts = m[1]!
    .replace(/\s+(?:in|at|near|on|since|for|and our|while)\b.*$/i, '')
    .split(/\s*(?:,|\band\b)\s*/)
    .map((part) => part.trim());
  // "our two cats, Salt and Pepper": names after a member are its names.
  const members: string[] = [];
  const names: string[][] = [];
  for (const part of parts) {
    if (/^(?:my|our|a|an|two|three|four|five|six|\d+)\s/i.test(part)) {
      members.push(part);
      names.push([]);
    } else if (members.length > 0 && /^\p{Lu}[\p{L}'-]*$/u.test(part)) names[names.length - 1]!.push(part);
  }
  return members.map((member, i) => {
    const named = names[i]!;
    if (named.length === 0) return member;
    return `${member} called ${named.length === 1 ? named[0]! : `${named.slice(0, -1).join(', ')} and ${named.at(-1)!}`}`;
  });
}

/** "with my kids", "with roommates", "with my partner and our dog": company kept by the user, not part of the value. */
function cutCompanions(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.lower === 'with' && i > 1) {
      let j = i + 1;
      let companion = false;
      while (
        j < tokens.length &&
        tokens[j]!.pos !== 'ADP' &&
        tokens[j]!.pos !== 'PUNCT' &&
        tokens[j]!.pos !== 'SCONJ'
      ) {
        // "married with two kids": having, not company; "with my two brothers" is company.
        if (tokens[j]!.pos === 'NUM' && !/^(?:my|our)$/.test(tokens[j - 1]!.lower)) break;
        if (COMPANIONS.has(tokens[j]!.lower) || COMPANIONS.has(tokens[j]!.lemma)) companion = true;
        else if (
          !/^(?:my|our|the|a|some|his|her|their|and|two|three|four|little|best|old|new|young|older|younger|good|close|,)$/.test(
            tokens[j]!.lower,
          )
        )
          break;
        j++;
      }
      // "with my family and English at work": a companion ends at the next preposition, comma or "and" + non-companion.
      if (companion && j < tokens.length && tokens[j - 1]?.lower === 'and') j--;
      const ended =
        j >= tokens.length ||
        tokens[j]!.pos === 'ADP' ||
        tokens[j]!.pos === 'PUNCT' ||
        tokens[j]!.pos === 'SCONJ' ||
        (companion && tokens[j]!.lower === 'and');
      if (companion && ended) {
        i = j - 1;
        continue;
      }
    }
    out.push(t);
  }
  return out;
}

/** Tails that say how much or why: "part-time", "for health reasons", "to make ends meet", "on the side". */
const WHY_TAIL =
  /\s(?:(?:part|full)(?:\s*-\s*|\s+)time|for (?:\w+ )?reasons|to make ends meet|to pay (?:the|my) bills|to earn (?:some )?extra(?: money| cash)?|for extra (?:money|cash|income)|on the side|(?:around|in front of|among|with|at) (?:new |other |most |large |big )?(?:people|strangers|crowds|groups|others|parties))$/i;

const HEDGES =
  /^(?:maybe|perhaps|apparently|probably|possibly|supposedly|hopefully|allegedly|if|unless|when|whenever)$/i;

/** Words before the subject that only say when or where ("On weekends, I ...", "By trade I am ...", "Every Sunday I ..."). */
function cutFrontedAdverbial(tokens: Token[]): Token[] {
  const s = tokens.findIndex((t) => t.lower === 'i' || t.lower === 'we');
  if (s <= 0 || s > 6) return tokens;
  const prefix = tokens.slice(0, s);
  if (prefix.some((t) => isVerb(t) || HEDGES.test(t.lower) || t.pos === 'SCONJ')) return tokens;
  if (!prefix.every((t) => /^(?:ADP|DET|NOUN|PROPN|ADJ|NUM|ADV|PUNCT|PRON)$/.test(t.pos))) return tokens;
  // Only a phrase of time, frequency or manner ("On weekends", "Every Sunday", "By trade", "In my free time"):
  // "The patient I saw today has ..." has a subject of its own, and "In the story, I ..." is no fact.
  const words = prefix.filter((t) => t.pos !== 'PUNCT');
  const timely = words.some((t) => isTimeNoun(t) || /^(?:every|most|each)$/.test(t.lower));
  const manner =
    /^(?:by (?:trade|profession|day|night)|for (?:fun|work|a living)|at (?:work|home)|in (?:my|our) (?:free|spare|leisure|own) time|personally|honestly|professionally|work-?wise|career-?wise)$/i.test(
      join(words),
    );
  if (!timely && !manner && !words.every((t) => t.pos === 'ADV')) return tokens;
  return tokens.slice(s);
}

/**
 * The clause without what only qualifies it: time and frequency phrases at
 * the end, a since-phrase, company ("with my kids"), a trailing adverb, a
 * discourse tail, and a fronted adverbial before the subject. "I've been a
 * nurse on the night shift for about ten years now" -> "I've been a nurse".
 */
export function trimQualifiers(clause: string): string {
  let tokens = cutFrontedAdverbial(cutCompanions(tag(clause)));
  // "an older sister who lives in Melbourne": a relative clause says something of the noun, not of the user.
  const relative = tokens.findIndex(
    (t, k) => k >= 3 && /^(?:who|whom|whose|which)$/.test(t.lower) && /^(?:NOUN|PROPN)$/.test(tokens[k - 1]!.pos),
  );
  if (relative > 0) tokens = tokens.slice(0, relative);
  for (let guard = 0; guard < 6; guard++) {
    while (tokens.length > 0 && tokens[tokens.length - 1]!.pos === 'PUNCT') tokens = tokens.slice(0, -1);
    const last = tokens[tokens.length - 1];
    if (!last || tokens.length <= 3) break;
    // "in my left ear", "in both knees": where on the body, not what.
    const body = /\s(?:in|on) (?:my|both|one of my|one|the) (?:left |right |lower |upper |bad )?(\w+)$/i.exec(
      join(tokens),
    );
    const part = body?.[1]?.toLowerCase() ?? '';
    const bodyPart = BODY_PARTS.has(part) || BODY_PARTS.has(part.replace(/s$/, ''));
    const why = bodyPart ? body : WHY_TAIL.exec(join(tokens));
    if (why) {
      const keep = join(tokens).length - why[0].length;
      while (tokens.length > 1 && join(tokens).length > keep) tokens = tokens.slice(0, -1);
      continue;
    }
    const tail = [...DISCOURSE_TAILS].find((phrase) => join(tokens).toLowerCase().endsWith(` ${phrase}`));
    if (tail) {
      tokens = tokens.slice(0, tokens.length - tail.split(' ').length);
      if (tokens[tokens.length - 1]?.pos === 'ADP') tokens = tokens.slice(0, -1);
      continue;
    }
    if (last.pos === 'ADV' && !/^(?:not|here|there|home|abroad|away|back|out|up|down|off)$/.test(last.lower)) {
      tokens = tokens.slice(0, -1);
      continue;
    }
    const time = timeTailStart(tokens);
    if (time >= 2) {
      tokens = tokens.slice(0, time);
      continue;
    }
    // "three times a week at the local pool": a place after the time phrase goes with it.
    const place = lastPlacePhrase(tokens);
    const timeBefore = place > 2 ? timeTailStart(tokens.slice(0, place)) : -1;
    if (timeBefore >= 2) {
      tokens = tokens.slice(0, timeBefore);
      continue;
    }
    const since = sinceTailStart(tokens);
    if (since >= 2) {
      tokens = tokens.slice(0, since);
      continue;
    }
    break;
  }
  return join(tokens);
}

// ---------------------------------------------------------------- fragments

/** Nouns that name a kind of person one is: "fan", "introvert", "night owl". */
const PERSON_NOUNS = new Set(
  `fan lover person introvert extrovert extravert ambivert addict nerd geek junkie enthusiast buff fanatic owl bird
  vegetarian vegan pescatarian mum mom dad mother father parent grandparent grandma grandmother grandpa grandfather
  student grad graduate expat immigrant native local twin foodie homebody workaholic perfectionist optimist pessimist
  realist dreamer loner`.split(/\s+/),
);

/**
 * A verbless fragment that introduces the user ("Big Arsenal fan", "Huge
 * introvert", "Nurse by trade", "Mum of three", "Keen gardener"), read as
 * "I am a ...": its head noun names a kind of person, a hobbyist or a job.
 * Null for any other fragment ("Quick question", "Long day").
 */
export function selfFragment(clause: string): string | null {
  const tokens = tag(clause);
  if (tokens.length === 0 || tokens.length > 6) return null;
  if (tokens.some((t) => t.pos === 'VERB' || t.pos === 'AUX' || t.pos === 'PRON' || t.pos === 'DET')) return null;
  // The head: the last noun before a preposition ("Nurse by trade", "Mum of three").
  const end = tokens.findIndex((t) => t.pos === 'ADP');
  const phrase = end < 0 ? tokens : tokens.slice(0, end);
  const head = phrase[phrase.length - 1];
  if (!head || !/^(?:NOUN|PROPN|ADJ)$/.test(head.pos)) return null;
  const noun = head.lower.replace(/s$/, '');
  const pair = phrase
    .slice(-2)
    .map((t) => t.lower)
    .join(' ');
  if (
    !(
      PERSON_NOUNS.has(noun) ||
      HOBBYISTS.has(noun) ||
      HOBBYISTS.has(pair) ||
      (phrase.length <= 2 && isA(head.lower, 'job'))
    )
  )
    return null;
  // The first word lost its capital to the sentence; a name inside keeps it ("big Arsenal fan").
  const joined = tokens
    .map((t, k) => (k > 0 && t.pos === 'PROPN' ? t.text : t.lower))
    .join(' ')
    .replace(/ ([,.])/g, '$1');
  return `I am ${/^[aeiou]/i.test(joined) ? 'an' : 'a'} ${joined}`;
}

/** Words that open a fragment about the moment or the conversation, not the user ("sorry about that", "just checking"). */
const NOT_ELIDED = new Set(
  `sorry thanks thank please not so very too really quite pretty great good nice cool fine okay ok sure glad
  happy sad tired busy excited curious back here there about off up down out over`.split(/\s+/),
);

/**
 * A sentence that opens without its subject, on a word that describes the
 * user ("originally from Cork", "working nights as a porter at the
 * hospital", "halfway through an MSc") or on a verb of theirs ("been doing
 * korean on duolingo", "picked the piano back up", "based in Berlin"),
 * restored with its subject, most likely reading first: the rules then read
 * it as they read the full statement. Empty for anything that opens on a
 * noun, a pronoun or a determiner, and for fragments about the moment
 * ("sorry about that", "great to see you").
 */
export function elidedSubject(said: string): string[] {
  // "very much single now": how much says nothing of what.
  const clause = said.replace(
    /^(?:very much|pretty much|basically|officially|just|finally|also|still)\s+(?=\p{L})/iu,
    '',
  );
  const tokens = tag(clause);
  const first = tokens[0];
  // One word alone is a reply, not a description, unless it is one ("single", "vegan").
  if (!first || (tokens.length < 2 && first.pos !== 'ADJ') || NOT_ELIDED.has(first.lower)) return [];
  if (tokens.some((t) => t.pos === 'PRON' && /^(?:i|we|me|us)$/.test(t.lower))) return [];
  const rest = `${clause.charAt(0).toLowerCase()}${clause.slice(1)}`;
  // "been vegan for years", "gone fully vegan since january": the perfect, said without "I have".
  if (/^(?:been|gone)$/.test(first.lower)) return [`I have ${rest}`];
  // A verb before the clause's own end that is not the first word: "great to see you" is no description.
  if (tokens.slice(1).some((t) => t.pos === 'AUX')) return [];
  // A participle may be tagged as a noun before a preposition ("training for a marathon").
  const participle =
    /ing$/.test(first.lower) && (first.pos === 'VERB' || (first.pos === 'NOUN' && tokens[1]!.pos === 'ADP'));
  const describes =
    participle ||
    first.pos === 'ADJ' ||
    first.pos === 'ADV' ||
    (first.pos === 'ADP' && /^(?:from|into|in|at|on)$/.test(first.lower));
  if (describes) return [`I am ${rest}`];
  // "based in Berlin" (a state), "picked the piano back up" (an act): a verb in the past, either way.
  if (first.pos === 'VERB' && first.lemma !== first.lower && !/(?:ing|s)$/.test(first.lower))
    return [`I am ${rest}`, `I ${rest}`];
  return [];
}

// ---------------------------------------------------------------- core

/** Said of a stretch of time or a habit: "since college", "for a couple of months", "every evening", "most days". */
const ONGOING =
  /\b(?:since|for (?:a|an|about|around|almost|nearly|over|like|the (?:last|past)|\d+|one|two|three|four|five|six|seven|eight|nine|ten|a few|several|many|years|months|ages)|every|each|most|usually|always|often|regularly|weekly|daily|nightly|on (?:weekends|weekdays|\w+days|\w+ (?:mornings|evenings|nights))|(?:a|per) (?:day|week|month)|these days|nowadays|lately)\b/i;

/** Words that only say how much of the object: "way too much coffee", "a bit of French", "tons of". */
const QUANTITY_WORDS = new Set(
  `a an way too so much many lot lots of bit little few couple ton tons load loads plenty bunch heaps quite some really deal amount`.split(
    /\s+/,
  ),
);

/** Words that open a phrase of time, not an object: "every evening", "most days", "this year". */
const TIME_OPENERS = new Set(['every', 'each', 'most', 'this', 'last', 'next', 'all', 'once', 'twice']);

/**
 * The clause's core: subject, verb in the simple present and its object,
 * without the adjuncts that only say where, when, how often or with whom.
 * A habit said in the perfect or the progressive over a stretch of time is
 * said in the simple present. "I have played bass in a punk band since
 * college" -> "I play bass"; "I am meditating every evening for a couple of
 * months" (from "I have been meditating ...") -> "I meditate"; "I drink way
 * too much coffee" -> "I drink coffee". Null when the clause has no such
 * core, is negated, or is its own core already.
 */
export function coreClause(clause: string, source: string, sentence: string): string | null {
  const tokens = tag(clause);
  const subject = tokens[0]?.lower;
  if (subject !== 'i' && subject !== 'we') return null;
  let i = 1;
  while (tokens[i]?.pos === 'ADV' && !/^(?:not|never|no|hardly|barely|rarely|seldom)$/.test(tokens[i]!.lower)) i++;
  const first = tokens[i];
  const second = tokens[i + 1];
  const third = tokens[i + 2];
  // A perfect reaches back over a time said anywhere in the sentence ("since I was twelve" is a clause of its own);
  // a progressive only over its own ("I knit most nights while watching TV" watches TV just then).
  const ongoing = ONGOING.test(source);
  const reaching = ongoing || ONGOING.test(sentence);
  let verb: Token | undefined;
  if (first?.pos === 'VERB' && first.lemma === first.lower && !/(?:ed|ing)$/.test(first.lower)) verb = first;
  else if (first?.lower === 'have' && second?.pos === 'VERB' && second.lemma !== second.lower && reaching)
    verb = second; // "I have played bass since college"
  else if (first?.lower === 'have' && second?.lower === 'been' && third?.pos === 'VERB' && /ing$/.test(third.lower))
    verb = reaching ? third : undefined; // "I have been meditating for months"
  else if (/^(?:am|are)$/.test(first?.lower ?? '') && second?.pos === 'VERB' && /ing$/.test(second.lower) && ongoing)
    verb = second; // "I am swimming three times a week"
  if (!verb || /^(?:be|have|do|get|go|say|tell|think|know|want|need|try|hope|wish)$/.test(verb.lemma)) return null;
  let j = tokens.indexOf(verb) + 1;
  // "way too much coffee", "a bit of French", "an awful lot of tea": the quantity says how much, not what.
  const quantityStart = j;
  const of = tokens.findIndex((t, k) => k > j && k <= j + 4 && t.lower === 'of');
  if (of > 0 && QUANTITY_WORDS.has(tokens[of - 1]!.lower)) j = of + 1;
  else
    while (
      j < tokens.length &&
      (QUANTITY_WORDS.has(tokens[j]!.lower) || (tokens[j]!.pos === 'ADV' && j === quantityStart))
    )
      j++;
  if (j > quantityStart && !/^(?:NOUN|PROPN|ADJ)$/.test(tokens[j]?.pos ?? '')) j = quantityStart;
  const objectStart = j;
  while (
    j < tokens.length &&
    /^(?:DET|ADJ|NOUN|PROPN|NUM)$/.test(tokens[j]!.pos) &&
    !TIME_OPENERS.has(tokens[j]!.lower) &&
    !isTimeNoun(tokens[j]!)
  )
    j++;
  // A number alone after the verb is a time or a count ("I swim 3 times a week"), not the object.
  const object = tokens.slice(objectStart, j).filter((t, k, all) => !(t.pos === 'NUM' && k === all.length - 1));
  const core = [tokens[0]!.text, verb.lemma, ...object.map((t) => t.text)].join(' ');
  return core === clause ? null : core;
}

/** Verbs (by lemma) that present what follows as a fact come to light: "found out", "realised", "it turns out". */
const COMING_TO_KNOW = new Set([
  'find',
  'learn',
  'discover',
  'realise',
  'realize',
  'notice',
  'confirm',
  'figure',
  'turn',
]);

/**
 * The statement inside "I found out last week that I am pregnant", "just
 * realised I am lactose intolerant", "it turns out I am allergic to latex":
 * the user's own clause after a verb of coming to know whose subject is the
 * user (or left out, or "it" for "turns out"). Null for any other clause;
 * "my sister found out that ..." stays someone else's.
 */
export function learnedClause(clause: string): string | null {
  const tokens = tag(clause);
  let i = 0;
  const subject = tokens[0]?.lower;
  if (subject === 'i' || subject === 'we' || subject === 'it') i = 1;
  while (tokens[i]?.pos === 'ADV' || tokens[i]?.lower === 'have' || tokens[i]?.lower === 'just') i++;
  const verb = tokens[i];
  if (!verb || !COMING_TO_KNOW.has(verb.lemma) || (verb.lemma === 'turn') !== (subject === 'it')) return null;
  // "it turns out", "figured out", "found out" need their particle; "learned", "realised" stand alone.
  let k = i + 1;
  if (tokens[k]?.lower === 'out') k++;
  else if (/^(?:find|figure|turn)$/.test(verb.lemma)) return null;
  // "last week", "this morning", "yesterday": when it came to light.
  while (
    k < tokens.length &&
    k < i + 5 &&
    /^(?:DET|ADJ|NOUN|ADV|NUM)$/.test(tokens[k]!.pos) &&
    tokens[k]!.lower !== 'that'
  )
    k++;
  if (tokens[k]?.lower === 'that') k++;
  const rest = tokens.slice(k);
  if (rest.length < 3 || !/^(?:i|we)$/.test(rest[0]!.lower)) return null;
  return join(rest);
}

/**
 * The statement a frame introduces: "the thing about me is I can't stand
 * coriander", "the truth is that I hate flying", "one thing you should know
 * is I'm deaf": a noun phrase (not the user's or anyone's by name) as subject
 * of "is", whose complement is a whole clause of the user's. Null for any
 * other clause ("my sister is a nurse" has no clause after "is").
 */
export function framedClause(clause: string): string | null {
  const tokens = tag(clause);
  if (!/^(?:the|a|one)$/.test(tokens[0]?.lower ?? '')) return null;
  const be = tokens.findIndex((t) => /^(?:is|was)$/.test(t.lower));
  if (be < 2 || be > 7) return null;
  const frame = tokens.slice(0, be);
  if (!frame.every((t) => /^(?:DET|ADJ|NOUN|ADP|PRON|NUM|ADV|VERB|AUX)$/.test(t.pos))) return null;
  if (frame.some((t) => t.pos === 'PROPN' || /^(?:my|his|her|their|your)$/.test(t.lower))) return null;
  let k = be + 1;
  if (tokens[k]?.lower === 'that') k++;
  const rest = tokens.slice(k);
  if (rest.length < 3 || !/^(?:i|we)$/.test(rest[0]!.lower)) return null;
  if (!rest.slice(1, 4).some((t) => t.pos === 'VERB' || t.pos === 'AUX')) return null;
  return join(rest);
}

/** "he's called Bolt", "her name is Luna", "they're named Salt and Pepper": names given in a clause of their own. */
const NAMING_CLAUSE =
  /^(?:(?:he|she|it|they)(?:'s|'re| is| are) (?:called|named)|(?:his|her|its|their) names?(?:'s| is| are))\s+(.+?)[\s.!]*$/i;
/** A name with what a chat adds about its bearer: "Leo who's 8", "Maisie, 4", "Ava (2)". */
const NAME_WITH_AGE = /^(\p{Lu}[\p{L}'-]*)(?:\s+(?:who(?:'s| is)|aged?)\s+\d{1,2}|\s*\(\d{1,2}\))?$/u;
const KIN_WORDS =
  /^(?:kids?|children|child|sons?|daughters?|boys?|girls?|babies|baby|twins|stepsons?|stepdaughters?|grandkids|grandchildren|brothers?|sisters?|siblings|puppy|puppies|kittens?)$/i;

/** The kin or animal noun a clause ends its object with ("two kids", "a greyhound last month"): its index. */
function kinOrPetNoun(tokens: readonly Token[]): number {
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (t.pos !== 'NOUN') continue;
    if (KIN_WORDS.test(t.lower)) return i;
    if (isA(t.lemma, 'dog') || isA(t.lemma, 'cat') || isA(t.lemma, 'pet')) return i;
  }
  return -1;
}

/**
 * Names said after the children or pets they belong to, in clauses of their
 * own ("we've got two kids, Leo who's 8 and Maisie who's 4", "we rescued a
 * greyhound, he's called Bolt"), are put back after the noun ("two kids
 * called Leo and Maisie"), so the statement rules read them as one.
 */
export function withApposedNames(said: readonly string[]): string[] {
  // "I've got a lurcher, her name's Pip": the naming may stay in its clause after a comma.
  const clauses = said.flatMap((clause) => {
    const comma = clause.search(
      /,\s*(?:(?:he|she|it|they)(?:'s|'re| is| are) (?:called|named)|(?:his|her|its|their) names?(?:'s| is| are))\s/i,
    );
    return comma > 0 ? [clause.slice(0, comma), clause.slice(comma + 1).trim()] : [clause];
  });
  const out: string[] = [];
  for (let k = 0; k < clauses.length; k++) {
    const clause = clauses[k]!;
    const names: string[] = [];
    let next = k + 1;
    const naming = NAMING_CLAUSE.exec(clauses[next] ?? '');
    if (naming) {
      names.push(...splitList(naming[1]!));
      next++;
    } else
      for (
        let m = NAME_WITH_AGE.exec(clauses[next]?.trim() ?? '');
        m;
        m = NAME_WITH_AGE.exec(clauses[next]?.trim() ?? '')
      ) {
        names.push(m[1]!);
        next++;
      }
    const tokens = names.length > 0 && !/\b(?:called|named)\b/i.test(clause) ? tag(clause) : [];
    const noun = kinOrPetNoun(tokens);
    if (noun < 0 || names.some((n) => !/^\p{Lu}[\p{L}'-]*$/u.test(n))) {
      out.push(clause);
      continue;
    }
    const listed = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
    const after = join(tokens.slice(noun + 1));
    out.push(`${join(tokens.slice(0, noun + 1))} called ${listed}${after === '' ? '' : ` ${after}`}`);
    k = next - 1;
  }
  return out;
}
