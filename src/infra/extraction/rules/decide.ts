// The decision step: replays the batch's intents, in order, over a working
// copy of the user's memories, then reports what changed as operations.
// Replaying (rather than deciding each fact alone) is what makes "the last
// value of a single-valued slot wins" and "a fact taken back later in the
// same batch is not added" fall out without special cases.

import { DEFAULT_PROFILE_CONFIG, findSlot, sameName } from '../../../domain/profile/default-profile.js';
import type { ExistingMemory, MemoryOperation, ProfileConfig } from '../../../domain/types.js';
import { normaliseText } from './facts.js';
import { escapeRegExp } from './values.js';
import type { CandidateFact, Intent, SlotPattern } from './intents.js';

/** A slot as the project's config spells it, and whether it holds one value. */
export interface ResolvedSlot {
  topic: string;
  subTopic: string;
  singleValued: boolean;
}

/**
 * The configured slot for a default slot (case-insensitive). When the
 * config lacks it: null if the config is strict (the fact is dropped), else
 * the default slot's own names.
 */
export function resolveSlot(profile: ProfileConfig, slot: { topic: string; subTopic: string }): ResolvedSlot | null {
  const found = findSlot(profile, slot.topic, slot.subTopic);
  if (found)
    return { topic: found.topic.name, subTopic: found.subTopic.name, singleValued: found.subTopic.singleValued };
  if (profile.strict) return null;
  const fallback = findSlot(DEFAULT_PROFILE_CONFIG, slot.topic, slot.subTopic);
  return { topic: slot.topic, subTopic: slot.subTopic, singleValued: fallback?.subTopic.singleValued ?? false };
}

interface Entry {
  /** The memory's id; null for a fact this batch adds. */
  id: string | null;
  original: ExistingMemory | null;
  text: string;
  topic: string;
  subTopic: string;
  categories: string[];
  deleted: boolean;
  deleteReason: string;
  /** The batch said this memory again, unchanged (NONE). */
  repeated: boolean;
  /** Order of the last change, so operations come out in the order things were said; -1 = untouched. */
  touched: number;
}

