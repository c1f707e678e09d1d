// memql reindex: drops the vector index and rebuilds it from the database
// (chunks and live memories), with the server's settings. Works on the
// stores directly: the server does not need to run, and on the embedded
// default it must not (its folder serves one process).

import type { Command } from 'commander';
import type { CliCommand } from '../kit/cli-context.js';
import { CliError, EXIT } from '../kit/exit-codes.js';

export const command: CliCommand = {
  register(program, cli) {
    program
      .command('reindex')
      .description(
        'rebuilds the vector index from the database (stop the server first on the embedded default); prints the records indexed',
      )
      .action(async (_options: unknown, command: Command) => {
        // Loaded here, not at the top: the stores pull in most of the server, which other commands never need.
        const { indexDepsOf, openStores, StopStack } = await import('../../app.js');
        const { rebuildIndex } = await import('../../domain/indexing/index-maintenance.js');
        const { EmbeddedPostgresLockedError } = await import('../../infra/prisma/embedded-postgres.js');
        const config = cli.config();
        const log = cli.logger('memql-reindex');
        const stack = new StopStack(log);
        try {
          let stores: Awaited<ReturnType<typeof openStores>>;
          try {
            stores = await openStores(config, log, stack);
          } catch (error) {
            if (error instanceof EmbeddedPostgresLockedError)
              throw new CliError(EXIT.UNREACHABLE, `${error.message} (stop the server, then run memql reindex)`);
            throw new CliError(EXIT.UNREACHABLE, `cannot open the stores: ${(error as Error).message}`);
          }
          const { prisma, embedder } = stores;
          const now = new Date();
          const total =
            (await prisma.chunk.count()) +
            (await prisma.memory.count({
              where: { deletedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
            }));
          const progress = cli.progress(command, 'reindex');
          const started = Date.now();
          progress.start(total);
          const indexed = await rebuildIndex(indexDepsOf(stores, log), (count) => progress.update(count));
          progress.stop();
          cli.out(String(indexed));
          cli.err(
            `rebuilt the vector index: ${indexed} records in ${((Date.now() - started) / 1000).toFixed(1)} s (model ${embedder.model})`,
          );
        } finally {
          await stack.stopAll();
        }
      });
  },
};
