// A background loop that runs one round at a time: every `intervalMs`, or at
// once when kicked. A kick during a round asks for another round right after
// it, so no request for work is lost and rounds never overlap.

export class SerialLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  /** `round` must not throw: it reports its own failures. */
  constructor(
    private readonly round: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.round().finally(() => {
      this.running = null;
      const delay = this.again ? 0 : this.intervalMs;
      this.again = false;
      if (!this.stopped) {
        this.timer = setTimeout(() => this.kick(), delay);
        this.timer.unref();
      }
    });
  }

  /** Asks for another round as soon as the current one ends. */
  requestAnotherRound(): void {
    this.again = true;
  }

  /** Resolves when the round in progress (if any) has ended. */
  async idle(): Promise<void> {
    if (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.idle();
  }
}
