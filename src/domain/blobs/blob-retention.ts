// Forgetting: after blobs are committed, each of their users is brought back
// under its project's blobTokenCap by removing its oldest blobs (their
// memories stay). Run by the index outbox's drain for the UPSERT_BLOB jobs it
// completes, off the insert's path and durably: a crash before the jobs are
// completed runs the check again.

import { DEFAULT_BLOB_TOKEN_CAP } from '../profile/default-profile.js';
import type { BlobRetentionRepository, EventBus, Log, ProfileConfigRepository } from '../ports.js';

interface Owner {
  projectId: string;
  userPk: string;
}

export class BlobRetention {
  constructor(
    private readonly deps: {
      retention: BlobRetentionRepository;
      profileConfigs: ProfileConfigRepository;
      events: EventBus;
      log: Log;
      /** After blobs were forgotten: their DELETE_BLOB index jobs are waiting. */
      onForgotten?: () => void;
    },
  ) {}

  /** Forgets the oldest blobs of each user (once per user) that holds more than its project's cap; returns the blobs removed. */
  async enforce(owners: readonly Owner[]): Promise<number> {
    const users = new Map(owners.map((owner) => [owner.userPk, owner]));
    const caps = new Map<string, Promise<number>>();
    const capOf = (projectId: string) => {
      let cap = caps.get(projectId);
      if (!cap) {
        cap = this.deps.profileConfigs.get(projectId).then((config) => config?.blobTokenCap ?? DEFAULT_BLOB_TOKEN_CAP);
        caps.set(projectId, cap);
      }
      return cap;
    };
    // One read for the round's users: most are under their cap, and each check
    // alone was a statement per blob on the insert-heavy path.
    const stored = await this.deps.retention.storedTokens([...users.keys()]);
    let removed = 0;
    for (const owner of users.values()) {
      const cap = await capOf(owner.projectId);
      if ((stored.get(owner.userPk) ?? 0) <= cap) continue;
      const forgotten = await this.deps.retention.forgetOldest(owner, cap);
      if (!forgotten) continue;
      removed += forgotten.blobIds.length;
      this.deps.log.info(
        { userPk: owner.userPk, blobs: forgotten.blobIds.length, tokens: forgotten.tokens },
        "forgot a user's oldest blobs past the project's blob token cap",
      );
      await this.deps.events.publish({ type: 'memory.event', ...owner, event: forgotten.event });
    }
    if (removed > 0) this.deps.onForgotten?.();
    return removed;
  }
}
