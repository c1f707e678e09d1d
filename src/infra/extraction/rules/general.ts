// The general reader: what a first-person clause says when no statement
// rule claimed it. It reads the clause with part-of-speech tags (nlp.ts)
// rather than a sentence pattern: subject "I", a verb in the simple present
// (a habit or a state, not a one-off), and an object whose word class
// (word-classes.ts, from WordNet) decides the topic: "I referee rugby" is
// sports, "I collect vinyl records" a hobby, "I brew kombucha" a hobby,
// "I eat a lot of lentils" a food. A verb of thinking, saying, wanting or
// getting, a modal, or an object of no known class gives nothing: the
// reader misses rather than invents.

import type { DefaultSlotName } from '../../../domain/profile/default-profile.js';
import { thirdPersonVerb } from './everyday.js';
import { assert, FUTURE_TIME_TAIL, fact, futureWhen, likeFact, timeAhead } from './facts.js';
import { isGoalPhrase } from './goals.js';
import type { Intent } from './intents.js';
import { baseForm, join, type Token, tag } from './nlp.js';
import type { RuleContext } from './rule.js';
import { capitalise, cutTail, inClass, isActivity, thirdPerson, wordCount } from './values.js';
import { type WordClass, wordClasses } from './word-classes.js';
import { titleFact } from './work.js';

/** Verbs that say what the user thinks, says, wants or is about to do, or that other rules read: never a habit of their own. */
const NOT_HABITS = new Set(
  `think know guess mean feel hope wish want need see hear say tell ask wonder believe suppose bet doubt agree
  understand remember forget like love hate enjoy prefer dislike adore mind miss get have be do go try let make
  take give put keep find call come leave start stop quit begin plan intend expect look seem sound appear use
  work live study learn speak own buy sell pay spend owe lose win send show bring read write watch listen play
  run help thank apologise apologize promise swear reckon imagine assume worry care`.split(/\s+/),
);

/** Verbs of eating and drinking: their food object is a taste. */
const CONSUMING = new Set(['eat', 'drink', 'snack', 'munch', 'devour', 'crave', 'sip', 'chug']);
/** Verbs of making or growing: their food object is a hobby ("I brew kombucha", "I grow tomatoes"). */
const MAKING = new Set(['brew', 'bake', 'cook', 'grow', 'ferment', 'pickle', 'roast', 'forage', 'make', 'distill']);
/** Verbs of taking part without a thing: "I volunteer at the food bank", "I coach under-9s". */
const SERVING = new Set(['volunteer', 'coach', 'referee', 'umpire', 'mentor', 'tutor', 'officiate', 'marshal']);

/** Said of one occasion: "I eat pizza tonight", "I brew coffee right now". */
const ONE_OFF =
  /\b(?:today|tonight|tomorrow|yesterday|this (?:morning|afternoon|evening|weekend|week)|right now|at the moment|later|next (?:week|weekend|month|year)|soon|once)\b/i;
const QUANTIFIER =
  /^(?:a lot of|lots of|plenty of|loads of|tons of|some|much|many|all kinds of|all sorts of|a bit of|my own|our own)\s+/i;

function slotFor(classes: readonly WordClass[], verb: string): DefaultSlotName | null {
  if (classes.includes('sport')) return 'sports';
  if (classes.includes('instrument') || classes.includes('music')) return 'music';
  if (classes.includes('game') || classes.includes('craft')) return 'hobbies';
  if (classes.includes('food') || classes.includes('drink')) {
    if (CONSUMING.has(verb)) return 'foodLikes';
    if (MAKING.has(verb)) return 'hobbies';
  }
  return null;
}

/**
 * Facts of a first-person clause in the simple present that no rule
 * claimed: "I referee rugby" -> sports "Referees rugby"; "I volunteer as a
 * Scout leader" -> hobbies "Volunteers as a Scout leader". Empty when the
 * clause is not of that form or its object names nothing of a known class.
 */
