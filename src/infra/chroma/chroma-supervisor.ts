// Keeps the embedded Chroma running: when its child process dies (killed,
// crashed, out of memory) it is started again on the same port and data
// folder, after a pause that doubles with each failed attempt (up to
// `maxRestartMs`). Chroma survives kill -9 with its data intact
// (DEPENDENCIES.md), so a restart picks up where the dead server stopped;
// what was not yet written to it is still in the index outbox, and the
// indexer writes it once the server is back (`onUp`).
//
// The port stays the same so that the clients built on `url` keep working:
// should another process take it meanwhile, each attempt fails and the
// supervisor keeps trying, logging why.

import { setTimeout as sleep } from 'node:timers/promises';
import { type ChromaServer, type ChromaServerOptions, startChromaServer } from './chroma-server.js';

export interface ChromaSupervisorLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface ChromaSupervisorOptions extends Omit<ChromaServerOptions, 'port'> {
  log: ChromaSupervisorLog;
  /** Pause before the first restart attempt, in ms; doubles after each failed attempt. */
  restartMs: number;
  /** Longest pause between attempts, in ms. Default 60,000. */
  maxRestartMs?: number;
  /** A server that stayed up this long (ms) resets the pause to `restartMs`. Default 30,000. */
  stableMs?: number;
}

export interface SupervisedChroma {
  /** Base URL; the same across restarts. */
  readonly url: string;
  readonly port: number;
  /** Process id of the running child, null while it is down. */
  readonly pid: number | null;
  /** False from the moment the child dies until a restart answers its heartbeat. */
  readonly up: boolean;
  /** Restarts that succeeded since start. */
  readonly restarts: number;
  /** Calls `listener` after every successful restart. */
  onUp(listener: () => void): void;
  /** Stops the child and any restart in progress. Idempotent. */
  stop(): Promise<void>;
}

export async function superviseChroma(options: ChromaSupervisorOptions): Promise<SupervisedChroma> {
  const { log, restartMs } = options;
  const maxRestartMs = options.maxRestartMs ?? 60_000;
  const stableMs = options.stableMs ?? 30_000;
  let server: ChromaServer | null = await startChromaServer(options);
  const port = server.port;
  const url = server.url;
  let startedAt = Date.now();
  let restarts = 0;
  let stopping = false;
  const abort = new AbortController();
  const listeners: (() => void)[] = [];

  const watch = (running: ChromaServer): void => {
    void running.exited.then((how) => {
      if (stopping || server !== running) return;
      server = null;
      log.error(
        { pid: running.pid, exit: how, upForMs: Date.now() - startedAt },
        'the embedded Chroma died; restarting it (semantic search answers lexically meanwhile)',
      );
      restarting = restart(Date.now() - startedAt >= stableMs ? restartMs : null).finally(() => {
        restarting = null;
      });
    });
  };

  let pause = restartMs;
  let restarting: Promise<void> | null = null;
  const restart = async (fresh: number | null): Promise<void> => {
    if (fresh !== null) pause = fresh;
    for (let attempt = 1; !stopping; attempt++) {
      try {
        await sleep(pause, undefined, { signal: abort.signal });
      } catch {
        return; // stopped while waiting
      }
      pause = Math.min(maxRestartMs, pause * 2);
      if (stopping) return;
      try {
        const started = await startChromaServer({ ...options, port });
        if (stopping) {
          await started.stop();
          return;
        }
        server = started;
        startedAt = Date.now();
        restarts++;
        watch(started);
        log.info({ pid: started.pid, attempt, restarts }, 'the embedded Chroma is back');
        for (const listener of listeners) listener();
        return;
      } catch (error) {
        log.warn({ err: error, attempt, nextAttemptMs: pause }, 'restarting the embedded Chroma failed; trying again');
      }
    }
  };
  watch(server);

  return {
    url,
    port,
    get pid() {
      return server?.pid ?? null;
    },
    get up() {
      return server?.running ?? false;
    },
    get restarts() {
      return restarts;
    },
    onUp(listener) {
      listeners.push(listener);
    },
    async stop() {
      stopping = true;
      abort.abort();
      await restarting; // a start in flight stops what it started
      await server?.stop();
    },
  };
}
