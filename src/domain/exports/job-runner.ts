// Runs durable jobs (a row per job, claimed with a lease) in this process:
// one run per id at a time, none started once stopping, and stop() waits
// for the runs in flight. While a run is in flight its lease is renewed
// (a heartbeat), so the lease can be short: a process killed mid-job lets
// another start (or the next one) take the job over within one lease,
// however long a single step of the job takes. Shared by exports and imports.

export class JobRunner<T> {
  private readonly running = new Map<string, Promise<T | null>>();
  private stopping = false;

  constructor(
    private readonly run: (id: string) => Promise<T | null>,
    /** Told about a run that threw (a run reports its job's own failures itself). */
    private readonly onUnexpected: (id: string, error: unknown) => void,
    private readonly heartbeat: { everyMs: number; renew: (id: string) => Promise<void> },
  ) {}

  /** True once stop() was called: a run in flight leaves its job for the next start. */
  get stopped(): boolean {
    return this.stopping;
  }

  start(id: string): Promise<T | null> {
    const existing = this.running.get(id);
    if (existing) return existing;
    if (this.stopping) return Promise.resolve(null);
    const beat = setInterval(() => {
      this.heartbeat.renew(id).catch((error: unknown) => this.onUnexpected(id, error));
    }, this.heartbeat.everyMs);
    beat.unref();
    const run = this.run(id)
      .catch((error: unknown) => {
        this.onUnexpected(id, error);
        return null;
      })
      .finally(() => {
        clearInterval(beat);
        this.running.delete(id);
      });
    this.running.set(id, run);
    return run;
  }

  /** Resolves once the run in flight (if any) is done. */
  async settled(id: string): Promise<void> {
    await this.running.get(id);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled(this.running.values());
  }
}