export function generalFacts(clause: string, ctx: RuleContext): Intent[] {
  if (ONE_OFF.test(ctx.source)) return [];
  const tokens = tag(clause);
  if (tokens[0]?.lower !== 'i') return [];
  let v = 1;
  // "I also brew", "I regularly referee": adverbs between the subject and the verb.
  while (tokens[v]?.pos === 'ADV' && !/^(?:not|never|no)$/.test(tokens[v]!.lower)) v++;
  const verbToken = tokens[v];
  if (verbToken?.pos !== 'VERB' || verbToken.text !== verbToken.lower) return [];
  const verb = verbToken.lower;
  // The simple present only: "I brewed", "I am brewing", "I brews" are not a habit said by the user.
  if (verbToken.lemma !== verb || /(?:ed|ing)$/.test(verb) || NOT_HABITS.has(verb)) return [];
  const rest = tokens.slice(v + 1);
  if (rest.some((t) => t.pos === 'AUX' || (t.pos === 'PRON' && !/^(?:my|our)$/.test(t.lower)))) return [];
  const objectText = join(rest);
  if (SERVING.has(verb)) return serving(verb, objectText);
  if (rest.length === 0 || rest[0]!.pos === 'ADP') return [];
  const object = cutTail(objectText.replace(QUANTIFIER, '')).replace(/^(?:my|our)\s+/i, '');
  if (object === '' || wordCount(object) > 4 || /\d/.test(object)) return [];
  // A name ("I follow Arsenal") is of no class WordNet can tell; an activity noun is read by the pastime rules.
  if (!inClass(object, 'sport', 'instrument', 'music', 'game', 'craft', 'food', 'drink') || isActivity(object))
    return [];
  const slot = slotFor(wordClasses(object), verb);
  if (!slot) return [];
  const shown = object.toLowerCase();
  return [assert(fact(slot, capitalise(`${thirdPersonVerb(verb)} ${thirdPerson(shown)}`), shown))];
}

/** "I volunteer at the food bank", "I coach under-9s football", "I volunteer as a Scout leader": a hobby. */
function serving(verb: string, objectText: string): Intent[] {
  const object = cutTail(objectText);
  if (wordCount(object) > 7 || /\b(?:you|your|him|her|them|it)\b/i.test(object)) return [];
  // "I referee rugby", "I coach junior hockey": the sport says the slot.
  if (inClass(object, 'sport') && wordCount(object) <= 3)
    return [
      assert(fact('sports', capitalise(`${thirdPersonVerb(verb)} ${object.toLowerCase()}`), object.toLowerCase())),
    ];
  if (object !== '' && !/^(?:as|at|for|with|in|on)\b|^(?:a|an|the|my|our|local|youth|kids|junior)\b/i.test(object))
    return [];
  const text = capitalise(`${thirdPersonVerb(verb)}${object ? ` ${thirdPerson(object)}` : ''}`);
  return [assert(fact('hobbies', text, object === '' ? verb : object.toLowerCase()))];
}

/**
 * A health condition named as the user's own, in subject position: "my
 * asthma has been flaring up", "my migraines are getting worse", "my
 * arthritis acts up in the cold" -> conditions "Has asthma". The noun
 * phrase after "my" must name a condition (WordNet's class, word-classes.ts)
 * and a verb must follow it; someone else's ("my dad's diabetes") is not
 * the user's.
 */
export function possessedCondition(clause: string): Intent[] {
  const tokens = tag(clause);
  if (tokens[0]?.lower !== 'my') return [];
  const end = tokens.findIndex((t, k) => k > 0 && !/^(?:NOUN|ADJ|PROPN)$/.test(t.pos));
  if (end < 2 || end > 4) return [];
  if (tokens[end]!.pos !== 'VERB' && tokens[end]!.pos !== 'AUX') return [];
  if (!ongoing(tokens.slice(end))) return [];
  const phrase = join(tokens.slice(1, end)).toLowerCase();
  if (!inClass(phrase, 'condition')) return [];
  return [assert(fact('conditions', `Has ${phrase}`, phrase, { categories: ['health'] }))];
}

