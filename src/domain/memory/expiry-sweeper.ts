// Deletes memories whose expiresAt has passed. Reads already hide them from
// that instant on (every query compares expiresAt with the clock), so the
// sweep only makes it final: each expired memory is deleted with a history
// entry (actor EXPIRY), its vector removed through the outbox, and the change
// published like any other.

import { SerialLoop } from '../../lib/serial-loop.js';
import type { EventBus, Log, MemoryRepository } from '../ports.js';

/** Memories deleted per transaction; a larger backlog takes several rounds in a row. */
const SWEEP_BATCH = 500;

export class ExpirySweeper {
  private readonly loop: SerialLoop;

  constructor(
    private readonly deps: {
      memories: MemoryRepository;
      bus: EventBus;
      log: Log;
      /** Told after memories were deleted (the indexer). */
      onSwept?: () => void;
      clock?: () => Date;
    },
    intervalMs: number,
  ) {
    this.loop = new SerialLoop(() => this.sweep(), intervalMs);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async sweep(): Promise<void> {
    try {
      const now = this.deps.clock?.() ?? new Date();
      const changes = await this.deps.memories.expire(now, SWEEP_BATCH);
      if (changes.length === 0) return;
      this.deps.onSwept?.();
      for (const change of changes)
        await this.deps.bus.publish({
          type: 'memory.changed',
          projectId: change.projectId,
          userPk: change.userPk,
          change,
        });
      this.deps.log.info({ deleted: changes.length }, 'expired memories deleted');
      if (changes.length === SWEEP_BATCH) this.loop.requestAnotherRound();
    } catch (error) {
      this.deps.log.error({ err: error }, 'expiry sweep failed; retrying on the next sweep');
    }
  }
}