export function decide(
  intents: readonly Intent[],
  profile: ProfileConfig,
  existing: readonly ExistingMemory[],
): MemoryOperation[] {
  const entries: Entry[] = existing.map((m) => ({
    id: m.id,
    original: m,
    text: m.text,
    topic: m.topic,
    subTopic: m.subTopic,
    categories: [],
    deleted: false,
    deleteReason: '',
    repeated: false,
    touched: -1,
  }));
  let clock = 0;
  const touch = (entry: Entry) => {
    entry.touched = clock++;
  };
  const live = () => entries.filter((e) => !e.deleted);
  const remove = (entry: Entry, reason: string) => {
    entry.deleted = true;
    entry.deleteReason = reason;
    touch(entry);
  };

  for (const intent of intents) {
    switch (intent.kind) {
      case 'assert': {
        const slot = resolveSlot(profile, intent.fact.slot);
        if (slot) applyAssert(intent.fact, slot);
        break;
      }
      case 'retract': {
        const slot = resolveSlot(profile, intent.fact.slot) ?? { ...intent.fact.slot, singleValued: false };
        for (const entry of live())
          if (retracts(intent.fact, slot, entry)) remove(entry, `The user took it back: "${clip(intent.source)}"`);
        break;
      }
      case 'forget': {
        for (const entry of live())
          if (intent.targets.some((t) => inPattern(entry, t)))
            remove(entry, `The user asked to forget it: "${clip(intent.source)}"`);
        break;
      }
      case 'substitute': {
        // Also a memory taken back earlier in the batch: "I'm done with Spanish, switching to German".
        const from = normaliseText(intent.from);
        const named = entries.filter(
          (e) =>
            (!e.deleted || (e.id !== null && e.touched >= 0)) && ` ${normaliseText(e.text)} `.includes(` ${from} `),
        );
        for (const entry of named) {
          entry.deleted = false;
          entry.deleteReason = '';
          entry.text = entry.text.replace(new RegExp(`\\b${escapeRegExp(intent.from)}\\b`, 'i'), intent.to);
          touch(entry);
        }
        break;
      }
      default: {
        const unreachable: never = intent;
        throw new Error(`unknown intent ${JSON.stringify(unreachable)}`);
      }
    }
  }

  function applyAssert(fact: CandidateFact, slot: ResolvedSlot): void {
    const current = live();
    const text = normaliseText(fact.text);
    const same =
      current.find((e) => normaliseText(e.text) === text && inSlot(e, slot)) ??
      current.find((e) => normaliseText(e.text) === text);
    if (same) {
      if (same.id !== null && unchanged(same)) {
        same.repeated = true;
        touch(same);
      }
      return;
    }
    // Taken back earlier in the batch and now said again: the memory stays.
    const revived = entries.find((e) => e.deleted && e.id !== null && unchanged(e) && normaliseText(e.text) === text);
    if (revived) {
      revived.deleted = false;
      revived.deleteReason = '';
      revived.repeated = true;
      touch(revived);
      return;
    }
    const superseded = fact.supersedes
      ? current.find((e) => fact.supersedes!.some((re) => re.test(normaliseText(e.text))))
      : undefined;
    if (superseded) {
      replace(superseded, fact, slot);
      return;
    }
    if (fact.onlyReplaces) return;
    const occupants = current.filter((e) => inSlot(e, slot));
    if (fact.vague && occupants.length > 0) return;
    if (slot.singleValued && occupants.length > 0) {
      const [first, ...rest] = occupants;
      replace(first!, fact, slot);
      for (const other of rest) remove(other, `Replaced by "${fact.text}"`);
      return;
    }
    const entry: Entry = {
      id: null,
      original: null,
      text: fact.text,
      topic: slot.topic,
      subTopic: slot.subTopic,
      categories: fact.categories,
      deleted: false,
      deleteReason: '',
      repeated: false,
      touched: -1,
    };
    entries.push(entry);
    touch(entry);
  }

  function replace(entry: Entry, fact: CandidateFact, slot: ResolvedSlot): void {
    entry.text = fact.text;
    entry.topic = slot.topic;
    entry.subTopic = slot.subTopic;
    entry.categories = fact.categories;
    entry.repeated = entry.id !== null && unchanged(entry);
    touch(entry);
  }

  return entries
    .filter((e) => e.touched >= 0)
    .sort((a, b) => a.touched - b.touched)
    .flatMap((e): MemoryOperation[] => {
      if (e.id === null)
        return e.deleted
          ? []
          : [{ kind: 'ADD', text: e.text, topic: e.topic, subTopic: e.subTopic, categories: e.categories }];
      if (e.deleted) return [{ kind: 'DELETE', memoryId: e.id, reason: e.deleteReason }];
      if (unchanged(e)) return e.repeated ? [{ kind: 'NONE', memoryId: e.id, text: e.original?.text ?? e.text }] : [];
      return [
        {
          kind: 'UPDATE',
          memoryId: e.id,
          text: e.text,
          topic: e.topic,
          subTopic: e.subTopic,
          categories: e.categories,
        },
      ];
    });
}

function unchanged(entry: Entry): boolean {
  const o = entry.original;
  return (
    o !== null &&
    normaliseText(o.text) === normaliseText(entry.text) &&
    sameName(o.topic, entry.topic) &&
    sameName(o.subTopic, entry.subTopic)
  );
}

function inSlot(entry: { topic: string; subTopic: string }, slot: { topic: string; subTopic: string }): boolean {
  return sameName(entry.topic, slot.topic) && sameName(entry.subTopic, slot.subTopic);
}

function inPattern(entry: { topic: string; subTopic: string }, pattern: SlotPattern): boolean {
  return (
    sameName(entry.topic, pattern.topic) && (pattern.subTopic === null || sameName(entry.subTopic, pattern.subTopic))
  );
}

const NEGATED = /\b(?:not|no|never|no longer|doesnt|dont|isnt|cannot)\b/;

/**
 * Whether taking back `fact` removes this memory: the same text anywhere, or
 * a memory of the same slot that names the value ("Lives in Berlin, Germany"
 * for "I no longer live in Berlin"). A negative memory ("Does not eat meat")
 * is never removed by taking back a positive one.
 */
function retracts(fact: CandidateFact, slot: ResolvedSlot, entry: Entry): boolean {
  const text = normaliseText(entry.text);
  if (text === normaliseText(fact.text)) return true;
  if (!inSlot(entry, slot)) return false;
  if (NEGATED.test(text) && !NEGATED.test(normaliseText(fact.text))) return false;
  const value = normaliseText(fact.value);
  return value !== '' && ` ${text} `.includes(` ${value} `);
}

function clip(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 120 ? `${t.slice(0, 117)}...` : t;
}
