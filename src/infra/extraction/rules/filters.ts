// Cheap tests for text that must not become a memory: role-play, jokes and
// sarcasm, conditionals and wishes, hedges, reported speech. They err on the
// side of dropping: a missed fact costs less than a false memory.

import { QUOTE_MARK } from './text.js';

const ROLEPLAY =
  /\b(?:let us pretend|let'?s pretend|let'?s say|let us say|pretend (?:that|to be|you are|I am|we are)|role-?play(?:ing)?|in (?:the|this|my|our|that|a|your) (?:story|novel|book|dream|scenario|movie|film|play|script|role-?play|simulation|campaign|fiction|fantasy|fanfic|universe)|my character|as a character|act as|you are playing|play the role|hypothetically|imagine (?:that|you|I|if|we)|for a (?:story|novel|game|book|script)|writing a (?:story|novel|script)|in the game|fictional)\b/i;

/** The whole message is role-play or fiction: nothing in it is about the user. */
export function isRoleplay(message: string): boolean {
  return ROLEPLAY.test(message);
}

const JOKE =
  /(?:\b(?:lol|lmao|lmfao|rofl|roflmao|haha\w*|hehe\w*|jk|j\/k|just kidding|just joking|kidding|joking|not really(?!\s+\p{L})|yeah,? right|as if|sike|psych)\b|(?:^|\s)\/s\b|[\u{1F602}\u{1F923}\u{1F61C}\u{1F61D}\u{1F609}\u{1F643}\u{1F60F}\u{1F606}\u{1F639}\u{1F92A}\u{1F644}])/iu;
const SERIOUS = /\b(?:not (?:kidding|joking)|no joke|no kidding|seriously|for real)\b/i;
const SARCASM_OPENER = /^(?:oh\s+)?(?:sure|yeah sure|oh great|oh joy|wow,? great|totally)\s*[,!]/i;

/** The sentence carries a joke or sarcasm marker ("lol", "jk", "/s", 😂, "oh sure, ..."). */
export function hasJokeMarker(sentence: string): boolean {
  if (SERIOUS.test(sentence)) return false;
  // "haha yeah, I'm a huge nerd for board games": laughing along with the assistant before agreeing marks no joke.
  const said = sentence.replace(REACTION, '');
  return JOKE.test(said) || SARCASM_OPENER.test(said);
}

/** A laugh that closes a consequence or an aside joined with "so" or "and": "I'm 24 weeks pregnant so everything aches lol". */
const LAUGH_AT_THE_END = /^(.+?)(?:,\s*|\s+)(?:so|and)\s+[^,]+?[\s,]*(?:lol|lmao|haha\w*|hehe\w*)[\s.!]*$/iu;

/**
 * What a sentence says before the part a closing laugh is about: the laugh
 * goes with the consequence or aside it ends ("..., so everything aches
 * lol", "..., and my back is killing me lol"), not with the fact before it.
 * Null when the laugh may be about the whole sentence (no such join, or any
 * other marker of a joke: "just kidding", "sure", an emoji).
 */
export function beforeClosingLaugh(sentence: string): string | null {
  const m = LAUGH_AT_THE_END.exec(sentence.trim());
  if (!m) return null;
  const head = m[1]!;
  return hasJokeMarker(head) ||
    SARCASM_OPENER.test(head) ||
    /\b(?:sure|right|totally|secretly|basically|literally)\b/i.test(head)
    ? null
    : head;
}

/** A laugh followed by agreement, opening a reply: a reaction to what the assistant said. */
const REACTION =
  /^(?:haha\w*|hehe\w*|lol|lmao)[\s,!.]+(?:yeah|yes|yep|yup|true|exactly|right|same|totally|fair|agreed)\b[\s,!.]+(?=\S)/i;

