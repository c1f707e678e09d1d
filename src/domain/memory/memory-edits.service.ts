// Writing memories through the API: create, patch, delete, the same in
// batches of up to 1,000 (all or nothing), delete by filter, and reset a
// user. Each write commits the memories, their history (actor API) and their
// index jobs in one transaction, then publishes every change on the event bus.

import { isUuid } from '../../lib/ids.js';
import { BadInputError, MemoryEditConflict, NotFoundError } from '../errors.js';
import type { Embedder, EventBus, MemoryEdit, MemoryRepository } from '../ports.js';
import type { MemoryChangeRecord, MemoryRecord, UserRecord, Viewer } from '../types.js';
import { parseMemoryFilter } from './memory-filter.js';
import {
  applyMemoryPatch,
  type CreateMemoryCommand,
  type MemoryFieldsCommand,
  type ValidMemory,
  validateNewMemory,
} from './memory-input.js';

export const MAX_BATCH_ITEMS = 1_000;
/** Texts embedded per call when a batch changes many texts. */
const EMBED_BATCH = 64;

export interface UpdateMemoriesItem {
  id: string;
  input: MemoryFieldsCommand;
}

export interface ResetResult {
  memoriesDeleted: number;
  eventsDeleted: number;
  blobsDeleted: number;
}

/** Told after memories changed (the indexer: their jobs wait in the outbox). */
export type MemoriesChangedListener = () => void;

export class MemoryEditService {
  private readonly listeners: MemoriesChangedListener[] = [];

