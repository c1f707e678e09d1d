// The `memql` command (package.json "bin", through bin/memql.mjs):
//
//   memql keys create|list|revoke, projects list|create, users list, reindex, doctor, ...
//
// Each command lives in ./commands/<name>.command.ts and exports
// `command: CliCommand`; this entry finds them by file name, so adding a
// command is adding a file. Results go to stdout, messages and progress to
// stderr; exit codes are in ./kit/exit-codes.ts (README, "The memql command").

import { readdir } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import { type CliCommand, createCliContext } from './kit/cli-context.js';
import { CliError, EXIT } from './kit/exit-codes.js';
import { processOutput } from './kit/output.js';

const COMMAND_FILE = /^[a-z][a-z0-9-]*\.command\.(ts|js)$/;

async function loadCommands(): Promise<CliCommand[]> {
  const folder = new URL('./commands/', import.meta.url);
  const files = (await readdir(folder)).filter((file) => COMMAND_FILE.test(file)).sort();
  const modules = await Promise.all(
    files.map(async (file) => (await import(new URL(file, folder).href)) as { command?: CliCommand }),
  );
  return modules.flatMap((module, index) => {
    if (!module.command) throw new Error(`src/cli/commands/${files[index]} exports no \`command\``);
    return [module.command];
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  const output = processOutput();
  const cli = createCliContext(output);
  const program = new Command('memql')
    .description('Administer a memql server: keys, projects, users, the vector index, a check of the set-up.')
    .option('--url <url>', 'GraphQL endpoint of the server (default: MEMQL_URL, else http://127.0.0.1:$PORT/graphql)')
    .option(
      '--key-file <file>',
      'file holding the API key to send (default: MEMQL_KEY, MEMQL_ADMIN_KEY, else MEMQL_DATA_DIR/admin.key)',
    )
    .addOption(
      new Option('--progress <mode>', 'progress display: a bar on a terminal, plain lines otherwise')
        .choices(['auto', 'bar', 'lines', 'off'])
        .default('auto'),
    )
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
    });
  // Subcommands made with .command() inherit exitOverride and the output settings.
  for (const command of await loadCommands()) command.register(program, cli);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were printed by commander.
      return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (error instanceof CliError) {
      output.err(`memql: ${error.message}`);
      return error.exitCode;
    }
    output.err(`memql: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT.FAILED;
  }
}

process.exitCode = await main(process.argv.slice(2));
