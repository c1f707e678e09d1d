// Endings of what is on record: a clause that names something the user's
// memories already hold and says it ended ("piano's on the back burner",
// "packed in the Lloyds job", "Sam and I finalised our divorce") takes that
// memory back, however the ending is worded. The statement rules read
// endings they know the shape of; this reader is anchored on the memories
// instead of on a sentence pattern, so it needs only two things: a word of
// the memory's value in the clause, and a word of ending (the table below,
// one kind a line). Without a memory to name it says nothing, which keeps a
// new user's "I quit" from deleting anything.

import type { ExistingMemory } from '../../../domain/types.js';
import type { Intent } from './intents.js';
import { tag } from './nlp.js';
import { stem } from 'porter2';
import { escapeRegExp } from './values.js';

interface EndingWord {
  pattern: RegExp;
  /** Only memories of these topics end this way ("I left X": an employer, a school, a place, a partner). */
  topics?: readonly string[];
  /** Also ends the user's job title: leaving an employer ends the role held there. */
  endsTitle?: boolean;
  /** What was under way is done: the fact the clause says in its place ("Has a PhD") does not keep it. */
  completes?: boolean;
}

/** Words of ending, by kind. */
const ENDING_WORDS: readonly EndingWord[] = [
  { pattern: /\b(?:quit|quitting|packed in|jacked in|handed in my notice)\b/, endsTitle: true },
  {
    pattern: /\b(?:let (?:me|us) go|laid off|got fired|was fired|made redundant|got sacked|was sacked)\b/,
    endsTitle: true,
  },
  { pattern: /\b(?:left|leaving)\b/, topics: ['work', 'education', 'basic_info', 'family'] },
  { pattern: /\b(?:retired|retiring) from\b/, endsTitle: true },
  { pattern: /\b(?:gave|give|giving|given) up\b/ },
  { pattern: /\b(?:stopped|stopping)\b/ },
  { pattern: /\b(?:dropped|dropping) (?:out|it|the|my)\b|\bdrop (?:the|my)\b/ },
  { pattern: /\b(?:cancelled|canceled)\b/ },
  { pattern: /\bon (?:the )?back ?burner\b|\bon (?:hold|pause|ice)\b|\bshelved\b/ },
  { pattern: /\b(?:done|finished|through) with\b/ },
  { pattern: /\bno longer\b|\bnot\b.*\bany ?more\b|\bused to\b/ },
  { pattern: /\b(?:is|are|was|were|it is) (?:all )?over\b|\bbehind (?:me|us)\b|\b(?:ended|ending)\b/ },
  { pattern: /\b(?:broke|broken|breaking|split) up\b|\bdivorced?\b|\bseparated\b/, topics: ['family'] },
  { pattern: /\b(?:sold|rehomed|gave away|given away)\b/ },
  // "we lost Pickle", not "I lost touch with Tom".
  {
    pattern: /\b(?:passed away|passed on|died|put down|put to sleep|lost(?! touch| track| contact))\b/,
    topics: ['family', 'pets'],
  },
  { pattern: /\bmoved (?:out of|away from|from)\b/, topics: ['basic_info'] },
  { pattern: /\b(?:have|has) not\b.*\b(?:in|for) (?:years|ages|months|a long time|a while)\b/ },
  // Done with what was under way: "I finished my PhD", "I graduated from my nursing degree".
  // ("passed" only an exam, a test or a course: "I passed the Spanish restaurant" ends nothing.)
  {
    pattern:
      /\b(?:finished|completed|graduated|qualified|passed (?:my|the|all my|both) (?:\w+ )?(?:exams?|tests?|course|degree|finals|boards))\b/,
    topics: ['education'],
    completes: true,
  },
];