  constructor(
    private readonly memories: MemoryRepository,
    private readonly embedder: Embedder,
    private readonly bus: EventBus,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  onChanged(listener: MemoriesChangedListener): void {
    this.listeners.push(listener);
  }

  /** Writes a memory directly (no extraction); recorded as an ADD by the API and indexed like an extracted one. */
  async create(user: UserRecord, input: CreateMemoryCommand): Promise<MemoryRecord> {
    const valid = validateNewMemory(input, this.clock());
    const [embedding] = await this.embedder.embed([valid.content.text]);
    const { memory, change } = await this.memories.create({
      ...valid.content,
      projectId: user.projectId,
      userPk: user.pk,
      metadata: valid.metadata,
      embedding: embedding!,
    });
    await this.published([change]);
    return memory;
  }

  /** A patch: fields left out keep their value. Immutable memories are refused. */
  async update(viewer: Viewer, id: string, input: MemoryFieldsCommand): Promise<MemoryRecord> {
    const memory = await this.find(viewer, id);
    if (!memory) throw new NotFoundError('Memory', id);
    if (memory.immutable)
      throw new BadInputError(
        'immutable',
        'the memory is immutable: it cannot be updated (delete it or create another)',
      );
    const [edit] = await this.updateEdits([{ memory, patch: input, field: 'input' }]);
    await this.commit([edit!], () => new NotFoundError('Memory', id));
    return (await this.memories.findById(viewer.projectId, id))!;
  }

  async delete(viewer: Viewer, id: string): Promise<boolean> {
    const memory = await this.find(viewer, id);
    if (!memory) throw new NotFoundError('Memory', id);
    await this.commit([{ kind: 'DELETE', memory }], () => new NotFoundError('Memory', id));
    return true;
  }

  /** Up to 1,000 patches in one transaction; any bad item fails the call, naming its index, and nothing changes. */
  async updateMany(viewer: Viewer, items: readonly UpdateMemoriesItem[]): Promise<MemoryRecord[]> {
    const memories = await this.batchTargets(
      viewer,
      items.map((item) => item.id),
      'inputs',
      (i) => `inputs[${i}].id`,
    );
    memories.forEach((memory, i) => {
      if (memory.immutable)
        throw new BadInputError(`inputs[${i}].immutable`, `memory "${memory.id}" is immutable: it cannot be updated`);
    });
    const edits = await this.updateEdits(
      memories.map((memory, i) => ({ memory, patch: items[i]!.input, field: `inputs[${i}].input` })),
    );
    await this.commit(edits, (index) => new BadInputError(`inputs[${index}].id`, 'the memory was deleted meanwhile'));
    const updated = await this.memories.findByIds(memories.map((memory) => memory.id));
    return updated.map((memory) => memory!);
  }

  /** Up to 1,000 deletions in one transaction; any bad id fails the call, naming its index. */
  async deleteMany(viewer: Viewer, ids: readonly string[]): Promise<number> {
    const memories = await this.batchTargets(viewer, ids, 'ids', (i) => `ids[${i}]`);
    await this.commit(
      memories.map((memory) => ({ kind: 'DELETE', memory })),
      (index) => new BadInputError(`ids[${index}]`, 'the memory was deleted meanwhile'),
    );
    return memories.length;
  }

  /** Deletes the user's memories that the filter selects (all live ones without a filter); returns how many. */
  async deleteWhere(user: UserRecord, filter: unknown): Promise<number> {
    const selection = parseMemoryFilter(filter);
    const changes = await this.memories.deleteWhere(user.pk, selection, this.clock());
    await this.published(changes);
    return changes.length;
  }

  /** Deletes the user's memories (recorded), events and buffer state; keeps the user and, by default, its blobs. */
  async reset(user: UserRecord, keepBlobs: boolean): Promise<ResetResult> {
    const { changes, eventsDeleted, blobsDeleted } = await this.memories.reset(user, keepBlobs);
    await this.published(changes);
    return { memoriesDeleted: changes.length, eventsDeleted, blobsDeleted };
  }

  // ------------------------------------------------------------------ internals

  /** A live, unexpired memory of the viewer's project, or null. */
  private async find(viewer: Viewer, id: string): Promise<MemoryRecord | null> {
    const memory = isUuid(id) ? await this.memories.findById(viewer.projectId, id) : null;
    return memory && isEditable(memory, this.clock()) ? memory : null;
  }

  /** The memories a batch names, in order, or BAD_USER_INPUT naming the first bad item. */
  private async batchTargets(
    viewer: Viewer,
    ids: readonly string[],
    field: string,
    itemField: (index: number) => string,
  ): Promise<MemoryRecord[]> {
    if (ids.length > MAX_BATCH_ITEMS)
      throw new BadInputError(field, `holds ${ids.length} items; the limit is ${MAX_BATCH_ITEMS}`);
    const seen = new Map<string, number>();
    ids.forEach((id, i) => {
      const earlier = seen.get(id);
      if (earlier !== undefined) throw new BadInputError(itemField(i), `repeats the memory of item ${earlier}`);
      seen.set(id, i);
    });
    const found = await this.memories.findByIds(ids.filter(isUuid));
    const byId = new Map(found.filter((m): m is MemoryRecord => m !== null).map((m) => [m.id, m]));
    const now = this.clock();
    return ids.map((id, i) => {
      const memory = byId.get(id);
      if (!memory || memory.projectId !== viewer.projectId || !isEditable(memory, now))
        throw new BadInputError(itemField(i), `no live memory "${id}" in this project`);
      return memory;
    });
  }

  /** Validates the patches (errors name `field`) and embeds the texts that change. */
  private async updateEdits(
    items: readonly { memory: MemoryRecord; patch: MemoryFieldsCommand; field: string }[],
  ): Promise<MemoryEdit[]> {
    const now = this.clock();
    const patched = items.map(({ memory, patch, field }) => {
      const current: ValidMemory = { content: memory, metadata: memory.metadata };
      return { memory, next: applyMemoryPatch(current, patch, now, field) };
    });
    const changed = patched.filter(({ memory, next }) => next.content.text !== memory.text);
    const embeddings = new Map<string, number[]>();
    for (let i = 0; i < changed.length; i += EMBED_BATCH) {
      const batch = changed.slice(i, i + EMBED_BATCH);
      const vectors = await this.embedder.embed(batch.map(({ next }) => next.content.text));
      batch.forEach(({ memory }, j) => {
        embeddings.set(memory.id, vectors[j]!);
      });
    }
    return patched.map(({ memory, next }) => ({
      kind: 'UPDATE',
      memory,
      after: next.content,
      metadata: next.metadata,
      embedding: embeddings.get(memory.id) ?? null,
    }));
  }

  private async commit(edits: MemoryEdit[], conflict: (index: number) => Error): Promise<void> {
    let changes: MemoryChangeRecord[];
    try {
      changes = await this.memories.applyEdits(edits);
    } catch (error) {
      if (error instanceof MemoryEditConflict) throw conflict(error.index);
      throw error;
    }
    await this.published(changes);
  }

  /** After the commit: subscribers only ever see what is stored. */
  private async published(changes: readonly MemoryChangeRecord[]): Promise<void> {
    if (changes.length === 0) return;
    for (const listener of this.listeners) listener();
    for (const change of changes)
      await this.bus.publish({ type: 'memory.changed', projectId: change.projectId, userPk: change.userPk, change });
  }
}

/** Live and not expired: what the API may still change. */
function isEditable(memory: MemoryRecord, now: Date): boolean {
  return memory.deletedAt === null && (memory.expiresAt === null || memory.expiresAt > now);
}
