// The offline extractor, used when no LLM is configured. It reads only what
// the user says about themselves (user and summary messages), in plain
// English, with a table of statement rules; see docs/offline-extractor.md
// for what it understands and what it cannot do. Deterministic, no I/O.
//
//   message -> sentences -> filters (role-play, jokes, questions, conditionals)
//           -> clauses -> filters (hypotheticals, hedges, reported speech)
//           -> statement rules -> intents (assert / retract / forget)
//           -> decide against the existing memories -> operations

import type { Extractor } from '../../../domain/ports.js';
import type {
  ChatMessage,
  ExistingMemory,
  ExtractionInput,
  ExtractionResult,
  MemoryOperation,
  ProfileConfig,
} from '../../../domain/types.js';
import { findSlot } from '../../../domain/profile/default-profile.js';
import { customSlotFact } from './custom-slots.js';
import { jobFrame } from './work.js';
import { decide } from './decide.js';
import { endingsOnRecord } from './endings.js';
import { fact, likeFact } from './facts.js';
import { isActivity, isInstrument, isSport } from './values.js';
import {
  arrangedPlan,
  conditionAdjective,
  courseFacts,
  generalFacts,
  leisureFacts,
  possessedCondition,
  spendingTime,
  workingAs,
} from './general.js';
import { HABITUAL } from './everyday.js';
import { baseForm } from './nlp.js';
import {
  hasJokeMarker,
  isBareJoke,
  isHedged,
  isHypothetical,
  isReported,
  isRoleplay,
  isTagQuestion,
  opensConditional,
  removeAsides,
  beforeClosingLaugh,
} from './filters.js';
import { parseForget } from './forget.js';
import type { Intent } from './intents.js';
import type { RuleContext } from './rule.js';
import { clauseIntents, coupleFacts, matchStatement, mentionFacts } from './statements.js';
import {
  coreClause,
  framedClause,
  household,
  learnedClause,
  elidedSubject,
  selfFragment,
  splitClauses,
  trimQualifiers,
  withApposedNames,
} from './clauses.js';
import { canonicalClause, isQuestionClause, prepareText, splitSentences, type Sentence } from './text.js';

/** Family a household names ("I live with my sister"): siblings and children; a partner is said as "my boyfriend" and kept too. */
const HOUSEHOLD_SLOTS: ReadonlySet<string> = new Set(['siblings', 'children', 'partner', 'dogs', 'cats', 'other_pets']);

/** Longest batch summary, in characters. */
const MAX_SUMMARY = 300;

/**
 * Sees every clause that passed the gates (questions, hypotheticals, hedges,
 * reported speech) with the intents the rules read from it, and returns the
 * clause's intents: the learned fallback files clauses no rule read.
 */
export type ClauseHook = (clause: string, read: Intent[], where: ClauseSource) => Intent[];

/** Where a canonical clause came from: the clause as said, and its whole sentence. */
export interface ClauseSource {
  said: string;
  sentence: string;
}

/** Files a first-person clause no rule read, when it is confident of the slot (see ../fallback/). */
export interface ClauseClassifier {
  /** Whether the clause is one the classifier may file (first person, a statement). */
  accepts(clause: string): boolean;
  /** The intents for each clause, in order; empty when not confident. */
  classify(clauses: readonly string[]): Promise<Intent[][]>;
}

export interface RuleBasedExtractorOptions {
  /** Consulted for the clauses no rule read. Default: none (the rules alone). */
  classifier?: ClauseClassifier;
}

export class RuleBasedExtractor implements Extractor {
  readonly name = 'rule-based';
  private readonly classifier: ClauseClassifier | undefined;

  constructor(options: RuleBasedExtractorOptions = {}) {
    this.classifier = options.classifier;
  }

  async extract(input: ExtractionInput): Promise<ExtractionResult> {
    const intents = await this.intentsOf(input);
    const operations = decide(intents, input.profile, input.existing);
    return { operations, summary: summarise(operations), tags: tagsOf(operations, input.existing), usage: null };
  }