/** A marker on its own ("Just kidding!", "lol", "Not really."): it takes back the sentence before it too. */
export function isBareJoke(sentence: string): boolean {
  if (!hasJokeMarker(sentence)) return false;
  const rest = sentence
    .replace(new RegExp(JOKE.source, 'giu'), ' ')
    .replace(/\b(?:I am|I was|I|am|was|ok|okay|just|haha|oh|well|of course|obviously)\b/gi, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return rest.split(' ').filter(Boolean).length <= 1;
}

const CONDITIONAL_OPENER =
  /^(?:if|unless|suppose|supposing|imagine|imagining|assuming|assume|what if|in case|hypothetically|let us say|say that|pretend|in theory|in another life|in a perfect world|in an ideal world|even if|when I retire|once I|as soon as)\b/i;

/** The sentence opens with a condition: "If I lived in Paris, I would ..." (all of it is hypothetical). */
export function opensConditional(sentence: string): boolean {
  return CONDITIONAL_OPENER.test(sentence.replace(/^(?:and|but|so|well|oh|ok|okay|also|actually)\b[\s,]*/i, '').trim());
}

// "would like to" is rewritten to "want to" before this test: it is the polite
// form of "want", a present wish (see docs/offline-extractor.md). Every other
// "would", and could/might/should/maybe, is a conditional or a guess.
const HYPOTHETICAL =
  /\b(?:if|unless|whether|would|could|might|maybe|perhaps|possibly|probably|hypothetically|wish|wished|wishing|suppose|imagine|pretend|should|ought to|in theory|as if|someday maybe|one day maybe|what if|kind of want|sort of want|thinking about|thinking of|considering|wondering|not sure|unsure)\b/i;
const MAY_MODAL = /\bmay\b/; // lower case only: "in May" is a month.

/** The clause is a conditional, a wish or a guess: "I would love to ...", "maybe I'll ...". */
export function isHypothetical(clause: string): boolean {
  return HYPOTHETICAL.test(clause) || MAY_MODAL.test(clause);
}

const HEDGE =
  /\b(?:I (?:think|guess|suppose|assume|reckon|doubt|believe that|believe I|feel like|heard|hear|was told|am told)|apparently|supposedly|allegedly|reportedly|they say|people say|someone said|rumou?r)\b/i;

/** The user is unsure or passing on what others say: "I think I'm allergic to nuts". */
export function isHedged(clause: string): boolean {
  return HEDGE.test(clause);
}

const REPORTED =
  /\b(?:says?|said|tells?|told|thinks?|thought|claims?|claimed|believes?|insists?|insisted|swears?|swore|reckons?)\s+(?:me\s+|us\s+)?(?:that\s+)?(?:I|we)\b/i;

/** Someone else's words: quoted speech, or "my mom says I'm ..." / "he told me I ...". */
export function isReported(clause: string): boolean {
  return clause.includes(QUOTE_MARK) || REPORTED.test(clause);
}

/** A tag question turns the whole sentence into one: "I live in Berlin, right?". */
export function isTagQuestion(clause: string): boolean {
  return /^(?:right|correct|no|yes|yeah|ok|okay|true|is it not|is that right|am I right|am I not|are I not|do I not|did I not|have I not|was I not|is that correct|remember|you know|huh|eh)$/i.test(
    clause.trim(),
  );
}

const ASIDE =
  /(?:^|,?\s+)(?:if (?:that|this|it) (?:helps|matters|is relevant|is useful|makes a difference)|if you (?:need|want|must|care|are wondering|were wondering)(?: to know)?|if relevant|if needed|if it matters|in case you (?:need|want|were wondering|are wondering)(?: to know)?|in case (?:that|it) (?:helps|matters))\b[\s,]*/gi;

/** Removes asides that look conditional but are not: "If it helps, I'm vegetarian" -> "I'm vegetarian". */
export function removeAsides(sentence: string): string {
  return sentence.replace(ASIDE, ' ').replace(/\s+/g, ' ').trim();
}
