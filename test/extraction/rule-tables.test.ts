// One test per word table and per NLP step of the offline extractor: each
// table entry does what the table says, and the clause layer splits and
// trims as documented.

import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE_CONFIG } from '../../src/domain/profile/default-profile.js';
import type { ProfileConfig } from '../../src/domain/types.js';
import { splitClauses, trimQualifiers } from '../../src/infra/extraction/rules/clauses.js';
import { customSlotFact, thirdPersonStatement } from '../../src/infra/extraction/rules/custom-slots.js';
import { tag } from '../../src/infra/extraction/rules/nlp.js';
import { RuleBasedExtractor } from '../../src/infra/extraction/rules/rule-based.extractor.js';
import {
  BODY_PARTS,
  COMPANIONS,
  CONDITION_HEADS,
  CONDITION_SUFFIX,
  DISCOURSE_TAILS,
  HOBBYISTS,
  PASTIMES,
  TIME_NOUNS,
} from '../../src/infra/extraction/rules/tables.js';
import { expandContractions } from '../../src/infra/extraction/rules/text.js';
import { wordClasses } from '../../src/infra/extraction/rules/word-classes.js';

const extractor = new RuleBasedExtractor();
async function texts(content: string): Promise<string[]> {
  const { operations } = await extractor.extract({
    messages: [{ role: 'user', content }],
    profile: DEFAULT_PROFILE_CONFIG,
    existing: [],
    now: new Date('2026-03-10T09:00:00Z'),
  });
  return operations.flatMap((op) => (op.kind === 'ADD' ? [op.text] : []));
}

describe('the English model (wink-nlp)', () => {
  it('tags parts of speech and gives lemmas', () => {
    const tokens = tag('I was playing the drums');
    expect(tokens.map((t) => t.pos)).toEqual(['PRON', 'AUX', 'VERB', 'DET', 'NOUN']);
    expect(tokens[2]!.lemma).toBe('play');
  });
});

describe('TIME_NOUNS: a trailing phrase ending in one says when, and is cut', () => {
  it.each([...TIME_NOUNS].filter((w) => !/^(?:today|tonight|yesterday|tomorrow|now|bit|chance|while|age)$/.test(w)))(
    '"for a %s"',
    (noun) => {
      expect(trimQualifiers(`I am a nurse for a ${noun}`)).toBe('I am a nurse');
    },
  );
});

describe('COMPANIONS: "with my <companion>" is company, not part of the value', () => {
  it.each([...COMPANIONS].filter((w) => !/^(?:people|others|everyone|team)$/.test(w)))('with my %s', (who) => {
    expect(trimQualifiers(`I live with my ${who} in Porto`)).toBe('I live in Porto');
  });
  it('"with two kids" says having, not company', () => {
    expect(trimQualifiers('I am married with two kids')).toBe('I am married with two kids');
  });
});

describe('DISCOURSE_TAILS: a clause ending in one keeps only what comes before', () => {
  it.each([...DISCOURSE_TAILS])('"..., %s"', (tail) => {
    expect(trimQualifiers(expandContractions(`I am a welder ${tail}`))).toBe('I am a welder');
  });
});

describe('PASTIMES: "I <verb> ..." as a routine', () => {
  const objects: Record<string, string> = {
    thing: 'podcasts',
    activity: 'yoga',
    none: '',
  };
  const seen = new Set<string>();
  const entries = [...PASTIMES.values()].filter((p) => !seen.has(p.verb) && seen.add(p.verb));
  it.each(entries.map((p) => [p.verb, p] as const))('%s', async (_verb, pastime) => {
    let object = objects[pastime.object] ?? '';
    if (pastime.verb === 'listen') object = 'to podcasts';
    if (pastime.slot === 'foodLikes') object = 'green tea';
    if (pastime.verb === 'ride') object = 'horses';
    if (pastime.verb === 'coach') object = 'basketball';
    const memories = await texts(`I ${pastime.verb}${object ? ` ${object}` : ''} every week.`);
    expect(memories).toHaveLength(1);
    expect(memories[0]!.toLowerCase()).toMatch(new RegExp(`${pastime.verb.slice(0, 3)}|${pastime.gerund}`));
  });
  it('needs an object where the table says so', async () => {
    expect(await texts('I watch every week.')).toEqual([]);
    expect(await texts('I do every week.')).toEqual([]);
  });
});

describe('HOBBYISTS: "I am an avid <noun>" is a pastime', () => {
  it.each([...HOBBYISTS])('an avid %s -> %s', async (noun, activity) => {
    expect(await texts(`I'm an avid ${noun}.`)).toEqual([`Likes ${activity}`]);
  });
  it('a job noun alone stays a job', async () => {
    expect(await texts("I'm a photographer.")).toEqual(['Works as a photographer']);
  });
});

