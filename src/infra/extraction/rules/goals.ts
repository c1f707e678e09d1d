// Which "I want to ..." is a life goal and which is a request to the
// assistant ("I want to write an email", "I'd like to know ..."). Only verb
// phrases on this list become goals or plans; an explicit "my goal is to ..."
// is taken as it is.

import { LANGUAGES } from './lexicon.js';
import { isFood } from './values.js';

const BIG_PURCHASES =
  '(?:house|home|car|apartment|flat|boat|farm|property|cabin|cottage|condo|motorcycle|motorbike|camper|campervan|van|e-bike|piano)';

const GOAL_PHRASES: RegExp[] = [
  /^(?:learn|study|master)\s+(?!about\b|more about\b|what\b|why\b|if\b|whether\b|from\b|this\b|that\b|it\b)\S/i,
  /^become\s+\S/i,
  /^(?:visit|travel|tour|explore|backpack through|backpack across|see the world|go backpacking|road trip)\b(?!.*\b(?:website|page|site|link|url|doc|file)s?\b)/i,
  /^move\s+(?:to|abroad|back|overseas|out|in with|closer)\b/i,
  new RegExp(
    `^(?:buy|own|build|get)\\s+(?:a|an|my|our)?\\s*(?:own\\s+|first\\s+|new\\s+|small\\s+|big\\s+|little\\s+|dream\\s+)*${BIG_PURCHASES}\\b`,
    'i',
  ),
  /^(?:run|complete|finish|do|train for)\s+(?:a|an|my first|the|another)?\s*(?:[\w-]+\s+)?(?:marathon|half marathon|half-marathon|ultramarathon|ultra|triathlon|ironman|5k|10k|race)\b/i,
  /^(?:lose|gain|drop)\s+(?:some\s+|a (?:few|couple of)\s+|\d+\s*)?(?:weight|pounds|kilos|kg|lbs|body fat)\b/i,
  /^(?:quit|stop|give up|cut down on)\s+(?:smoking|drinking|vaping|caffeine|sugar|alcohol|coffee|my job|social media|meat)\b/i,
  /^(?:save (?:up|money|more|for)|pay off|pay down|get out of debt|become debt[- ]free)\b/i,
  /^retire\b/i,
  /^(?:improve|work on|brush up on|get better at)\s+(?:my\s+)?(?:health|fitness|english|spanish|german|french|italian|japanese|chinese|portuguese|skills?|cooking|writing|sleep|diet|posture|endurance|strength|flexibility|public speaking|photography|drawing|painting|singing|chess|guitar|piano|\w+ skills)\b/i,
  /^get\s+(?:fit|in shape|healthier|stronger|married|engaged|promoted|a (?:dog|cat|puppy|kitten|degree|phd|master'?s|masters|promotion|new job|job|tattoo|driver'?s licen[cs]e|driving licen[cs]e|pilot'?s licen[cs]e)|my (?:driver'?s|driving|pilot'?s) licen[cs]e|into (?:\w+\s+)?(?:school|college|university|med school|law school|grad school))\b/i,
  /^(?:have|start|raise)\s+(?:a family|kids|children|a baby|another baby|another child)\b/i,
  /^(?:start|launch|found|open|run)\s+(?:a|an|my own|our own|my|our)\s+(?:own\s+)?(?:[\w-]+\s+)?(?:business|company|startup|start-up|restaurant|cafe|café|bakery|shop|store|blog|podcast|youtube channel|channel|band|garden|nonprofit|non-profit|charity|practice|studio|brewery|bar|agency)\b/i,
  /^write\s+(?:a|my|an)\s+(?:[\w-]+\s+)?(?:book|novel|memoir|screenplay|album|cookbook|children'?s book)\b/i,
  /^(?:climb|hike|summit|trek|walk|cycle|bike|sail|kayak|swim across)\s+(?:mount|mt\.?|the|a|an|across|to)?\s*\p{Lu}/iu,
  /^(?:climb|hike|trek)\s+(?:kilimanjaro|everest|the \w+ trail|mount \w+|mt\.? \w+|a mountain|a volcano)\b/i,
  /^(?:change|switch)\s+(?:careers|jobs|my career|fields|to a new career|industries)\b/i,
  /^go back to\s+(?:school|university|college|uni)\b/i,
  /^adopt\s+(?:a|another)\s+(?:dog|cat|puppy|kitten|child|pet|rescue)\b/i,
  // "we want to adopt (in a couple of years)": adopting a child, said without one.
  /^adopt(?:$|\s+(?:in|within|one day|someday|some day|eventually|soon|at some point|later)\b)/i,
  /^(?:eat|exercise|read|sleep|meditate|work out|walk|cook|run|swim|travel)\s+(?:more|less|healthier|better|every day|daily|regularly)\b/i,
  /^(?:graduate|finish|complete)\s+(?:my\s+|the\s+)?(?:degree|thesis|phd|dissertation|studies|master'?s|bachelor'?s|education|apprenticeship|training|residency|college|university|school|high school)\b/i,
  /^(?:graduate|finish school|finish college)$/i,
  /^(?:compete|participate|take part)\s+in\s+\S/i,
  /^(?:publish|record|release)\s+(?:a|my|an)\s+(?:[\w-]+\s+)?(?:book|novel|album|paper|song|ep|single|game)\b/i,
  /^(?:speak|be fluent in|become fluent in)\s+\S/i,
  /^(?:learn to|learn how to)\s+(?:play|cook|swim|drive|code|program|dance|sing|surf|ski|paint|draw|knit|speak|sew|bake|ride|sail|fly|meditate|juggle|skate|snowboard|climb)\b/i,
  /^(?:see|watch)\s+(?:the northern lights|the world|the pyramids|the aurora)\b/i,
];

/** Cutting down on something one eats or drinks: "cut back on sugar", "reduce my caffeine", "limit red meat". */
const CUTTING =
  /^(?:cut (?:down|back) on|cut out|reduce|limit|cut down|give up|quit|stop (?:eating|drinking))\s+(?:my\s+|the\s+)?(.+)$/i;

const LANGUAGE_OBJECT = /^(?:speak|be fluent in|become fluent in)\s+(?:\w+\s+)?(\w+)/i;

/** True for a verb phrase that names a life goal: "learn Spanish", "run a marathon", "move to Lisbon". */
export function isGoalPhrase(phrase: string): boolean {
  const p = phrase.trim();
  if (p.length === 0 || p.split(/\s+/).length > 12) return false;
  if (/\b(?:you|your)\b/i.test(p)) return false;
  const language = LANGUAGE_OBJECT.exec(p);
  if (language && !LANGUAGES.has((language[1] ?? '').toLowerCase())) return false;
  const cut = CUTTING.exec(p)?.[1];
  if (cut && p.split(/\s+/).length <= 8 && isFood(cut)) return true;
  return GOAL_PHRASES.some((pattern) => pattern.test(p));
}