  /**
   * The rules' intents; with a classifier, a second pass files the clauses the first left unread
   * (the rules are deterministic, so the second pass sees the same clauses, and the classifier,
   * which is async, is asked once for all of them).
   */
  private async intentsOf(input: ExtractionInput): Promise<Intent[]> {
    const classifier = this.classifier;
    const unread: string[] = [];
    // Endings of what is on record come after what the rules read from the same clause.
    const withEndings = (clause: string, read: Intent[], where: ClauseSource) => [
      ...read,
      ...endingsOnRecord({ clause, ...where }, read, input.existing),
    ];
    const intents = collectIntents(input.messages, input.profile, input.now, (clause, read, where) => {
      if (read.length === 0 && classifier?.accepts(clause)) unread.push(clause);
      return withEndings(clause, read, where);
    });
    // A message that takes something back or replaces it is the rules' alone: "so scrap the pescatarian thing"
    // reads as "I scrap ..." once canonical, and a guess there would stand in for the fact taken back.
    if (!classifier || unread.length === 0 || intents.some((i) => i.kind !== 'assert')) return intents;
    const filed = await classifier.classify(unread);
    const byClause = new Map(unread.map((clause, i) => [clause, filed[i] ?? []]));
    return collectIntents(input.messages, input.profile, input.now, (clause, read, where) =>
      withEndings(clause, read.length === 0 ? (byClause.get(clause) ?? []) : read, where),
    );
  }
}

/** Everything the batch's user and summary messages assert, take back or ask to forget, in order. */
export function collectIntents(
  messages: readonly ChatMessage[],
  profile: ProfileConfig,
  now: Date,
  hook?: ClauseHook,
): Intent[] {
  return messages.flatMap((message) => messageIntents(message, profile, now, hook));
}

function messageIntents(message: ChatMessage, profile: ProfileConfig, now: Date, hook?: ClauseHook): Intent[] {
  const role = message.role.trim().toLowerCase();
  if (role !== 'user' && role !== 'summary') return [];
  const content = message.content ?? '';
  if (isRoleplay(content)) return [];
  const sentences = withoutJokes(splitSentences(prepareText(content)));
  return sentences.flatMap((sentence) =>
    sentenceIntents(
      role === 'summary' ? { ...sentence, text: summaryToFirstPerson(sentence.text) } : sentence,
      profile,
      now,
      hook,
    ),
  );
}

/** Drops sentences with a joke marker; a bare "just kidding" also takes back the sentence before it. */
function withoutJokes(sentences: Sentence[]): Sentence[] {
  const kept: Sentence[] = [];
  for (const sentence of sentences) {
    if (!hasJokeMarker(sentence.text)) kept.push(sentence);
    else if (isBareJoke(sentence.text)) kept.pop();
    else {
      // "I'm 24 weeks pregnant so everything aches lol": the laugh is about what it closes.
      const head = beforeClosingLaugh(sentence.text);
      if (head) kept.push({ ...sentence, text: head });
    }
  }
  return kept;
}

function sentenceIntents(sentence: Sentence, profile: ProfileConfig, now: Date, hook?: ClauseHook): Intent[] {
  const text = removeAsides(sentence.text);
  const forget = parseForget(text, profile);
  if (forget) {
    switch (forget.kind) {
      case 'slots':
        return [{ kind: 'forget', targets: forget.targets, source: sentence.text }];
      case 'statement': {
        // "Forget that I don't drink, I do now": the first clause is taken back, the rest is said as usual.
        const [first = forget.clause, ...rest] = splitClauses(forget.clause);
        return [
          ...retractionsOf(first, sentence.text, now),
          ...clauseListIntents(rest, profile, now, sentence.text, hook),
        ];
      }
      case 'words':
        return forgetWords(forget.words, profile, sentence.text);
      case 'unknown':
        return forgetByName(text, sentence.text);
      default: {
        const unreachable: never = forget;
        throw new Error(`unknown forget request ${JSON.stringify(unreachable)}`);
      }
    }
  }
  if (opensConditional(text)) return [];
  // "so my partner Alex and I ...": a discourse word opening the sentence joins it to nothing.
  let clauses = splitClauses(text.replace(/^(?:(?:so|and|oh|well|anyway|also|plus)\b[\s,]+)+(?=\S)/i, ''));
  if (sentence.question) {
    // "I'm vegetarian, can you suggest a recipe?" keeps its statement; "Am I
    // allergic to nuts?" and "I live in Berlin, right?" keep nothing.
    const last = clauses[clauses.length - 1] ?? '';
    if (clauses.length < 2 || !isQuestionClause(last) || isTagQuestion(last)) return [];
    clauses = clauses.slice(0, -1);
  }
  return clauseListIntents(clauses, profile, now, text, hook);
}

