// memql doctor: checks the configuration, the database, Chroma, the
// embedder, the LLM endpoint, Redis and a running server, and says what is
// wrong. Exit 0 when nothing failed, 1 otherwise (warnings do not fail).

import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../../config.js';
import type { CheckResult } from '../doctor/checks.js';
import type { CliCommand } from '../kit/cli-context.js';
import { CliError, EXIT } from '../kit/exit-codes.js';

export const command: CliCommand = {
  register(program, cli) {
    program
      .command('doctor')
      .description('checks the configuration, database, Chroma, embedder, LLM endpoint and Redis; says what is wrong')
      .option('--json', 'the checks as one JSON array on stdout')
      .action(async (options: { json?: boolean }, command: Command) => {
        const results: CheckResult[] = [];
        const report = (result: CheckResult) => {
          results.push(result);
          if (!options.json) cli.out(`${result.status.padEnd(4)}  ${result.check.padEnd(12)}  ${result.detail}`);
        };
        let config: ReturnType<typeof loadConfig> | null = null;
        try {
          config = loadConfig();
          report({
            check: 'config',
            status: 'ok',
            detail: `database ${config.database.kind}, vector store ${config.chroma.kind}, embeddings ${config.embeddings.provider}, extractor ${config.llm.provider}, data dir ${config.dataDir}`,
          });
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          report({ check: 'config', status: 'fail', detail: error.message.replace(/\n\s*/g, ' ') });
        }
        if (config) {
          // Loaded here, not at the top: the checks pull in the server's adapters, which other commands never need.
          const { checkDatabase, checkEmbedder, checkLlm, checkRedis, checkServer, checkVectorStore, serverHealth } =
            await import('../doctor/checks.js');
          const url = command.optsWithGlobals<{ url?: string }>().url ?? config.cli.url;
          const health = await serverHealth(url);
          const log = cli.logger('memql-doctor');
          report(checkServer(url, health));
          report(await checkDatabase(config, health));
          report(await checkVectorStore(config, health));
          report(await checkEmbedder(config, log));
          report(await checkLlm(config, log));
          report(await checkRedis(config));
        }
        if (options.json) cli.out(JSON.stringify(results));
        const failed = results.filter((r) => r.status === 'fail');
        if (failed.length)
          throw new CliError(EXIT.FAILED, `${failed.length} check(s) failed: ${failed.map((r) => r.check).join(', ')}`);
      });
  },
};
