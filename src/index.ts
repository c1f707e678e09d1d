// Entry point: load the configuration, build the app, serve until SIGTERM/SIGINT.

import { ConfigError, loadConfigOrExit } from './config.js';
import { EmbeddedServices } from './embedded-services.js';
import { createLogger } from './lib/logger.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit('memql');
  const log = createLogger(config.logLevel);
  // Listened for before anything starts: a signal that arrives while the
  // server starts (or right after it logs that it serves) stops it cleanly
  // once it is up, instead of killing it with its database open.
  let stopping = false;
  let stopWhenBuilt: (() => void) | null = null;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, withinSeconds: config.shutdownMs / 1000 }, 'shutting down');
    // A backstop: whatever still holds the process after the shutdown time and a margin, it exits.
    setTimeout(() => {
      log.error({ signal }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, config.shutdownMs + 15_000).unref();
    if (stopWhenBuilt) stopWhenBuilt();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  // The embedded database and Chroma start in their own thread and process
  // while the rest of the server's code loads (seconds each; they overlap).
  const services = new EmbeddedServices(config, log).startAll();
  const app = await import('./app.js')
    .then(({ buildApp }) => buildApp(config, log, services))
    .catch(async (error: unknown) => {
      await services.stop();
      throw error;
    });
  stopWhenBuilt = () =>
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  if (stopping) stopWhenBuilt();
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    // A setting to fix: the message says which and how; a stack trace would only hide it.
    process.stderr.write(`memql: failed to start: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `memql: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
