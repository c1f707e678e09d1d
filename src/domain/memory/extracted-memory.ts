// What an extracted fact becomes when a batch commits it: one definition for
// every ProcessingRepository adapter (and the fake), so they cannot drift.

import type { BatchCommit } from '../ports.js';
import type { MemoryContent, NewFact } from '../types.js';

/** A memory extracted by a batch: the batch's scope, its blob type as source, categories as tags. */
export function extractedMemoryContent(fact: NewFact, batch: BatchCommit): MemoryContent {
  return {
    text: fact.text,
    topic: fact.topic,
    subTopic: fact.subTopic,
    categories: [...fact.categories],
    title: null,
    summary: null,
    tags: [...new Set(fact.categories)],
    importance: null,
    confidence: fact.confidence ?? null,
    source: batch.source,
    agentId: batch.scope.agentId,
    runId: batch.scope.runId,
    expiresAt: null,
    immutable: false,
  };
}