/** The ending word is itself denied, doubted or still ahead: "I have not quit", "thinking of quitting". */
const NOT_DONE = [
  /\b(?:not|never)\s+(?:\w+\s+)?(?:quit|stopped|given up|gave up|left|cancelled|sold|ended|dropped)\b/,
  /\b(?:thinking (?:of|about)|considering|tempted to|wants? to|going to|plan(?:ning)? to|about to|hope to|if)\b/,
  // A modal before the verb of ending ("I might quit"), not the month ("in May").
  /\b(?:might|may|could|should|would)\s+(?:have to\s+|need to\s+)?(?:quit|stop|give|leave|drop|cancel|sell|end|split|break|move|retire|pack|jack)\b/,
];

/** Words too general to say which memory a clause names. */
const GENERAL = new Set(
  `job work thing things stuff time lot lots people year years month months day days week weeks kind way life
  home house place bit one ones class classes lesson lessons course hobby`.split(/\s+/),
);

/** Words of a memory's text that say which value it holds: its nouns, names, adjectives and numbers. */
export function valueWords(memoryText: string): string[] {
  return tag(memoryText)
    .slice(1)
    .filter((t) => /^(?:NOUN|PROPN|ADJ|NUM)$/.test(t.pos) && !t.stop && t.lower.length > 2 && !GENERAL.has(t.lower))
    .map((t) => t.lower);
}

/** The stems of a text's words, so a memory is named by any form of its word: "driving" names "drive". */
const stemsOf = (text: string): Set<string> => new Set((text.toLowerCase().match(/[\p{L}'-]+/gu) ?? []).map(stem));

/** The sentence says the thing goes on: "..., but I still do pottery at home", "I'm back on the piano". */
const GOES_ON = /\b(?:still|again|back (?:to|on|into|at))\b/i;

const count = (text: string, word: string): number =>
  text.match(new RegExp(`\\b${escapeRegExp(word)}(?:s|es)?\\b`, 'gi'))?.length ?? 0;

/**
 * Retractions of the memories a clause names as ended. `clause` is the
 * canonical clause, `said` the clause as written ("Mia and I split up" names
 * Mia, its canonical "we split up" does not), `sentence` the whole sentence.
 * `read` is what the rules read from the clause: a memory the clause says
 * again, or that the sentence says goes on ("I quit the pottery class, but I
 * still do pottery at home"), is left alone.
 */
export function endingsOnRecord(
  { clause, said, sentence }: { clause: string; said: string; sentence: string },
  read: readonly Intent[],
  existing: readonly ExistingMemory[],
): Intent[] {
  if (existing.length === 0) return [];
  const lower = clause.toLowerCase();
  const endings = ENDING_WORDS.filter((e) => e.pattern.test(lower));
  if (endings.length === 0 || NOT_DONE.some((p) => p.test(lower))) return [];
  const reasserted = read.flatMap((i) => (i.kind === 'assert' ? [i.fact.text.toLowerCase()] : []));
  const goesOn = GOES_ON.test(sentence);
  const completed = endings.every((e) => e.completes);
  // Both the canonical clause and the clause as said, tokenised once for every memory.
  const named = new Set([...stemsOf(lower), ...stemsOf(said)]);
  const ended = existing.filter((m) => {
    const words = valueWords(m.text).filter((w) => named.has(stem(w)));
    if (words.length === 0) return false;
    if (!completed && words.some((w) => reasserted.some((r) => r.includes(w)))) return false;
    if (goesOn && words.some((w) => count(sentence, w) > 1)) return false;
    return endings.some((e) => !e.topics || e.topics.includes(m.topic));
  });
  const titles = ended.some(
    (m) => m.topic === 'work' && endings.some((e) => e.endsTitle && (!e.topics || e.topics.includes('work'))),
  )
    ? existing.filter((m) => m.topic === 'work' && m.subTopic === 'title' && !ended.includes(m))
    : [];
  return [...ended, ...titles].map((m) => ({
    kind: 'retract' as const,
    fact: { slot: { topic: m.topic, subTopic: m.subTopic }, text: m.text, value: m.text, categories: [] },
    source: clause,
  }));
}
