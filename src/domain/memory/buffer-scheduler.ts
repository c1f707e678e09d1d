// Decides when a user's buffer is processed: past the token threshold, after
// the idle interval since the last insert, on an explicit flush, or when a
// failed batch's retry time comes. The "timer" is a sweep over the database
// state, so it fires after restarts too and needs no per-user timers.

import { SerialLoop } from '../../lib/serial-loop.js';
import { WaitTimeoutError } from '../errors.js';
import type { Log, ProcessingRepository } from '../ports.js';
import type { MemoryEventRecord } from '../types.js';
import type { MemoryProcessor, ProcessOutcome } from './memory-processor.js';

export interface SchedulerOptions {
  tokenThreshold: number;
  idleMs: number;
  /** How often the database is swept for due buffers. */
  sweepMs: number;
  /** Users processed at once by this process (each user is still one batch at a time). */
  concurrency: number;
  /** How long a waiting flush waits for another worker's batch of the same user. */
  waitTimeoutMs: number;
}

export interface FlushResult {
  /** The last batch processed for this flush, if any. */
  event: MemoryEventRecord | null;
  /**
   * Why the last batch failed (the extractor's message, also kept as the
   * buffer's lastError; the batch is retried with backoff), or null.
   */
  error: string | null;
}

export class BufferScheduler {
  private readonly loop: SerialLoop;
  private stopped = true;
  private readonly inFlight = new Set<string>();
  private readonly forced = new Map<string, string>();
  /** Buffered tokens inserted through this process since the user was last processed (an estimate). */
  private readonly tokensSeen = new Map<string, number>();

  constructor(
    private readonly processor: MemoryProcessor,
    private readonly processing: ProcessingRepository,
    private readonly log: Log,
    private readonly options: SchedulerOptions,
  ) {
    this.loop = new SerialLoop(() => this.sweep(), options.sweepMs);
  }

  start(): void {
    this.stopped = false;
    this.loop.start();
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.loop.stop();
  }

  /**
   * A blob entered a user's buffer. Sweeps at once when this process has seen
   * the user's buffer pass the token threshold; everything else (idle
   * buffers, inserts through other processes) is found by the periodic sweep,
   * so an insert costs no extra query.
   */
  noteInserted(userPk: string, tokens: number): void {
    const seen = (this.tokensSeen.get(userPk) ?? 0) + tokens;
    if (seen < this.options.tokenThreshold) {
      this.tokensSeen.set(userPk, seen);
      return;
    }
    this.tokensSeen.delete(userPk);
    this.loop.kick();
  }

  /** Processes the user's buffer in the background, whatever its size or age. */
  requestFlush(user: { userPk: string; projectId: string }): void {
    this.forced.set(user.userPk, user.projectId);
    this.loop.kick();
  }

  /**
   * Processes everything in the user's buffer now and waits for it. Throws
   * WaitTimeoutError when another worker holds the user's batch for longer
   * than `waitTimeoutMs`: that is not "nothing pending".
   */
  async flushAndWait(user: { userPk: string; projectId: string }): Promise<FlushResult> {
    const deadline = Date.now() + this.options.waitTimeoutMs;
    this.tokensSeen.delete(user.userPk);
    let event: MemoryEventRecord | null = null;
    for (;;) {
      const outcome: ProcessOutcome = await this.processor.processNext(user);
      switch (outcome.kind) {
        case 'processed':
          event = outcome.event;
          continue; // more may be pending than one batch takes
        case 'empty':
          return { event, error: null };
        case 'failed':
          return { event, error: outcome.error };
        case 'busy':
          // Another worker (here or in another process) runs this user's batch: wait for it.
          if (Date.now() > deadline) {
            throw new WaitTimeoutError(
              `Another worker is processing this user's buffer and did not finish within ${this.options.waitTimeoutMs} ms; ` +
                'nothing was lost: the buffer shows its state, flush again later',
              { waitedMs: this.options.waitTimeoutMs },
            );
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        default: {
          const unreachable: never = outcome;
          throw new Error(`unknown outcome ${JSON.stringify(unreachable)}`);
        }
      }
    }
  }

  private async sweep(): Promise<void> {
    try {
      const due = await this.processing.dueUsers(new Date(), this.options.idleMs, this.options.tokenThreshold, 64);
      const users = new Map(due.map((user) => [user.userPk, user.projectId]));
      for (const [userPk, projectId] of this.forced) users.set(userPk, projectId);
      this.forced.clear();
      const queue = [...users.entries()].filter(([userPk]) => !this.inFlight.has(userPk));
      const workers = Array.from({ length: Math.min(this.options.concurrency, queue.length) }, async () => {
        for (let next = queue.shift(); next && !this.stopped; next = queue.shift()) {
          const [userPk, projectId] = next;
          this.inFlight.add(userPk);
          this.tokensSeen.delete(userPk);
          try {
            // One batch per sweep and user: a large backlog is spread over sweeps so users take turns.
            await this.processor.processNext({ userPk, projectId });
          } finally {
            this.inFlight.delete(userPk);
          }
        }
      });
      await Promise.all(workers);
      if (due.length === 64) this.loop.requestAnotherRound();
    } catch (error) {
      this.log.error({ err: error }, 'buffer sweep failed; retrying on the next sweep');
    }
  }
}
