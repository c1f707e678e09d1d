// Statement rules for everyday life the first table did not cover: routines
// and pastimes ("I swim three times a week"), health states ("I'm recovering
// from knee surgery", "I'm six months pregnant"), and work news with role and
// employer in any order ("started a new job as a product manager at a
// startup", "I'm leaving IBM to join Accenture as a manager"). Clauses
// arrive canonical and without qualifiers (clauses.ts).

import type { DefaultSlotName } from '../../../domain/profile/default-profile.js';
import { assert, fact, likeFact } from './facts.js';
import type { Intent } from './intents.js';
import { event, type RuleContext, rule, type StatementRule, withArticle } from './rule.js';
import { BUSINESSES, JOBS } from './lexicon.js';
import { tag } from './nlp.js';
import { BODY_PARTS, CONDITION_HEADS, CONDITION_SUFFIX, HOBBYISTS, PASTIMES } from './tables.js';
import {
  capitalise,
  cutTail,
  headWord,
  isActivity,
  isFood,
  isInstrument,
  isLikeObject,
  isMusic,
  inClass,
  isSport,
  splitList,
  thirdPerson,
  wordCount,
} from './values.js';
import { companyFact, jobFacts, roleAndEmployer, roleFacts, titleFact } from './work.js';

/** "swim" -> "swims", "watch" -> "watches", "do" -> "does", "study" -> "studies". */
export function thirdPersonVerb(verb: string): string {
  const v = verb.toLowerCase();
  if (v === 'do' || v === 'go') return `${v}es`;
  if (v === 'have') return 'has';
  if (/(?:s|sh|ch|x|z)$/.test(v)) return `${v}es`;
  if (/[^aeiou]y$/.test(v)) return `${v.slice(0, -1)}ies`;
  return `${v}s`;
}

/** "drive a truck" -> "Drives a truck"; "teach English to adults" -> "Teaches English to adults". */
function verbPhrase(phrase: string): string {
  const [verb = '', ...rest] = thirdPerson(phrase.trim()).split(/\s+/);
  return capitalise([thirdPersonVerb(verb), ...rest].join(' '));
}

/** Said of a single occasion rather than a habit: "I cook tonight", "I am swimming right now". */
const ONE_OFF =
  /\b(?:today|tonight|tomorrow|yesterday|this (?:morning|afternoon|evening|weekend|week)|right now|at the moment|later|next (?:week|weekend|month|year)|soon|once)\b/i;

const QUANTIFIER = /^(?:a lot of|lots of|plenty of|loads of|tons of|some|much|many|all kinds of|all sorts of)\s+/i;
const ALCOHOL =
  /^(?:wine|red wine|white wine|beer|beers|spirits|liquor|whisky|whiskey|vodka|gin|rum|cocktails?|alcohol|booze|cider|champagne|sake)$/i;

