// What the statement rules produce: the user asserting a fact, taking one
// back, or asking to forget a whole topic. The decision step turns these
// into ADD / UPDATE / DELETE / NONE against the user's memories.

import type { SlotRef } from '../../../domain/profile/default-profile.js';

export interface CandidateFact {
  /** The default slot; the decision step maps it onto the project's config. */
  slot: SlotRef;
  /** Canonical third-person text: "Lives in Munich", "Allergic to nuts". */
  text: string;
  categories: string[];
  /** The value a retraction looks for inside a memory's text ("Berlin", "vegetarian"). */
  value: string;
  /** Memories whose normalised text matches one of these are replaced by this fact ("Likes X" by "Dislikes X"). */
  supersedes?: RegExp[];
  /** Only fills an empty slot, never replaces a value: "I have a wife" must not overwrite "Has a wife named Anna". */
  vague?: boolean;
  /** Written only in place of a memory it supersedes: "Ben passed away" widows the user only if Ben is the partner on record. */
  onlyReplaces?: boolean;
}

/** A topic, or one sub-topic of it (subTopic null = the whole topic). */
export interface SlotPattern {
  topic: string;
  subTopic: string | null;
}

export type Intent =
  | { kind: 'assert'; fact: CandidateFact }
  | { kind: 'retract'; fact: CandidateFact; source: string }
  | { kind: 'forget'; targets: SlotPattern[]; source: string }
  /** One thing for another in whatever memory names it: "I switched from Italian to Spanish". */
  | { kind: 'substitute'; from: string; to: string; source: string };
