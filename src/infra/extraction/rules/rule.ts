// What a statement rule is: a kind, an example it understands, a pattern on
// a canonical clause, and a builder of intents. Shared by the rule tables
// (statements.ts, everyday.ts).

import { assert, eventText, fact } from './facts.js';
import type { Intent } from './intents.js';

export interface RuleContext {
  now: Date;
  /** The clause says the change is recent ("just", "yesterday"): events are dated. */
  recent: boolean;
  /** The clause as the user wrote it (for DELETE reasons). */
  source: string;
}

export type StatementKind =
  | 'routine'
  | 'health-state'
  | 'pregnancy'
  | 'birth'
  | 'job-news'
  | 'job-leave'
  | 'diet-change'
  | 'give-up'
  | 'field-change'
  | 'name'
  | 'nickname'
  | 'age'
  | 'birthday'
  | 'birthplace'
  | 'gender'
  | 'pronouns'
  | 'residence'
  | 'move'
  | 'origin'
  | 'nationality'
  | 'language'
  | 'employer'
  | 'job'
  | 'job-status'
  | 'industry'
  | 'business'
  | 'skill'
  | 'job-change'
  | 'job-loss'
  | 'study'
  | 'school'
  | 'degree'
  | 'learning'
  | 'relationship'
  | 'children'
  | 'siblings'
  | 'partner'
  | 'pet'
  | 'pet-loss'
  | 'diet'
  | 'restriction'
  | 'allergy'
  | 'intolerance'
  | 'condition'
  | 'like'
  | 'dislike'
  | 'favorite'
  | 'preference'
  | 'plays'
  | 'activity'
  | 'hobby'
  | 'personality'
  | 'value'
  | 'goal'
  | 'plan'
  | 'life-event'
  | 'retraction';

export interface StatementRule {
  kind: StatementKind;
  /** A sentence this rule understands (documentation, and checked by the tests). */
  example: string;
  pattern: RegExp;
  build(match: RegExpExecArray, ctx: RuleContext): Intent[];
}

export const rule = (
  kind: StatementKind,
  example: string,
  pattern: RegExp,
  build: StatementRule['build'],
): StatementRule => ({ kind, example, pattern, build });

export const article = (word: string): string =>
  /^[aeio]|^u(?!ni|se|su)|^hon|^hour/i.test(word) && !/^one\b/i.test(word) ? 'an' : 'a';
export const withArticle = (phrase: string): string => `${article(phrase)} ${phrase}`;

/** A life event, dated when it just happened ("Started a new job (June 2025)"). */
export function event(text: string, ctx: RuleContext, clause: string): Intent {
  return assert(fact('events', eventText(text, clause, ctx.recent, ctx.now), text));
}
