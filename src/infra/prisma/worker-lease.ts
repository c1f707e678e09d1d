// A lease row per kind of work (WorkerLease): taken when free or expired,
// renewed by its holder, on the database's clock so that processes on
// different machines agree on when it expires.

import type { WorkerLease } from '../../domain/ports.js';
import type { PrismaClient } from './generated/client.js';

export class PrismaWorkerLease implements WorkerLease {
  constructor(
    private readonly db: PrismaClient,
    private readonly name: string,
    private readonly holder: string,
    private readonly ttlMs: number,
    /** True for a holder known to be dead (a previous process on this host): taken over without waiting for expiry. */
    private readonly isDead: (holder: string) => boolean = () => false,
  ) {}

  async hold(): Promise<boolean> {
    const seconds = this.ttlMs / 1000;
    const rows = await this.db.$queryRaw<{ holder: string }[]>`
      INSERT INTO "WorkerLease" ("name", "holder", "expiresAt")
      VALUES (${this.name}, ${this.holder}, (now() AT TIME ZONE 'UTC') + make_interval(secs => ${seconds}::float8))
      ON CONFLICT ("name") DO UPDATE SET "holder" = EXCLUDED."holder", "expiresAt" = EXCLUDED."expiresAt"
      WHERE "WorkerLease"."holder" = EXCLUDED."holder" OR "WorkerLease"."expiresAt" < (now() AT TIME ZONE 'UTC')
      RETURNING "holder"`;
    if (rows.length === 1) return true;
    // Held by someone else: take it over at once when that holder is known to be dead (a restart after a crash).
    const current = await this.db.workerLease.findUnique({ where: { name: this.name } });
    if (!current || !this.isDead(current.holder)) return false;
    const taken = await this.db.workerLease.updateMany({
      where: { name: this.name, holder: current.holder },
      data: { holder: this.holder, expiresAt: new Date(Date.now() + this.ttlMs) },
    });
    return taken.count === 1;
  }

  async release(): Promise<void> {
    await this.db.workerLease.deleteMany({ where: { name: this.name, holder: this.holder } });
  }
}