/** A routine or pastime: "I swim", "I knit", "I watch a lot of anime", "I listen to podcasts", "I do pilates". */
function routineFacts(verbWord: string, rawObject: string | undefined, ctx: RuleContext): Intent[] {
  const pastime = PASTIMES.get(verbWord.toLowerCase());
  if (!pastime || ONE_OFF.test(ctx.source)) return [];
  // "listen to a lot of jazz": the "to" belongs to the verb, the quantifier to nothing.
  const raw = pastime.verb === 'listen' ? (rawObject ?? '').replace(/^to\s+/i, '') : (rawObject ?? '');
  const object = cutTail(raw.replace(QUANTIFIER, ''));
  if (pastime.verb === 'listen' && (object === '' || !/^to\s/i.test(rawObject ?? ''))) return [];
  // "I walk to work", "I cycle to school": a commute is a routine worth keeping.
  const commute =
    /^(?:walk|cycle|bike|run|jog|ride)$/.test(pastime.verb) &&
    /^to (?:work|school|college|uni|university|the office)$/i.test(object);
  if (
    !commute &&
    /^(?:not|to|it|that|this|them|the|a|an|his|her|your|out|up|so|too|as|like|what|how|about|every|most|each|twice|once|daily|weekly|before|after|during|\d)\b/i.test(
      object,
    )
  )
    return [];
  if (!commute && object !== '' && (!isLikeObject(object.replace(/^(?:my|our)\s+/i, '')) || wordCount(object) > 6))
    return [];
  if (pastime.object === 'thing' && object === '') return [];
  // "I run my own consultancy", "I run a bakery": a business, for the business rule.
  if (/^(?:my|our) own\b/i.test(object) || BUSINESSES.has(headWord(object))) return [];
  if (
    pastime.object === 'activity' &&
    !(
      isSport(object) ||
      isActivity(object) ||
      /^(?:yoga|pilates|crossfit|karate|judo|taekwondo|tai chi|aerobics|zumba|ballet|martial arts|weights|cardio)$/i.test(
        object,
      )
    )
  )
    return [];
  // Said without an object, a pastime reads as the like it is ("I swim" -> "Likes swimming"), so it meets "I love swimming".
  if (object === '') return [assert(likeFact(pastime.gerund, 'like'))];
  const food = pastime.slot === 'foodLikes';
  if (
    food &&
    !(isFood(object) || ALCOHOL.test(object) || /\b(?:tea|coffee|juice|water|milk|smoothies?)$/i.test(object))
  )
    return [];
  const slot: DefaultSlotName = food
    ? 'foodLikes'
    : isSport(object) || (object === '' && pastime.slot === 'sports')
      ? 'sports'
      : isMusic(object) || isInstrument(object) || pastime.slot === 'music'
        ? 'music'
        : 'hobbies';
  const verb = pastime.verb === 'listen' ? 'listen to' : pastime.verb;
  const text = verbPhrase(`${verb}${object ? ` ${object}` : ''}`);
  const value = food
    ? object.toLowerCase()
    : object === ''
      ? pastime.gerund
      : `${pastime.gerund} ${object.toLowerCase()}`;
  const resumed = /\b(?:again|went back to|gone back to|back to|started|began)\b/i.test(ctx.source);
  const diets = food && pastime.verb === 'eat' && resumed ? dietsBroken(object) : [];
  const supersedes = food
    ? [
        new RegExp(`^does not ${pastime.verb} ${object.toLowerCase()}$`),
        ...(pastime.verb === 'drink' && ALCOHOL.test(object) ? [/^does not drink (?:alcohol|any alcohol)$/] : []),
      ]
    : undefined;
  return [
    assert(fact(slot, text, value, supersedes ? { supersedes } : {})),
    ...diets.map((diet) => ({ kind: 'retract' as const, fact: fact('diet', `Is ${diet}`, diet), source: ctx.source })),
    // "I started eating chicken again" also ends "Does not eat meat".
    ...(diets.length > 0
      ? [MEAT.test(object) ? 'meat' : FISH.test(object) ? 'fish' : object.toLowerCase()].map((what) => ({
          kind: 'retract' as const,
          fact: fact('restrictions', `Does not eat ${what}`, what),
          source: ctx.source,
        }))
      : []),
  ];
}

const MEAT = /^(?:meat|red meat|beef|pork|chicken|lamb|bacon|steak|turkey|poultry|burgers?|sausages?|ham)$/i;
const FISH = /^(?:fish|seafood|salmon|tuna|shellfish|sushi|shrimp|prawns)$/i;
const ANIMAL = /^(?:cheese|dairy|eggs?|milk|butter|honey|yogh?urt|ice cream)$/i;

/** The diets that eating this again ends: meat ends vegetarian, vegan and pescatarian; fish vegetarian and vegan; cheese vegan. */
function dietsBroken(food: string): string[] {
  if (MEAT.test(food)) return ['vegetarian', 'vegan', 'pescatarian'];
  if (FISH.test(food)) return ['vegetarian', 'vegan'];
  if (ANIMAL.test(food)) return ['vegan'];
  return [];
}

/** Illnesses that pass: "I have a cold" is how the user feels today, not a condition to remember. */
const TRANSIENT_CONDITIONS = new Set(
  'cold|flu|the flu|headache|hangover|fever|cough|sore throat|stomach bug|bug|jet lag|sunburn|bruise|hiccups|cramp|cramps|blister|rash|toothache|stomachache|stomach ache|upset stomach|runny nose|stuffy nose|virus|infection|cut|scratch|pain|ache|tiredness|fatigue'.split(
    '|',
  ),
);

