// The guard between an extractor's decisions and the store. Whatever the
// extractor (an LLM or the rules) says, memql never writes a duplicate, an
// UPDATE that changes nothing, or two changes to one memory in one batch, and
// never changes an immutable memory: an UPDATE of one becomes a new memory
// (the contradicting fact is kept beside it), a DELETE of one is dropped.

import { cosine } from '../../lib/vectors.js';
import type { ResolvedOperation } from '../ports.js';
import type { MemoryOperation, MemoryWithEmbedding, NewFact } from '../types.js';

/** Facts at least this similar to a live memory of the same slot are the same fact. */
export const DUPLICATE_SIMILARITY = 0.95;

export function normaliseFactText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Turns extractor operations into the writes to make. `embed` returns the
 * embeddings of the new or changed texts, in order.
 */
export async function resolveOperations(
  operations: readonly MemoryOperation[],
  existing: readonly MemoryWithEmbedding[],
  embed: (texts: string[]) => Promise<number[][]>,
): Promise<ResolvedOperation[]> {
  const byId = new Map(existing.map((memory) => [memory.id, memory]));
  const writes = operations.filter(
    (op): op is Extract<MemoryOperation, { kind: 'ADD' | 'UPDATE' }> => op.kind === 'ADD' || op.kind === 'UPDATE',
  );
  const embeddings = writes.length ? await embed(writes.map((op) => op.text)) : [];
  const embeddingOf = new Map(writes.map((op, i) => [op, embeddings[i]!]));

  const touched = new Set<string>();
  const added: { fact: NewFact; embedding: number[] }[] = [];
  const resolved: ResolvedOperation[] = [];
  const addUnlessKnown = (fact: NewFact, embedding: number[]) => {
    const duplicateOfExisting = existing.some(
      (memory) => !touched.has(memory.id) && isDuplicate(memory, memory.embedding, fact, embedding),
    );
    const duplicateInBatch = added.some((other) => isDuplicate(other.fact, other.embedding, fact, embedding));
    if (duplicateOfExisting || duplicateInBatch) return;
    added.push({ fact, embedding });
    resolved.push({ kind: 'ADD', fact, embedding });
  };
  for (const op of operations) {
    switch (op.kind) {
      case 'NONE':
        break;
      case 'DELETE': {
        const current = byId.get(op.memoryId);
        if (!current || current.immutable || touched.has(op.memoryId)) break;
        touched.add(op.memoryId);
        resolved.push({ kind: 'DELETE', memoryId: op.memoryId });
        break;
      }
      case 'UPDATE': {
        const current = byId.get(op.memoryId);
        if (!current || touched.has(op.memoryId)) break;
        const fact = factOf(op);
        if (sameFact(current, fact)) break; // nothing would change: NONE
        if (current.immutable) {
          addUnlessKnown(fact, embeddingOf.get(op)!);
          break;
        }
        touched.add(op.memoryId);
        resolved.push({ kind: 'UPDATE', memoryId: op.memoryId, fact, embedding: embeddingOf.get(op)! });
        break;
      }
      case 'ADD':
        addUnlessKnown(factOf(op), embeddingOf.get(op)!);
        break;
      default: {
        const unreachable: never = op;
        throw new Error(`unknown memory operation ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return resolved;
}

function factOf(op: NewFact): NewFact {
  const fact: NewFact = {
    text: op.text.trim(),
    topic: op.topic,
    subTopic: op.subTopic,
    categories: [...new Set(op.categories)],
  };
  if (typeof op.confidence === 'number' && op.confidence >= 0 && op.confidence <= 1) fact.confidence = op.confidence;
  return fact;
}

function sameFact(a: NewFact, b: NewFact): boolean {
  return normaliseFactText(a.text) === normaliseFactText(b.text) && a.topic === b.topic && a.subTopic === b.subTopic;
}

function isDuplicate(
  known: NewFact,
  knownEmbedding: readonly number[],
  fact: NewFact,
  embedding: readonly number[],
): boolean {
  if (normaliseFactText(known.text) === normaliseFactText(fact.text)) return true;
  return (
    known.topic === fact.topic &&
    known.subTopic === fact.subTopic &&
    cosine(knownEmbedding, embedding) >= DUPLICATE_SIMILARITY
  );
}
