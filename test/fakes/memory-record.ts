// A stored memory as the repositories return it, for unit tests that build
// the store's state by hand: every optional field empty unless given.

import type { MemoryContent, MemoryRecord } from '../../src/domain/types.js';

/** A memory's content with every optional field empty (text left blank). */
export const BLANK_MEMORY_CONTENT: MemoryContent = {
  text: '',
  topic: 'general',
  subTopic: 'note',
  categories: [],
  title: null,
  summary: null,
  tags: [],
  importance: null,
  confidence: null,
  source: null,
  agentId: null,
  runId: null,
  expiresAt: null,
  immutable: false,
};

export function memoryRecord(
  fields: Pick<MemoryRecord, 'id' | 'text' | 'topic' | 'subTopic'> & Partial<MemoryRecord>,
): MemoryRecord {
  const at = fields.createdAt ?? new Date('2025-01-01T00:00:00Z');
  return {
    ...BLANK_MEMORY_CONTENT,
    projectId: 'p',
    userPk: 'u',
    metadata: null,
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
    ...fields,
  };
}