/** "I get migraines", "I get panic attacks": a recurring complaint (plural, or a condition WordNet knows) is a condition. */
function recurringFacts(value: string): Intent[] {
  const what = cutTail(value).replace(
    /^(?:really |very |quite |pretty )?(?:bad |terrible |awful |severe |chronic |frequent )?/i,
    '',
  );
  const lower = what.toLowerCase();
  if (
    wordCount(what) > 4 ||
    /^(?:a|an|the|my|it|that|this|them|to|up|home|there|paid|married|bored|tired|sick)\b/i.test(what)
  )
    return [];
  // A complaint is a noun ("migraines"), not how one gets ("anxious", "nervous").
  if (tag(`I get ${lower}`).at(-1)?.pos !== 'NOUN') return [];
  const plural = /s$/.test(lower) && !/ss$/.test(lower);
  const known = inClass(lower, 'condition') || CONDITION_HEADS.has(lower.replace(/s$/, '')) || /\battacks$/.test(lower);
  if (!known || (!plural && TRANSIENT_CONDITIONS.has(lower))) return [];
  return [assert(fact('conditions', `Gets ${lower}`, lower, { categories: ['health'] }))];
}

function conditionFacts(value: string): Intent[] {
  // "a spaniel called Pip": something named is no condition, whatever its name means ("pip" is a poultry disease).
  if (/\b(?:called|named)\b/i.test(value)) return [];
  const items = splitList(cutTail(value).replace(/\s+in (?:my|both|one of my|the) \w+$/i, '')).map((item) =>
    item.replace(/^(?:a |an |some |mild |severe |bad )/i, '').trim(),
  );
  if (items.length === 0) return [];
  const isCondition = (item: string) => {
    const lower = item.toLowerCase();
    const words = lower.split(/\s+/);
    const head = words[words.length - 1] ?? '';
    return (
      wordCount(item) <= 4 &&
      (CONDITION_HEADS.has(lower) ||
        CONDITION_HEADS.has(head) ||
        CONDITION_HEADS.has(words.slice(-2).join(' ')) ||
        CONDITION_SUFFIX.test(head) ||
        /^(?:hypo|hyper)\w+ism$/.test(head) ||
        // An allergy has its own slot and rule.
        (inClass(lower, 'condition') && !TRANSIENT_CONDITIONS.has(lower) && !/\ballerg|intoleran/.test(lower)))
    );
  };
  if (!items.every(isCondition)) return [];
  return items.map((item) => {
    const shown = /^\p{Lu}{2,}/u.test(item) ? item : item.toLowerCase();
    return assert(fact('conditions', `Has ${shown}`, shown, { categories: ['health'] }));
  });
}

/** Leaving an employer (the memory "Works at X" is taken back), maybe for a new one. */
function leaveJob(rawFrom: string, rawTo: string | undefined, ctx: RuleContext): Intent[] {
  const from = cutTail(rawFrom);
  if (/^(?:my|the|a|an|it|home|work|school|for|to|now|soon|town)\b/i.test(from)) return [];
  const out: Intent[] = [];
  const old = companyFact(from);
  // The job ends with the employer: its title goes too ("I quit Amazon" ends "Works as a warehouse associate").
  if (old)
    out.push(
      { kind: 'retract', fact: old, source: ctx.source },
      { kind: 'forget', targets: [{ topic: 'work', subTopic: 'title' }], source: ctx.source },
    );
  if (rawTo) {
    const { title, company } = roleAndEmployer(` at ${rawTo}`);
    out.push(...jobFacts(title, company));
  }
  return out;
}

/** A progressive pastime is a habit only with a word that says so ("I've been swimming a lot"), else it is what the user is doing now. */
export const HABITUAL =
  /\b(?:have been|been|every|always|usually|often|regularly|daily|weekly|times a|twice|since|for (?:years|months|ages|a while|\w+ (?:years|months)))\b/i;

const PREGNANT = (text = 'Is pregnant') => [assert(fact('conditions', text, 'pregnant', { categories: ['health'] }))];

/**
 * A taste said of the thing ("Coffee is my lifeline", "Chess isn't my thing"):
 * only a thing WordNet files as a food, a sport, music ... or an activity
 * counts ("Sam is my rock" is a person).
 */