/** `sentence`: the whole sentence, which may say how long in a clause of its own ("since I was twelve"). */
function clauseListIntents(
  clauses: readonly string[],
  profile: ProfileConfig,
  now: Date,
  sentence: string,
  hook?: ClauseHook,
): Intent[] {
  // What the sentence's last retraction took back: "I'm done with Spanish, switching to German" puts German in its place.
  let given: string | null = null;
  return withApposedNames(clauses).flatMap((said, index) => {
    // "Found out last week that I'm pregnant": the user's own clause is the statement.
    // "The thing about me is I can't stand coriander": the clause the frame introduces.
    const clause = learnedClause(said) ?? framedClause(said) ?? said;
    const canonical = canonicalClause(clause);
    if (!keeps(canonical.text)) return [];
    const ctx = { now, recent: canonical.recent, source: clause };
    // Without its qualifiers first ("I am a nurse on the night shift for ten years" -> "I am a nurse"), then as said.
    const trimmed = canonicalClause(trimQualifiers(canonical.text)).text;
    let intents = readBareFirst(canonical.text, trimmed, ctx);
    // "I went back to eating meat", "I started smoking again": the habit is back.
    const resumed =
      /^(I|we) (?:went back to|have gone back to|am back to|are back to|started|began|have started|returned to|got back into) (\w+ing)\b(.*)$/i.exec(
        trimmed,
      );
    if (intents.length === 0 && resumed) {
      const base = baseForm(resumed[2]!);
      intents = clauseIntents(`${resumed[1]} ${base}${resumed[3]}`, ctx);
    }
    // "I have been playing the drums since school": a habit, said in the progressive.
    const progressive = /^(I|we) (?:am|are) (\w+ing)\b(.*)$/i.exec(trimmed);
    if (intents.length === 0 && progressive && (HABITUAL.test(clause) || /\bagain\b/i.test(clause))) {
      const base = baseForm(progressive[2]!);
      intents = clauseIntents(`${progressive[1]} ${base}${progressive[3]}`, ctx);
    }
    // "I am a huge introvert, parties drain me": what follows a comma may be a clause the tagger did not see as one.
    const comma = trimmed.indexOf(',');
    if (intents.length === 0 && comma > 0) {
      const said = canonicalClause(trimmed.slice(0, comma)).text;
      const head = canonicalClause(trimQualifiers(said)).text;
      if (head !== '' && keeps(head)) intents = clauseIntents(head, ctx);
      // "I turned 30 yesterday, feeling ancient": trimming may cut the value with the time ("30 yesterday").
      if (intents.length === 0 && said !== head && said !== '' && keeps(said)) intents = clauseIntents(said, ctx);
    }
    // "Big Arsenal fan", "Huge introvert": a fragment that introduces the user says "I am a ...".
    const fragment = intents.length === 0 ? selfFragment(trimmed) : null;
    if (fragment) intents = clauseIntents(fragment, ctx);
    // "originally from Cork", "working nights as a porter": a sentence that opens without its subject says it of the user.
    // After the first clause only a participle continues the user's sentence: "we did the move, living in Cardiff now".
    const opensSentence = index === 0 || /^\p{Ll}+ing\b/u.test(trimmed);
    for (const restored of intents.length === 0 && opensSentence ? elidedSubject(trimmed) : []) {
      const whole = canonicalClause(restored).text;
      intents = readBareFirst(whole, canonicalClause(trimQualifiers(whole)).text, ctx);
      if (intents.length > 0) break;
    }
    // No rule claimed it: the general reader files a habit by its object's word class ("I referee rugby").
    if (intents.length === 0) intents = generalFacts(trimmed, ctx);
    // "my asthma has been flaring up": a condition the user calls their own.
    if (intents.length === 0) intents = possessedCondition(trimmed);
    // "I mostly watch anime in my free time": leisure, whatever the verb.
    if (intents.length === 0) intents = leisureFacts(trimmed, ctx);
    // "I'm paraplegic after a bike crash", "an evening course in Python", "we're getting married in June".
    if (intents.length === 0) intents = conditionAdjective(trimmed);
    if (intents.length === 0) intents = courseFacts(trimmed);
    if (intents.length === 0) intents = arrangedPlan(canonical.text, ctx);
    // "I freelance as a designer": a known job after any verb of the user's and "as".
    if (intents.length === 0) intents = workingAs(trimmed);
    // "I spend most of my time in the garden": what the user's own time goes on.
    if (intents.length === 0) intents = spendingTime(canonical.text);
    // "I keep a leopard gecko called Mango", "we own two alpacas": having, said with another verb of possession.
    // A bare plural is several of a kind ("we keep ducks").
    const possession =
      /^(I|we) (?:keep|own|foster|look after|have got|got) ((?:a|an|two|three|four|\d+) .+|\p{Ll}+[^s\W]s(?: .+)?)$/iu.exec(
        trimmed,
      );
    if (intents.length === 0 && possession)
      intents = clauseIntents(
        `${possession[1]} have ${possession[2]!.replace(/\s+(?:in|at|on|with) (?:my|our|the|a|home|work)\b.*$/i, '')}`,
        ctx,
      ).filter((i) => i.kind === 'assert');
    // "I have played bass in a punk band since college": the habit at its core, without where, when and how much.
    const core = intents.length === 0 ? coreClause(trimmed, clause, sentence) : null;
    if (core) intents = clauseIntents(core, ctx);
    if (core && intents.length === 0) intents = generalFacts(core, ctx);
    // "As a nurse on the night shift at St Mary's": the role and employer as said, where trimming cut one of them.
    // A student's school is no employer ("a grad student at Stanford").
    const asserted = intents.flatMap((i) => (i.kind === 'assert' ? [i.fact.slot] : []));
    const slots = new Set(asserted.map((slot) => slot.subTopic));
    const studying = asserted.some((slot) => slot.topic === 'education');
    const frame = studying ? [] : jobFrame(canonical.text);
    const jobSlots = ['title', 'company', 'industry'].filter((slot) => slots.has(slot)).length;
    if (jobSlots > 0 && jobSlots < 3)
      intents = [...intents, ...frame.filter((i) => i.kind === 'assert' && !slots.has(i.fact.slot.subTopic))];
    else if (intents.length === 0 && frame.length >= 2) intents = frame;
    // "My wife Priya and I celebrated", "Dan and I have been together": the canonical clause says "we", the names are here.
    if (canonical.text !== clause) {
      // "so my partner Alex and I ...": a filler before the names is no part of them.
      const opened = clause.replace(/^(?:so|and|oh|well|ok|okay|anyway|also|but|plus)\b[\s,]*/i, '');
      const named = [...mentionFacts(opened), ...coupleFacts(opened)];
      const known = new Set(intents.flatMap((i) => (i.kind === 'assert' ? [i.fact.text] : [])));
      intents = [...intents, ...named.filter((i) => i.kind === 'assert' && !known.has(i.fact.text))];
    }
    // "I live with my two younger brothers": the household's family are the user's.
    for (const member of household(canonical.text)) {
      const who = member.replace(/^(?:my|our)\s+/i, '');
      const counted = /^(?:\d|one|two|three|four|five|six|twin)\b/i.test(who) || /s$/i.test(who);
      const had = clauseIntents(`I have ${counted ? who : `a ${who}`}`, ctx);
      intents = [...intents, ...had.filter((i) => i.kind === 'assert' && HOUSEHOLD_SLOTS.has(i.fact.slot.subTopic))];
    }
    // "I switched from Italian to Spanish", "..., switching to German": one thing for another wherever it is remembered.
    const switched = intents.length === 0 ? (switchOf(trimmed) ?? switchOf(canonical.text)) : null;
    const from = switched?.from ?? given;
    // What was given up may be said as an activity ("learning Korean"): the thing is what is replaced.
    const thing = from?.replace(/^\w+ing\s+/i, '');
    if (switched && thing) intents = [{ kind: 'substitute', from: thing, to: switched.to, source: clause }];
    // "I've switched to swimming" with nothing named to leave: the new pastime is taken up all the same.
    else if (switched && (isActivity(switched.to) || isSport(switched.to) || isInstrument(switched.to)))
      intents = [{ kind: 'assert', fact: likeFact(switched.to.toLowerCase(), 'like') }];
    // What the rules read is shown to the hook, which may file a clause they left unread.
    if (hook) intents = hook(canonical.text, intents, { said: clause, sentence });
    const retraction = intents.find((i) => i.kind === 'retract');
    if (retraction?.kind === 'retract') given = retraction.fact.value;
    if (intents.some((i) => i.kind !== 'assert' || findSlot(profile, i.fact.slot.topic, i.fact.slot.subTopic)))
      return intents;
    // Nothing for a slot this project has: maybe one of its own slots is named.
    const custom = customSlotFact(canonical.text, profile);
    return custom ? [{ kind: 'assert' as const, fact: custom }] : intents;
  });
}

