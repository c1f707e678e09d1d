// memql rotate-encryption-key: encryption at rest, replaces the key-encryption
// key. Every user's data key is unwrapped with MEMQL_ENCRYPTION_KEY and wrapped
// again with MEMQL_NEW_ENCRYPTION_KEY in one transaction, with the database's
// check value; the data itself is not touched (its data keys do not change).
// Opens the database directly: on the embedded default the server must not run.

import type { CliCommand } from '../kit/cli-context.js';
import { CliError, EXIT } from '../kit/exit-codes.js';

export const command: CliCommand = {
  register(program, cli) {
    program
      .command('rotate-encryption-key')
      .description(
        're-wraps every data key from MEMQL_ENCRYPTION_KEY to MEMQL_NEW_ENCRYPTION_KEY (stop the server first on the embedded default); prints the number of keys',
      )
      .action(async () => {
        const config = cli.config();
        const current = config.encryptionKey;
        const next = config.newEncryptionKey;
        if (!current)
          throw new CliError(EXIT.USAGE, 'MEMQL_ENCRYPTION_KEY: required (the key the database is encrypted with)');
        if (!next) throw new CliError(EXIT.USAGE, 'MEMQL_NEW_ENCRYPTION_KEY: required (the key that replaces it)');
        if (current.equals(next))
          throw new CliError(EXIT.USAGE, 'MEMQL_NEW_ENCRYPTION_KEY: is the same as MEMQL_ENCRYPTION_KEY');
        // Loaded here, not at the top: the database pulls in most of the server, which other commands never need.
        const { openDatabase, StopStack } = await import('../../app.js');
        const { EmbeddedPostgresLockedError } = await import('../../infra/prisma/embedded-postgres.js');
        const { EncryptionKeyError } = await import('../../infra/prisma/encryption/user-keys.js');
        const { KeyEncryptionKey } = await import('../../infra/prisma/encryption/envelope.js');
        const log = cli.logger('memql-rotate-encryption-key');
        const stack = new StopStack(log);
        try {
          let keyring: Awaited<ReturnType<typeof openDatabase>>['keyring'];
          try {
            ({ keyring } = await openDatabase(config, log, stack));
          } catch (error) {
            if (error instanceof EmbeddedPostgresLockedError)
              throw new CliError(
                EXIT.UNREACHABLE,
                `${error.message} (stop the server, then run memql rotate-encryption-key)`,
              );
            if (error instanceof EncryptionKeyError) throw new CliError(EXIT.USAGE, error.message);
            throw new CliError(EXIT.UNREACHABLE, `cannot open the database: ${(error as Error).message}`);
          }
          const count = await keyring!.rewrap(new KeyEncryptionKey(next));
          cli.out(String(count));
          cli.err(
            `re-wrapped ${count} data keys with the new key; start every server with MEMQL_ENCRYPTION_KEY set to it (the old key no longer opens this database)`,
          );
        } finally {
          await stack.stopAll();
        }
      });
  },
};