function tasteForThing(said: string, polarity: 'like' | 'dislike'): Intent[] {
  const thing = said.toLowerCase().replace(/^(?:a|an|the|my)\s+/, '');
  if (!(inClass(thing, 'food', 'drink', 'sport', 'music', 'instrument', 'game', 'craft') || isActivity(thing)))
    return [];
  return [assert(likeFact(thing, polarity))];
}

export const EVERYDAY_RULES: readonly StatementRule[] = [
  // ---- health states
  rule(
    'pregnancy',
    "I'm six months pregnant",
    /^I am (?:(?:about |almost |nearly )?(?:\w+|\d+) (?:weeks?|months?) )?pregnant(?: (?:with|again)\b.*)?$/i,
    () => PREGNANT(),
  ),
  rule(
    'pregnancy',
    "I'm expecting twins",
    /^I am expecting(?: (?:a baby|a child|twins|our \w+ (?:baby|child)|my \w+ (?:baby|child)|a (?:boy|girl)))?$/i,
    () => PREGNANT(),
  ),
  rule(
    'pregnancy',
    "We're expecting a baby",
    /^we are expecting(?: (?:a baby|a child|twins|our \w+ (?:baby|child)|a (?:boy|girl)))?$/i,
    () => PREGNANT('Is expecting a baby'),
  ),
  rule(
    'pregnancy',
    "I'm due in June",
    /^I am due (?:in|on|at|any day|next|this|soon|around|mid|early|late)\b.*$/i,
    () => PREGNANT(),
  ),
  rule(
    'pregnancy',
    'We have a baby on the way',
    /^(?:I|we) (?:have|have got) (?:a|our \w+) (?:baby|child) on the way$/i,
    (_m, ctx) => PREGNANT(/^we/i.test(ctx.source) ? 'Is expecting a baby' : 'Is pregnant'),
  ),
  rule(
    'health-state',
    "I'm doing physio for a torn ACL",
    /^I am (?:doing|having|undergoing|getting|in|going through|on) (physio|physiotherapy|physical therapy|rehab|chemo|chemotherapy|radiotherapy|radiation|dialysis|IVF|fertility treatment|therapy|counselling|counseling|antidepressants|insulin)(?: (?:for|after) (.+))?$/i,
    (m) => {
      const what = m[2] ? thirdPerson(cutTail(m[2])) : '';
      if (what !== '' && wordCount(what) > 5) return [];
      const treatment = m[1]!.toLowerCase().replace('ivf', 'IVF');
      const verb = /^(?:antidepressants|insulin)$/.test(treatment)
        ? 'Is on'
        : /^(?:therapy|counsel)/.test(treatment)
          ? 'Is in'
          : 'Is doing';
      return [
        assert(
          fact('conditions', `${verb} ${treatment}${what ? ` for ${what}` : ''}`, treatment, {
            categories: ['health'],
          }),
        ),
      ];
    },
  ),
  rule(
    'pregnancy',
    "I'm in my second trimester",
    /^I am in (?:my|the) (?:first|second|third|last|final) trimester$/i,
    () => PREGNANT(),
  ),
  rule(
    'health-state',
    "I'm recovering from knee surgery",
    /^I am (?:recovering|recuperating|healing) from (.+)$/i,
    (m) => {
      const what = thirdPerson(cutTail(m[1]!));
      if (wordCount(what) > 5 || !isLikeObject(what.replace(/^their\s+/i, ''))) return [];
      return [assert(fact('conditions', `Is recovering from ${what}`, what, { categories: ['health'] }))];
    },
  ),
  rule(
    'health-state',
    'I have a bad back',
    /^I have (?:a |an )?(bad|weak|injured|broken|sprained|torn|dodgy|bum|trick|chronic|damaged) (\w+)(?: (?:from|after|since|because of) .+)?$/i,
    (m) => {
      const part = m[2]!.toLowerCase();
      if (!BODY_PARTS.has(part)) return [];
      const phrase = `${m[1]!.toLowerCase()} ${part}`;
      return [
        assert(
          fact('conditions', `Has ${/s$/.test(part) && part !== 'hips' ? phrase : withArticle(phrase)}`, part, {
            categories: ['health'],
          }),
        ),
      ];
    },
  ),
  rule(
    'health-state',
    'I suffer from chronic back pain',
    /^I (?:have|suffer from|was diagnosed with|got diagnosed with|have been diagnosed with|am diagnosed with|live with|struggle with|deal with|am being treated for|am on medication for|take medication for) (.+)$/i,
    (m) => conditionFacts(m[1]!),
  ),
  rule(
    'health-state',
    'I get migraines',
    /^I (?:often |sometimes |regularly |frequently |occasionally |still |always )?(?:get|suffer|have) (?:from )?((?:really |very |quite |pretty )?(?:bad |terrible |awful |severe |chronic |frequent )?(?:\w[\w -]*s|hay ?fever|heartburn|acid reflux|eczema|psoriasis|acne|vertigo|insomnia|tinnitus|sciatica|gout))$/i,
    (m, ctx) => (ONE_OFF.test(ctx.source) ? [] : recurringFacts(m[1]!)),
  ),
  rule(
    'health-state',
    'I quit smoking',
    /^I (?:quit|stopped|gave up|have quit|have stopped|have given up|kicked) (smoking|vaping|cigarettes|drinking|alcohol|booze|caffeine|coffee|sugar|meat|eating meat|drinking alcohol)$/i,
    (m, ctx) => {
      const what = m[1]!.toLowerCase();
      if (/^(?:smoking|vaping|cigarettes)$/.test(what)) {
        const habit = what === 'vaping' ? 'vaping' : 'smoking';
        return [
          assert(fact('conditions', `Quit ${habit}`, habit, { categories: ['health'] })),
          ...(ctx.recent ? [event(`Quit ${habit}`, ctx, ctx.source)] : []),
        ];
      }
      if (/drink|alcohol|booze/.test(what)) return [assert(fact('restrictions', 'Does not drink alcohol', 'alcohol'))];
      if (/caffeine|coffee/.test(what))
        return [
          assert(
            fact('restrictions', `Does not drink ${what}`, what, {
              supersedes: [/^likes (?:coffee|espresso|caffeine)$/],
            }),
          ),
        ];
      const food = what.replace(/^eating /, '');
      return [assert(fact('restrictions', `Does not eat ${food}`, food))];
    },
  ),

  // ---- work news: role and employer in any order
  rule(
    'job-news',
    'I just started a new job as a product manager at a startup',
    /^I (?:have )?(?:started|got|landed|accepted|took|found|began|secured|scored|have got|have started|have landed|have accepted) (?:a |an |my |the )?(?:new |first |dream |full-time |part-time |full time |part time )*(?:job|position|role|gig|post|apprenticeship|internship|traineeship|placement|residency)\b(.*)$/i,
    (m, ctx) => {
      const rest = m[1] ?? '';
      if (rest.trim() !== '' && !/^\s+(?:as|at|for|with)\b/i.test(rest)) return [];
      return [...roleFacts(rest, true), event('Started a new job', ctx, ctx.source)];
    },
  ),
  rule(
    'job-news',
    "I'm starting next month as a staff engineer at Stripe",
    /^I (?:am starting|will start|start|am joining|will join|will be joining|joined|have joined|started|am moving to|moved to) (?:work |working |a new job |my new job )?(?:(?:next|this|in a) \w+ |tomorrow |soon |on \w+ |(?:mon|tues|wednes|thurs|fri|satur|sun)day )?((?:as|at) .+)$/i,
    (m) => roleFacts(` ${m[1]!}`, true),
  ),
  rule(
    'job-news',
    'I got hired as a nurse at Mayo Clinic',
    /^I (?:got|was|have been|have just been|just got) (?:hired|taken on|recruited|brought on|employed)((?: (?:as|at|by|for) .+))$/i,
    (m, ctx) => [...roleFacts(m[1]!.replace(/ by /i, ' at '), true), event('Started a new job', ctx, ctx.source)],
  ),
  rule(
    'job-news',
    'I accepted an offer from Google as a product manager',
    /^I (?:accepted|took|have accepted|signed) (?:an|the|a job) offer (?:from|at|with) (.+?)(?: as (.+))?$/i,
    (m, ctx) => [...jobFacts(m[2], m[1], true), event('Started a new job', ctx, ctx.source)],
  ),
  rule(
    'job-news',
    'I joined Stripe as an engineer',
    /^I (?:joined|have joined|am joining|will join) (\p{Lu}[\w&.'-]*(?: \p{Lu}[\w&.'-]*)*)(?: as (.+))?$/u,
    (m) => jobFacts(m[2], m[1]),
  ),
  rule(
    'job-news',
    'I joined a small charity as a project manager',
    /^I (?:joined|have joined|am joining|will join) ((?:a|an|the) (?:[\w&.'-]+ ){0,3}[\w&.'-]+) as (?:a |an |their |its |the )?(.+)$/iu,
    // Only with a role the job lists or WordNet know: "joined a gym as a member" is no job.
    (m) => (titleFact(m[2]!) ? jobFacts(m[2], m[1]) : []),
  ),
  rule(
    'job-news',
    'I got promoted to senior developer',
    /^I (?:got|was|have been|have got|am getting|just got) (?:promoted|a promotion) to (.+)$/i,
    (m, ctx) => [...roleFacts(` as ${m[1]!}`, true), event('Got promoted', ctx, ctx.source)],
  ),
  rule(
    'job',
    'I work weekends as a bartender at a hotel bar',
    /^I (?:work|have worked|have been working|am working|work (?:weekends|nights|evenings|mornings|days|shifts|remotely|from home|full[- ]time|part[- ]time|freelance|(?:the |a )?(?:night|day|early|late|morning|evening|graveyard|weekend) shifts?)) ((?:as|at|for|in an?) .+)$/i,
    (m) => roleFacts(` ${m[1]!}`, true),
  ),
  rule('job', "I've been at Microsoft as a program manager", /^I am at (.+?) as (.+)$/i, (m) => jobFacts(m[2], m[1])),
  rule('job', 'I deliver packages for a living', /^I ((?!do\b|work\b)\w+(?: \S+){0,5}) for a living$/i, (m) => {
    const vp = m[1]!.replace(/^(?:am|are)\s+/i, '');
    if (/^(?:not|never)\b/i.test(vp)) return [];
    return [assert(fact('title', `${verbPhrase(vp)} for a living`, vp))];
  }),
  rule('job', 'I teach high school chemistry', /^I teach (?!myself\b|you\b|them\b|him\b|her\b)(.+)$/i, (m) => {
    const what = cutTail(m[1]!);
    if (wordCount(what) > 6 || !isLikeObject(what)) return [];
    return [assert(fact('title', `Teaches ${thirdPerson(what)}`, what))];
  }),
  rule(
    'job',
    "I'm the owner of a small coffee shop",
    /^I am (?:the |an? )?(owner|co-owner|founder|co-founder|cofounder|proprietor) of (.+)$/i,
    (m) => {
      const verb = /founder/i.test(m[1]!) ? 'Founded' : 'Owns';
      const company = companyFact(m[2]!, verb);
      return company ? [assert(company)] : [];
    },
  ),
  rule(
    'job-leave',
    "I'm leaving IBM to join Accenture as a manager",
    /^I (?:am leaving|am quitting|quit|have quit|will leave|am going to leave) (.+?)(?: (?:to (?:join|work at|work for|start at)|for) (.+))?$/i,
    (m, ctx) => leaveJob(m[1]!, m[2], ctx),
  ),
  rule(
    'job-leave',
    'I left Google to join Notion',
    /^I (?:left|have left) (.+?) (?:to (?:join|work at|work for|start at)|for) (.+)$/i,
    (m, ctx) => leaveJob(m[1]!, m[2], ctx),
  ),
  rule(
    'job-loss',
    'I was let go from Meta',
    /^I (?:was|got|have been|am being) (?:let go|made redundant|laid off|fired|sacked)(?: (?:from|at|by) .+)?$/i,
    (_m, ctx) => [
      { kind: 'forget', targets: [{ topic: 'work', subTopic: 'company' }], source: ctx.source },
      event('Lost their job', ctx, ctx.source),
    ],
  ),

  rule(
    'health-state',
    "I've been smoke-free for a month",
    /^I am (?:now |finally )?(smoke|cigarette|nicotine|vape)[- ]free$/i,
    (m, ctx) => {
      const habit = /vape/i.test(m[1]!) ? 'vaping' : 'smoking';
      return [
        {
          kind: 'retract',
          fact: fact('conditions', habit === 'vaping' ? 'Vapes' : 'Smokes', habit === 'vaping' ? 'vapes' : 'smokes'),
          source: ctx.source,
        },
        assert(fact('conditions', `Quit ${habit}`, habit, { categories: ['health'] })),
      ];
    },
  ),
  rule(
    'diet',
    'I only eat halal',
    /^(?:I|we) (?:only |strictly |just )?eat (halal|kosher|organic|plant-based)(?: food| meat)?(?: only)?$/i,
    (m) => {
      const diet = m[1]!.toLowerCase();
      return [assert(fact('diet', `Eats only ${diet} food`, diet))];
    },
  ),
  rule('health-state', 'I smoke', /^I (smoke|vape)(?: .*)?$/i, (m, ctx) => {
    if (ONE_OFF.test(ctx.source)) return [];
    const habit = m[1]!.toLowerCase() === 'vape' ? 'vaping' : 'smoking';
    return [
      assert(
        fact('conditions', habit === 'vaping' ? 'Vapes' : 'Smokes', habit, {
          categories: ['health'],
          supersedes: [new RegExp(`^quit ${habit}$`)],
        }),
      ),
    ];
  }),

  // ---- tastes said of the thing
  rule(
    'like',
    'Coffee is basically my lifeline',
    /^((?:[\w'-]+ ){0,2}[\w'-]+) is (?:basically |literally |honestly |kind of |pretty much |definitely |totally |really )?my (?:big |new |main |latest |current |biggest |one |real |true )?(?:lifeline|life|thing|jam|obsession|addiction|weakness|guilty pleasure|go-to|religion|passion|happy place|comfort food|fuel|vice|favou?rite thing|love language|therapy|escape|outlet|sanctuary|zen|me time)$/i,
    (m) => {
      return tasteForThing(m[1]!, 'like');
    },
  ),

  rule(
    'like',
    'Gardening keeps me sane',
    /^((?:[\w'-]+ ){0,2}[\w'-]+) (?:really |honestly |basically )?keeps me (?:sane|going|grounded|happy|balanced|calm|fit|busy)$/i,
    (m) => {
      return tasteForThing(m[1]!, 'like');
    },
  ),
  rule(
    'dislike',
    "Spicy food isn't my thing",
    /^((?:[\w'-]+ ){0,2}[\w'-]+) (?:is|are) not (?:really |exactly |at all |ever )?my (?:thing|jam|cup of tea|scene|forte|kind of thing)$/i,
    (m) => {
      return tasteForThing(m[1]!, 'dislike');
    },
  ),
  rule(
    'like',
    "I've got a real sweet tooth",
    /^I (?:have|have got) (?:a |such a |a real |a massive |a huge |a big |a terrible |an awful )?sweet tooth$/i,
    () => [assert(fact('foodLikes', 'Has a sweet tooth', 'sweet'))],
  ),

  rule(
    'like',
    'My guilty pleasure is reality TV',
    /^my (?:big |biggest |main |one |secret |current |latest |total )?(?:guilty pleasure|obsession|addiction|weakness|happy place|comfort food|go-to|vice|jam|love language|thing)s? (?:is|are|has to be|would be|right now is) (?:probably |definitely |basically |honestly |totally )?(.+)$/i,
    (m) => {
      // Said of the user's own liking, so any thing goes ("reality TV"), but not a person, a pronoun or an activity of talk.
      const thing = cutTail(m[1]!).replace(/^(?:a|an|the)\s+(?=\p{Ll})/u, '');
      if (!isLikeObject(thing) || wordCount(thing) > 4 || /^(?:to|that|when|how|being)\b/i.test(thing)) return [];
      return [assert(likeFact(thing, 'like'))];
    },
  ),

  // ---- faith
  rule(
    'value',
    "I'm a practising Muslim",
    /^I am (?:a |an )?((?:(?:practising|practicing|devout|lapsed|non-practising|born-again|committed|proud|cultural|strict) )?(?:muslim|christian|catholic|roman catholic|jew|jewish|hindu|buddhist|sikh|atheist|agnostic|quaker|mormon|pagan|protestant|anglican|baptist|methodist|evangelical|orthodox christian|orthodox jew|jain|bahai|baha'i))$/i,
    (m) => {
      const faith = m[1]!.replace(
        /\b(?:muslim|christian|catholic|jew|jewish|hindu|buddhist|sikh|quaker|mormon|protestant|anglican|baptist|methodist|evangelical|orthodox|jain|bahai|baha'i)\b/gi,
        (w) => `${w.charAt(0).toUpperCase()}${w.slice(1).toLowerCase()}`,
      );
      const said = /^(?:jewish)$/i.test(faith) ? `Is ${faith}` : `Is ${withArticle(faith)}`;
      return [assert(fact('values', said, faith.toLowerCase()))];
    },
  ),

  // ---- routines and pastimes
  rule(
    'routine',
    "I'm part of a book club",
    /^I am (?:in|part of|a member of|a regular at) (?:a|an|the|my|our|two|\w+'s) ((?:[\w'-]+ ){0,3}(?:club|choir|band|team|league|orchestra|society|group|crew|ensemble|troupe|squad|quiz team))$/i,
    (m) => {
      const group = m[1]!.toLowerCase();
      const slot: DefaultSlotName = isSport(group.replace(/\s+(?:club|team|league|squad)$/, ''))
        ? 'sports'
        : /\b(?:choir|band|orchestra|ensemble)$/.test(group)
          ? 'music'
          : 'hobbies';
      return [assert(fact(slot, `Is in ${withArticle(group)}`, group))];
    },
  ),
  rule(
    'routine',
    "I'm an avid runner",
    /^I am (?:an? )?(?:(keen|avid|passionate|enthusiastic|amateur|hobby|weekend|recreational|certified|serious|casual|big|huge|lifelong|competitive|obsessive|total) )?([a-z]+(?: [a-z]+)?)$/i,
    (m) => {
      const words = m[2]!.toLowerCase();
      const noun = HOBBYISTS.has(words) ? words : (words.split(' ').at(-1) ?? '');
      const activity = HOBBYISTS.get(noun);
      if (!activity) return [];
      // "I'm a painter", "I'm a cook" can be a job; with "keen", "avid", "amateur" ... it is a pastime.
      if (!m[1] && JOBS.has(noun)) return [];
      return [assert(likeFact(activity, 'like'))];
    },
  ),
  rule(
    'routine',
    'I go to a pottery class',
    /^(?:I|we) (?:go to|take|attend|do|am taking|am doing) (?:a |an |my |our |weekly |evening )*([a-z]+(?: [a-z]+)?) (class|classes|lessons|course|club|workshop|practice|training)$/i,
    (m) => {
      const what = m[1]!.toLowerCase();
      if (!isLikeObject(what) || /^(?:my|the|this|that|english|math|maths)$/.test(what)) return [];
      return [assert(fact('hobbies', `Goes to ${withArticle(`${what} ${m[2]!.toLowerCase()}`)}`, what))];
    },
  ),
  rule(
    'health-state',
    'I use a wheelchair',
    /^I (?:use|need|rely on|walk with|wear|have) (?:a |an )?(wheelchair|cane|walking stick|walker|hearing aids?|crutches|prosthetic \w+|mobility scooter|CPAP machine|insulin pump)$/i,
    (m) => [
      assert(
        fact(
          'conditions',
          `Uses ${/s$/.test(m[1]!) ? m[1]!.toLowerCase() : withArticle(m[1]!.toLowerCase())}`,
          m[1]!.toLowerCase(),
          { categories: ['health'] },
        ),
      ),
    ],
  ),
  rule('routine', 'I play in a jazz band', /^I play (?:in|with|for) (?:a|an|the|my|our) (.+)$/i, (m) => {
    const group = cutTail(m[1]!);
    if (
      wordCount(group) > 4 ||
      !/\b(?:band|orchestra|choir|quartet|trio|ensemble|team|league|club|group)$/i.test(group)
    )
      return [];
    const slot = /\b(?:team|league|club)$/i.test(group) ? 'sports' : 'music';
    return [assert(fact(slot, `Plays in ${withArticle(group)}`, group))];
  }),
  rule(
    'routine',
    'I swim three times a week',
    /^(?:I|we) (am |are )?(?:try to |tend to |like to |love to |get to )?([a-z]+)(?: (.+))?$/,
    (m, ctx) => (m[1] && !HABITUAL.test(ctx.source) ? [] : routineFacts(m[2]!, m[3], ctx)),
  ),
];