describe('CONDITION_HEADS, CONDITION_SUFFIX, BODY_PARTS: health conditions by their head word', () => {
  it.each([...CONDITION_HEADS].filter((h) => h.split(' ').length === 1))('I have chronic %s', async (head) => {
    expect((await texts(`I have chronic ${head}.`)).join()).toMatch(/^Has /);
  });
  it.each(['tendinitis', 'osteoporosis', 'neuralgia', 'neuropathy', 'hypothyroidism'])('I have %s', async (word) => {
    expect(CONDITION_SUFFIX.test(word) || /ism$/.test(word)).toBe(true);
    expect(await texts(`I have ${word}.`)).toEqual([`Has ${word}`]);
  });
  it.each([...BODY_PARTS].filter((p) => !/s$/.test(p)))('I have a bad %s', async (part) => {
    expect(await texts(`I have a bad ${part}.`)).toEqual([`Has a bad ${part}`]);
  });
  it('is not fooled by a thing that is no condition', async () => {
    expect(await texts('I have a big garden.')).toEqual([]);
  });
});

describe('word classes from WordNet (word-classes.data.ts)', () => {
  it.each([
    ['migraines', 'condition'],
    ['old-school hip hop', 'music'],
    ['cello', 'instrument'],
    ['board games', 'game'],
    ['pharmacist', 'job'],
    ['shift supervisor', 'job'],
    ['greyhound', 'dog'],
    ['marine biology', 'subject'],
    ['dyslexic', 'condition'],
  ])('files "%s" under %s, by its longest known tail', (phrase, wordClass) => {
    expect(wordClasses(phrase)).toContain(wordClass);
  });
  it('stops at a compound WordNet knows: a night owl is no bird', () => {
    expect(wordClasses('night owl')).toEqual([]);
  });
  it('fills the slot a rule chose by its lists', async () => {
    expect(await texts('I mostly listen to old-school hip hop')).toEqual(['Listens to old-school hip hop']);
    expect(await texts('I have fibromyalgia')).toEqual(['Has fibromyalgia']);
    expect(await texts('I have a cold')).toEqual([]);
  });
});

describe('splitClauses', () => {
  it.each<[string, string[]]>([
    ["I'm a nurse and on weekends I play football", ['I am a nurse', 'on weekends I play football']],
    ["I'm 47, divorced, one kid", ['I am 47', 'I am divorced', 'I have one kid']],
    ['I quit Nokia and now work as a tester', ['I quit Nokia', 'I now work as a tester']],
    ['I speak German, French and a little Italian', ['I speak German, French and a little Italian']],
    ['I love hiking, swimming and reading', ['I love hiking, swimming and reading']],
    ['I dislike crowds, honestly', ['I dislike crowds']],
    ['Grew up in Perth, living in Sydney now', ['I grew up in Perth', 'I am living in Sydney now']],
    ['I will go hiking and swim in the lake', ['I will go hiking', 'I will swim in the lake']],
    ['I am a retired teacher living in Ghent', ['I am a retired teacher', 'I am living in Ghent']],
    ['I am self-employed', ['I am self-employed']],
    ['I code in TypeScript and Go', ['I code in TypeScript and Go']],
  ])('%s', (sentence, clauses) => {
    expect(splitClauses(expandContractions(sentence))).toEqual(clauses);
  });
});

describe('custom slots', () => {
  const profile: ProfileConfig = {
    strict: false,
    blobTokenCap: 3_000_000,
    topics: [
      {
        name: 'travel',
        description: '',
        subTopics: [{ name: 'trips', description: 'Places the user visited', singleValued: false }],
      },
    ],
  };
  it.each([
    ['I am planning a trip to Chile', 'Is planning a trip to Chile'],
    ['I have two trips booked this year', 'Has two trips booked this year'],
    ['We travel to Crete every summer', 'Travels to Crete every summer'],
    ['My next trip is to Oman now', 'Next trip is to Oman'],
  ])('%s -> %s', (clause, text) => {
    expect(customSlotFact(clause, profile)).toMatchObject({ slot: { topic: 'travel', subTopic: 'trips' }, text });
  });
  it.each(['I like pizza', 'My sister went on a trip', 'It was a long trip'])('no slot for: %s', (clause) => {
    expect(customSlotFact(clause, profile)).toBeNull();
  });
  it('turns first person into third', () => {
    expect(thirdPersonStatement('I do not fly on weekends')).toBe('Does not fly on weekends');
    expect(thirdPersonStatement('He flies a lot')).toBeNull();
  });
});
