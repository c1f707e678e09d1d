import type { BlobRecord } from '../../domain/types.js';
import type { BlobView } from './blob.type.js';

/** Flattens a domain blob into the shape the GraphQL Blob types read. */
export function toBlobView(blob: BlobRecord): BlobView & Record<string, unknown> {
  return {
    ...blob.content,
    id: blob.id,
    createdAt: blob.createdAt,
    metadata: blob.metadata,
    userPk: blob.userPk,
    agentId: blob.agentId,
    runId: blob.runId,
  };
}
