// What every command of the memql CLI gets: where to print, the settings
// (read once, the server's own), a client for the server's GraphQL API, a
// progress display. Commands live in ../commands/*.command.ts, one file each.

import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type Config, ConfigError, loadConfig } from '../../config.js';
import { readAdminKey } from '../../infra/admin-key.file.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { ApiClient } from './api-client.js';
import { CliError, EXIT } from './exit-codes.js';
import { createProgress, type Output, type Progress, type ProgressMode } from './output.js';

/** The options every command accepts (declared on the program in memql.ts). */
export interface GlobalOptions {
  url?: string;
  keyFile?: string;
  progress: ProgressMode;
}

export interface CliContext extends Output {
  /** The settings (MEMQL_*, DATABASE_URL, ...), as the server reads them; an invalid one exits 2. */
  config(): Config;
  /** A client for the running server's GraphQL API, with the key from --key-file, MEMQL_KEY or the admin key. */
  api(command: Command): Promise<ApiClient>;
  /** A progress display for this command (--progress: a bar on a terminal, lines otherwise). */
  progress(command: Command, label: string): Progress;
  /** A logger on stderr, for the parts shared with the server (migrations, stores). */
  logger(name: string): Logger;
}

/** A command module: `export const command: CliCommand = { register(program, cli) { ... } }`. */
export interface CliCommand {
  register(program: Command, cli: CliContext): void;
}

export function createCliContext(output: Output): CliContext {
  let config: Config | null = null;
  const loaded = (): Config => {
    if (config) return config;
    try {
      config = loadConfig();
      return config;
    } catch (error) {
      if (error instanceof ConfigError) throw new CliError(EXIT.USAGE, error.message);
      throw error;
    }
  };
  return {
    ...output,
    config: loaded,
    async api(command) {
      const options = command.optsWithGlobals<GlobalOptions>();
      const settings = loaded();
      const url = options.url ?? settings.cli.url;
      if (!/^https?:\/\//.test(url)) throw new CliError(EXIT.USAGE, `--url: "${url}" is not an http(s) URL`);
      let key: string | null;
      if (options.keyFile) {
        try {
          key = (await readFile(options.keyFile, 'utf8')).trim() || null;
        } catch (error) {
          throw new CliError(EXIT.USAGE, `--key-file: cannot read ${options.keyFile} (${(error as Error).message})`);
        }
      } else {
        key = settings.cli.key ?? (await readAdminKey(settings.dataDir));
      }
      return new ApiClient(url, key);
    },
    progress: (command, label) => createProgress(label, output, command.optsWithGlobals<GlobalOptions>().progress),
    logger: (name) => {
      const level = loaded().logLevel;
      // Warnings and errors only unless LOG_LEVEL asks for more: stdout carries the results.
      return createLogger(level === 'info' ? 'warn' : level, name, 2);
    },
  };
}
