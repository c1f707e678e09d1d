// Use cases for blobs: insert (validated, chunked, committed with its index
// job in one transaction), read, list and delete, scoped by project.

import { isUuid } from '../../lib/ids.js';
import { estimateTokens } from '../../lib/tokens.js';
import { NotFoundError } from '../errors.js';
import type { BlobListFilter, BlobRepository } from '../ports.js';
import type { BlobContent, BlobRecord, NewChunk, Page, UserRecord, Viewer } from '../types.js';
import { pageRequest } from '../validation.js';
import { type BlobCommand, validateBlob } from './blob-input.js';
import { chunkBlob } from './chunking.js';

/** Told after a blob is committed (the indexer, the extraction buffer); `bufferTokens` is 0 for blobs outside the buffer. */
export type BlobInsertedListener = (blob: BlobRecord, bufferTokens: number) => void;

export class BlobService {
  private readonly listeners: BlobInsertedListener[] = [];

  constructor(private readonly blobs: BlobRepository) {}

  onInserted(listener: BlobInsertedListener): void {
    this.listeners.push(listener);
  }

  /** Acknowledged once committed; indexing follows through the outbox. */
  async insert(user: UserRecord, input: BlobCommand, now: Date = new Date()): Promise<BlobRecord> {
    const valid = validateBlob(input);
    const buffer = entersBuffer(valid.content) ? { tokens: bufferTokens(valid.content) } : null;
    const chunks = chunkBlob(valid.content);
    const blob = await this.blobs
      .insert({
        projectId: user.projectId,
        userPk: user.pk,
        content: valid.content,
        metadata: valid.metadata,
        createdAt: valid.createdAt ?? now,
        chunks,
        buffer,
        tokens: storedTokens(chunks),
        agentId: valid.agentId,
        runId: valid.runId,
      })
      .catch((error: unknown) => {
        // Deleted while this insert was on its way: NOT_FOUND by the id the client knows.
        if (error instanceof NotFoundError && error.entity === 'User') throw new NotFoundError('User', user.id);
        throw error;
      });
    for (const listener of this.listeners) listener(blob, buffer?.tokens ?? 0);
    return blob;
  }

  /** Null when absent or in another project. */
  find(viewer: Viewer, id: string): Promise<BlobRecord | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.blobs.findById(viewer.projectId, id);
  }

  async delete(viewer: Viewer, id: string): Promise<boolean> {
    const blob = await this.find(viewer, id);
    if (!blob) throw new NotFoundError('Blob', id);
    await this.blobs.delete(blob);
    return true;
  }

  list(
    user: UserRecord,
    filter: BlobListFilter,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Page<BlobRecord>> {
    return this.blobs.listByUser(user.pk, filter, pageRequest(first, after));
  }
}

/** The tokens a blob stores, as usage and the blob token cap count them: chunks cover all of its text. */
export function storedTokens(chunks: readonly NewChunk[]): number {
  return chunks.reduce((total, chunk) => total + estimateTokens(chunk.text), 0);
}

/** Chats and summaries are what users say about themselves: they feed extraction. */
export function entersBuffer(content: BlobContent): boolean {
  return content.type === 'CHAT' || content.type === 'SUMMARY';
}

export function bufferTokens(content: BlobContent): number {
  switch (content.type) {
    case 'CHAT':
      return content.messages.reduce((sum, message) => sum + estimateTokens(message.content), 0);
    case 'SUMMARY':
      return estimateTokens(content.summary);
    default:
      return 0;
  }
}