/** Verbs that say a condition ended or eased: "my migraines have stopped", "my eczema cleared up". */
const ENDING = new Set(
  'stop clear go disappear improve heal ease subside settle vanish fade end cure resolve pass leave calm'.split(' '),
);
/** How bad a condition is, said with "is": "my asthma is really bad at the moment". */
const SEVERE = /^(?:bad|worse|awful|terrible|severe|horrendous|horrible|chronic|unbearable|flaring|playing)$/;

/** The verb group says the condition goes on: a present or progressive verb not of ending, or "is bad". */
function ongoing(group: readonly Token[]): boolean {
  const verb = group.find((t) => t.pos === 'VERB');
  if (verb) {
    const past = verb.lemma !== verb.lower && !/(?:ing|s)$/.test(verb.lower);
    return !past && !ENDING.has(verb.lemma);
  }
  const complement = group.find((t) => t.pos !== 'AUX' && t.pos !== 'ADV');
  return complement !== undefined && SEVERE.test(complement.lower);
}

/** Said as leisure: what the user does "in my spare time", "for fun", "as a hobby", "to unwind". */
const LEISURE =
  /\b(?:in (?:my|our) (?:free|spare|leisure|own|down) time|for fun|as a hobby|as a side hobby|to (?:unwind|relax|de-?stress|switch off|chill)|on (?:my|our) days? off)\b/i;
/** Verbs too general to name a pastime by themselves ("I do it for fun", "I go there to unwind"). */
const TOO_GENERAL = new Set(['be', 'have', 'do', 'go', 'get', 'make', 'take', 'use', 'try', 'want', 'need', 'like']);

/**
 * Whatever the user does as leisure is a hobby, whatever the verb: "I
 * mostly watch anime in my free time" -> "Watches anime"; "I'm working on a
 * fantasy novel in my spare time" -> "Works on a fantasy novel". The marker
 * is read on the clause as said (`ctx.source`); `clause` is its core,
 * without the marker. A one-off ("tonight", "today") gives nothing.
 */
export function leisureFacts(clause: string, ctx: RuleContext): Intent[] {
  if (!LEISURE.test(ctx.source) || ONE_OFF.test(ctx.source)) return [];
  const tokens = tag(clause.replace(LEISURE, '').trim());
  if (tokens[0]?.lower !== 'i' && tokens[0]?.lower !== 'we') return [];
  let v = 1;
  if (/^(?:am|are)$/.test(tokens[v]?.lower ?? '')) v++;
  while (tokens[v]?.pos === 'ADV' && !/^(?:not|never|no)$/.test(tokens[v]!.lower)) v++;
  const verb = tokens[v];
  if (verb?.pos !== 'VERB' || verb.text !== verb.lower) return [];
  const progressive = v >= 2 && /^(?:am|are)$/.test(tokens[1]!.lower);
  if (progressive !== /ing$/.test(verb.lower) || (!progressive && verb.lemma !== verb.lower)) return [];
  if (TOO_GENERAL.has(verb.lemma)) return [];
  const rest = tokens.slice(v + 1);
  if (rest.some((t) => t.pos === 'AUX' || (t.pos === 'PRON' && !/^(?:my|our)$/.test(t.lower)))) return [];
  // "anime, One Piece right now": an example after a comma is no part of the pastime.
  const object = cutTail(join(rest).split(',')[0]!.trim());
  if (object === '' || wordCount(object) > 5 || /\d/.test(object)) return [];
  const shown = thirdPerson(object.toLowerCase());
  const slot = slotFor(wordClasses(object), verb.lemma) ?? 'hobbies';
  return [assert(fact(slot, capitalise(`${thirdPersonVerb(verb.lemma)} ${shown}`), object.toLowerCase()))];
}

/**
 * A lasting condition said with an adjective WordNet derives from it, in
 * "-ic": "I'm paraplegic after a bike crash", "I'm arthritic" -> "Is
 * paraplegic". Passing states of the same class ("I'm cold", "I'm sick",
 * "I'm dizzy") do not end so and give nothing.
 */
