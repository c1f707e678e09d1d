// Processes one user's buffer: claim the user's lease, take the pending
// blobs, ask the extractor what changed, guard its decisions, and commit
// memories, history, event and buffer state in one transaction. A crash at
// any point before the commit leaves the blobs in the buffer and the lease
// to expire, so the batch runs again, once, after a restart.

import { cosine } from '../../lib/vectors.js';
import type {
  Embedder,
  EventBus,
  Extractor,
  Log,
  MemoryRepository,
  ProcessingRepository,
  ProfileConfigRepository,
} from '../ports.js';
import type { BlobRecord, ChatMessage, ExistingMemory, MemoryEventRecord, MemoryWithEmbedding } from '../types.js';
import { DEFAULT_PROFILE_CONFIG } from '../profile/default-profile.js';
import { resolveOperations } from './decisions.js';

export interface ProcessorOptions {
  /** Identifies this process in leases. */
  workerId: string;
  /** How long a claim lasts; a crashed worker's batch is retried after it. */
  leaseMs: number;
  /** Tokens taken into one batch at most (the rest waits for the next). */
  maxBatchTokens: number;
  /** Memories shown to the extractor at most (the nearest to the batch). */
  maxExistingShown: number;
  /** Backoff after a failed batch: base * 2^(attempts-1), capped. */
  retryBaseMs: number;
  retryMaxMs: number;
}

export type ProcessOutcome =
  | { kind: 'processed'; event: MemoryEventRecord }
  | { kind: 'empty' }
  | { kind: 'busy' }
  | { kind: 'failed'; error: string };

export class MemoryProcessor {
  constructor(
    private readonly deps: {
      processing: ProcessingRepository;
      memories: MemoryRepository;
      profileConfigs: ProfileConfigRepository;
      extractor: Extractor;
      embedder: Embedder;
      events: EventBus;
      log: Log;
      /** Told after a batch that changed memories committed (their index jobs wait in the outbox). */
      onCommitted?: () => void;
      /** Told how each processNext ended and how long it took (metrics). */
      onFinished?: (outcome: ProcessOutcome['kind'], seconds: number) => void;
    },
    private readonly options: ProcessorOptions,
  ) {}

  /** Runs the user's next batch if there is one and nobody else is running it. */
  async processNext(
    user: { userPk: string; projectId: string },
    now: () => Date = () => new Date(),
  ): Promise<ProcessOutcome> {
    const started = performance.now();
    const outcome = await this.tryNext(user, now);
    this.deps.onFinished?.(outcome.kind, (performance.now() - started) / 1000);
    return outcome;
  }

  private async tryNext(user: { userPk: string; projectId: string }, now: () => Date): Promise<ProcessOutcome> {
    const { processing } = this.deps;
    const { workerId } = this.options;
    if (!(await processing.claim(user.userPk, workerId, this.options.leaseMs))) return { kind: 'busy' };
    let blobs: BlobRecord[] = [];
    try {
      blobs = await processing.nextBatch(user.userPk, this.options.maxBatchTokens);
      if (blobs.length === 0) {
        await processing.release(user.userPk, workerId);
        return { kind: 'empty' };
      }
      const event = await this.run(user, blobs, now());
      return { kind: 'processed', event };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const [status] = await processing.status([user.userPk]);
      const attempts = (status?.attempts ?? 0) + 1;
      const delay = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (attempts - 1));
      this.deps.log.warn(
        { userPk: user.userPk, blobs: blobs.length, attempts, retryInMs: delay, err: message },
        'extraction batch failed; will retry',
      );
      await processing.fail(user.userPk, workerId, message, new Date(Date.now() + delay));
      return { kind: 'failed', error: message };
    }
  }

  private async run(
    user: { userPk: string; projectId: string },
    blobs: BlobRecord[],
    now: Date,
  ): Promise<MemoryEventRecord> {
    const { memories, profileConfigs, extractor, embedder } = this.deps;
    const messages = blobs.flatMap(messagesOf);
    // A batch holds one scope and one blob type (ProcessingRepository.nextBatch): what it knows
    // already are the memories of that scope, API-created ones included.
    const first = blobs[0]!;
    const scope = { agentId: first.agentId, runId: first.runId };
    const [existing, profile] = await Promise.all([
      memories.listLiveWithEmbeddings(user.userPk, scope, now),
      profileConfigs.get(user.projectId),
    ]);
    const shown = await this.nearestExisting(existing, messages);
    const result = await extractor.extract({
      messages,
      profile: profile ?? DEFAULT_PROFILE_CONFIG,
      existing: shown,
      now,
    });
    const operations = await resolveOperations(result.operations, existing, (texts) => embedder.embed(texts));
    const { event, changes } = await this.deps.processing.commit({
      projectId: user.projectId,
      userPk: user.userPk,
      scope,
      source: first.content.type,
      workerId: this.options.workerId,
      blobIds: blobs.map((blob) => blob.id),
      summary: result.summary,
      tags: result.tags,
      usage: result.usage,
      operations,
    });
    // Published after the commit: subscribers only ever see what is stored.
    for (const change of changes)
      await this.deps.events.publish({
        type: 'memory.changed',
        projectId: user.projectId,
        userPk: user.userPk,
        change,
      });
    await this.deps.events.publish({ type: 'memory.event', projectId: user.projectId, userPk: user.userPk, event });
    if (changes.length > 0) this.deps.onCommitted?.();
    this.deps.log.info(
      { userPk: user.userPk, blobs: blobs.length, changes: changes.length, extractor: extractor.name },
      'extraction batch committed',
    );
    return event;
  }

  /** All memories when few; else the ones nearest to what the batch talks about. */
  private async nearestExisting(existing: MemoryWithEmbedding[], messages: ChatMessage[]): Promise<ExistingMemory[]> {
    const shown = (memory: MemoryWithEmbedding): ExistingMemory => ({
      id: memory.id,
      text: memory.text,
      topic: memory.topic,
      subTopic: memory.subTopic,
    });
    if (existing.length <= this.options.maxExistingShown) return existing.map(shown);
    const texts = messages.map((m) => m.content).filter((text) => text.trim().length > 0);
    const queries = await this.deps.embedder.embed(texts.slice(0, 64));
    const scored = existing.map((memory) => ({
      memory,
      score: Math.max(...queries.map((q) => cosine(q, memory.embedding))),
    }));
    scored.sort((a, b) => b.score - a.score);
    return scored.slice(0, this.options.maxExistingShown).map((s) => shown(s.memory));
  }
}

/** What the extractor reads of a blob: chat turns as they are, a summary as one message. */
function messagesOf(blob: BlobRecord): ChatMessage[] {
  switch (blob.content.type) {
    case 'CHAT':
      return blob.content.messages.map((message) => ({ ...message, createdAt: message.createdAt ?? blob.createdAt }));
    case 'SUMMARY':
      return [{ role: 'summary', content: blob.content.summary, createdAt: blob.createdAt }];
    default:
      return [];
  }
}