/** What a clause says without its qualifiers first ("I am a nurse on the night shift" -> "I am a nurse"), then as said. */
function readBareFirst(whole: string, bare: string, ctx: RuleContext): Intent[] {
  const read = bare !== whole && bare !== '' ? clauseIntents(bare, ctx) : [];
  return read.length > 0 ? read : clauseIntents(whole, ctx);
}

/** A verb of switching (by its forms), what was left and what was taken up: "I switched from Italian to Spanish". */
const SWITCH =
  /^(?:I|we) (?:am |are |have |just |finally )*(?:switch(?:ed|ing)?|chang(?:ed|ing)|mov(?:ed|ing)(?: on| over)?|went(?: over)?|gone(?: over)?|going over|turn(?:ed|ing)) (?:from (?:my |the )?([\p{L}][\p{L}'-]*(?: [\p{L}][\p{L}'-]*)?) )?to (?:my |the )?([\p{L}][\p{L}'-]*(?: [\p{L}][\p{L}'-]*)?)(?: instead| now| for now)?$/iu;

function switchOf(clause: string): { from: string | null; to: string } | null {
  const m = SWITCH.exec(clause);
  if (!m) {
    // "..., and started on Italian instead": taking something up in place of what was given up.
    const instead =
      /^(?:I|we) (?:have |just )?(?:start(?:ed|ing)?|took up|take up|picked up|am doing|began) (?:on |with )?(?:my |the )?([\p{L}][\p{L}'-]*) instead$/iu.exec(
        clause,
      );
    return instead ? { from: null, to: instead[1]! } : null;
  }
  if (/^(?:a|an|the|it|that|this|doing|being|working|using|eating|be|do|get|make)$/i.test(m[2]!)) return null;
  return { from: m[1] ?? null, to: m[2]! };
}

/** A clause worth matching: not a question, a conditional or wish, a guess, or someone else's words. */
function keeps(clause: string): boolean {
  return (
    clause !== '' &&
    !isQuestionClause(clause) &&
    !isTagQuestion(clause) &&
    !isHypothetical(clause) &&
    !isHedged(clause) &&
    !isReported(clause)
  );
}

/** "Please remove Rex from your memory": every pet or family member of that name is taken back. */
function forgetByName(text: string, source: string): Intent[] {
  const name = /\b(?:remove|forget|delete|erase)\s+(\p{Lu}[\p{L}'-]+)(?:\s+from\s+(?:your|the)\s+memory)?\s*$/u.exec(
    text,
  )?.[1];
  if (!name || /^(?:I|It|That|This|Everything|All)$/.test(name)) return [];
  return (['dogs', 'cats', 'otherPets', 'partner', 'children', 'siblings', 'parents'] as const).map((slot) => ({
    kind: 'retract' as const,
    fact: fact(slot, name, name),
    source,
  }));
}

/** "Forget what I told you about chess": every memory, in any slot of this project, that names the thing is taken back. */
function forgetWords(words: readonly string[], profile: ProfileConfig, source: string): Intent[] {
  return profile.topics.flatMap((topic) =>
    topic.subTopics.flatMap((sub) =>
      words.map((word) => ({
        kind: 'retract' as const,
        fact: { slot: { topic: topic.name, subTopic: sub.name }, text: word, value: word, categories: [] },
        source,
      })),
    ),
  );
}

/** "Forget that I'm vegetarian": the statement's facts, taken back. */
function retractionsOf(clause: string, source: string, now: Date): Intent[] {
  const canonical = canonicalClause(clause.replace(/\s+(?:anymore|any more|any longer|please)$/i, ''));
  const matched = matchStatement(canonical.text, { now, recent: canonical.recent, source });
  return (matched?.intents ?? []).flatMap((intent): Intent[] =>
    intent.kind === 'assert' ? [{ kind: 'retract', fact: intent.fact, source }] : [],
  );
}

const THIRD_PERSON_VERBS =
  'is|has|does|was|lives|works|likes|loves|enjoys|hates|dislikes|speaks|wants|plans|prefers|owns|studies|plays|goes|eats|drinks|avoids|runs|follows|grew|moved|comes|recently|just|also|really|currently';

/** Summaries are often written about the user: "The user is vegetarian and has a dog" -> "I am vegetarian and have a dog". */
export function summaryToFirstPerson(text: string): string {
  const startsWithUser = /^(?:the )?user(?:'s)?\b/i.test(text.trim());
  if (!startsWithUser) return text;
  return text
    .trim()
    .replace(/^(?:the )?user's\b/i, 'my')
    .replace(/^(?:the )?user\s+(\w+)/i, (_m, verb: string) => `I ${firstPersonVerb(verb)}`)
    .replace(
      new RegExp(`(\\band|\\bbut|,)\\s+(${THIRD_PERSON_VERBS})\\b`, 'gi'),
      (_m, joiner: string, verb: string) => `${joiner} ${firstPersonVerb(verb)}`,
    )
    .replace(/\b(?:their|his|her)\b/gi, 'my')
    .replace(/\bthemselves\b/gi, 'myself');
}

function firstPersonVerb(verb: string): string {
  const v = verb.toLowerCase();
  const irregular: Record<string, string> = { is: 'am', has: 'have', does: 'do', was: 'was', goes: 'go' };
  if (irregular[v]) return irregular[v];
  if (!new RegExp(`^(?:${THIRD_PERSON_VERBS})$`).test(v)) return verb;
  if (/ies$/.test(v)) return `${v.slice(0, -3)}y`;
  if (/(?:ss|sh|ch|x|z)es$/.test(v)) return v.slice(0, -2);
  if (/[^s]s$/.test(v)) return v.slice(0, -1);
  return v;
}

// ---------------------------------------------------------------- result

/** The added and changed facts joined, plus how many were removed; "No new facts" when nothing changed. */
export function summarise(operations: readonly MemoryOperation[]): string {
  const parts: string[] = [];
  let deleted = 0;
  for (const op of operations) {
    if (op.kind === 'ADD') parts.push(op.text);
    else if (op.kind === 'UPDATE') parts.push(`${op.text} (updated)`);
    else if (op.kind === 'DELETE') deleted++;
  }
  if (deleted > 0) parts.push(`forgot ${deleted} ${deleted === 1 ? 'memory' : 'memories'}`);
  if (parts.length === 0) return 'No new facts';
  const summary = parts.join('; ');
  return summary.length > MAX_SUMMARY ? `${summary.slice(0, MAX_SUMMARY - 3)}...` : summary;
}

/** The topics the batch touched (added, changed, removed or repeated), in order. */
export function tagsOf(operations: readonly MemoryOperation[], existing: readonly ExistingMemory[]): string[] {
  const topicOf = new Map(existing.map((m) => [m.id, m.topic]));
  const tags = operations.map((op) =>
    op.kind === 'ADD' || op.kind === 'UPDATE' ? op.topic : op.memoryId !== null ? topicOf.get(op.memoryId) : undefined,
  );
  return [...new Set(tags.filter((t): t is string => t !== undefined))];
}