export function conditionAdjective(clause: string): Intent[] {
  const m = /^I am (?:\p{Ll}+ly )?(\p{Ll}[\p{Ll}-]*ic)(?: (?:after|since|from|because of|due to) .+)?$/u.exec(clause);
  const word = m?.[1];
  if (!word || word === 'allergic' || !wordClasses(word).includes('condition')) return [];
  return [assert(fact('conditions', `Is ${word}`, word, { categories: ['health'] }))];
}

/** A course, class or lessons the user takes in a subject: "an evening course in Python", "night classes in Spanish". */
const COURSE =
  /^I (?:am )?(?:taking|doing|attending|enrolled in|signed up for|take|do|attend|started|have started) (?:an? |some |my |the )?(?:[\p{L}'-]+ ){0,3}?(?:course|courses|class|classes|lessons|module|workshop|bootcamp|diploma|certificate)s? (?:in|on) (.+)$/iu;

/** "I'm taking an evening course in Python" -> learning "Is learning Python". */
export function courseFacts(clause: string): Intent[] {
  const subject = COURSE.exec(clause)?.[1];
  if (!subject) return [];
  const topic = cutTail(subject).replace(/^(?:the|a|an)\s+/i, '');
  if (topic === '' || wordCount(topic) > 4 || /\b(?:you|your|it|this|that)\b/i.test(topic)) return [];
  return [assert(fact('learning', `Is learning ${topic}`, topic))];
}

/** Verbs of a trip, a plan when they name a place: "flying to Tokyo", "visiting Peru". */
const TRAVELLING = new Set(['go', 'fly', 'travel', 'visit', 'head', 'drive', 'backpack', 'tour', 'sail', 'cycle']);
/** Verbs of changes in a life: "getting married", "moving to Leeds", "having a baby", "starting uni". */
const LIFE_CHANGING = new Set([
  'get',
  'move',
  'relocate',
  'emigrate',
  'have',
  'start',
  'retire',
  'graduate',
  'adopt',
  'open',
  'launch',
  'run',
  'marry',
  'begin',
  'join',
  'leave',
]);
const HAVE_OR_GET =
  /^(?:married|engaged|divorced|hitched|(?:a|our|my|another|the) (?:first |second |third |new )?(?:baby|child|puppy|dog|kitten|cat|wedding|operation|surgery|transplant|house|place|flat|degree)|twins|surgery)\b/i;
/** Verbs of arranging an event ahead, whose object is the plan itself: "planning a trip to Vietnam". */
const ARRANGING = new Set(['plan', 'organise', 'organize', 'book', 'arrange', 'prepare']);

/**
 * A present progressive with a future time is an arrangement: "We're getting
 * married in June" -> plans "Plans to get married in June 2027"; "We're
 * planning a trip to Vietnam in April" -> "Plans a trip to Vietnam in April
 * 2027". Only a named time ahead (futureWhen) counts; "tonight" and "now"
 * do not.
 */
export function arrangedPlan(clause: string, ctx: RuleContext): Intent[] {
  const when = futureWhen(ctx.source, ctx.now);
  if (when === '' || /\b(?:today|tonight|tomorrow|right now|at the moment)\b/i.test(ctx.source)) return [];
  const said = timeAhead(clause, ctx.now)?.said;
  const untimed = (said && clause.endsWith(said) ? clause.slice(0, -said.length) : clause).replace(
    FUTURE_TIME_TAIL,
    '',
  );
  const m = /^(?:I am|we are) (?:\p{Ll}+ly )?(\p{Ll}+ing)\b ?(.*)$/u.exec(untimed.trim());
  if (!m) return [];
  const rest = cutTail(m[2]!);
  if (wordCount(rest) > 8 || /\b(?:you|your|it|this|that|them)\b/i.test(rest)) return [];
  const verb = baseForm(m[1]!);
  // Only what changes a life or takes the user somewhere named: "going to the dentist in March" or "meeting friends
  // in June" is an appointment, not a plan. A life goal with a date ("running a marathon in April") is one.
  const journey = TRAVELLING.has(verb) && /\b(?:to|in|around|across|through)?\s*\p{Lu}/u.test(rest);
  const goal = isGoalPhrase(`${verb} ${rest}`);
  if (!journey && !goal && !ARRANGING.has(verb) && !LIFE_CHANGING.has(verb)) return [];
  // "have" and "get" change a life only with some objects: "having a baby", "getting married", not "having lunch".
  if ((verb === 'have' || verb === 'get') && !HAVE_OR_GET.test(rest)) return [];
  const phrase = thirdPerson(rest);
  const text = ARRANGING.has(verb)
    ? rest === ''
      ? ''
      : `Plans ${phrase}${when}`
    : `Plans to ${verb}${phrase ? ` ${phrase}` : ''}${when}`;
  return text === '' ? [] : [assert(fact('plans', text, rest === '' ? verb : rest.toLowerCase()))];
}

/** Verbs before "as" that say how one appears or is seen, not what one works as. */
const NOT_WORKING_AS = new Set(
  'volunteer dress see think act pose play identify present come go count qualify know describe introduce regard treat use'.split(
    ' ',
  ),
);

/**
 * Any present-tense verb of the user's followed by "as" and a known job is
 * the user's role: "I freelance as a designer", "I moonlight as a DJ" ->
 * "Works as a designer". The job must be one the lists or WordNet know
 * (titleFact, not lenient); "I dress up as a pirate" is no work.
 */
export function workingAs(clause: string): Intent[] {
  const tokens = tag(clause);
  if (tokens[0]?.lower !== 'i') return [];
  let v = 1;
  while (tokens[v]?.pos === 'ADV' && !/^(?:not|never|no)$/.test(tokens[v]!.lower)) v++;
  const verb = tokens[v];
  if (!verb || verb.text !== verb.lower || /(?:ed|ing)$/.test(verb.lower) || NOT_WORKING_AS.has(verb.lower)) return [];
  if (tokens[v + 1]?.lower !== 'as' || !/^(?:a|an)$/.test(tokens[v + 2]?.lower ?? '')) return [];
  const title = titleFact(join(tokens.slice(v + 2)));
  return title ? [assert(title)] : [];
}

/** "I spend most of my free time ...", "I spend my weekends ...": what the user's own time goes on. */
const SPENDING =
  /^I (?:\p{Ll}+ly )?spend (?:most of |all of |a lot of |much of |half of )?(?:my|our) (?:free |spare |leisure |own |whole )?(?:time|weekends|evenings|days off|holidays|summers|mornings|afternoons|nights) (.+)$/iu;
/** Places where time is spent that say nothing of a pastime. */
const NO_PASTIME_PLACE =
  /^(?:at|in|on) (?:work|home|the office|school|bed|hospital|the hospital|my desk|my phone|the phone|the computer|meetings|traffic|the car)\b/i;

/**
 * What the user spends their own time on is a pastime: "I spend most of my
 * time in the garden" -> hobbies "Spends time in the garden"; "I spend my
 * weekends hiking" -> "Likes hiking". Time at work, at home or in bed says
 * nothing.
 */
export function spendingTime(clause: string): Intent[] {
  const rest = SPENDING.exec(clause)?.[1];
  if (!rest) return [];
  const what = cutTail(rest);
  if (what === '' || wordCount(what) > 5 || NO_PASTIME_PLACE.test(what) || /\b(?:you|it|this|that)\b/i.test(what))
    return [];
  if (/^\p{Ll}+ing\b/u.test(what) && isActivity(what.split(/\s+/)[0]!)) return [assert(likeFact(what, 'like'))];
  const place = /^(?:in|at|on|by) (?:the |my |our )?(.+)$/i.exec(what)?.[1];
  if (!place) return [];
  return [assert(fact('hobbies', `Spends time ${thirdPerson(what)}`, place.toLowerCase()))];
}
