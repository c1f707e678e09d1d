// memql export: a lossless export of the key's project (or some users) to a
// JSON Lines file, through the running server: createExport, its progress
// (a bar on a terminal, plain lines otherwise), then GET /exports/{id}
// (gzip on the wire) into --out.

import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import type { CliCommand } from '../kit/cli-context.js';
import { CliError, EXIT } from '../kit/exit-codes.js';
import { followJob } from '../kit/follow-job.js';

interface ExportView {
  id: string;
  status: string;
  progress: { done: number; total: number };
  bytes: number | null;
  error: string | null;
  downloadPath: string;
}

const FIELDS = 'id status progress { done total } bytes error downloadPath';

export const command: CliCommand = {
  register(program, cli) {
    program
      .command('export')
      .description("a lossless export of the key's project (users, blobs, memories with history, events) as JSON Lines")
      .option('--user <id...>', 'only these users (default: every user)')
      .option('--no-blobs', 'leave the blobs out')
      .option('--out <file>', 'where to write it ("-": stdout; default memql-export-<id>.jsonl)')
      .action(async (options: { user?: string[]; blobs: boolean; out?: string }, command: Command) => {
        const api = await cli.api(command);
        const { createExport } = await api.request<{ createExport: ExportView }>(
          `mutation CliExport($input: CreateExportInput) { createExport(input: $input) { ${FIELDS} } }`,
          { input: { userIds: options.user ?? null, includeBlobs: options.blobs } },
        );
        const job = await followJob(
          createExport,
          async () =>
            (
              await api.request<{ export: ExportView | null }>(
                `query CliExportStatus($id: ID!) { export(id: $id) { ${FIELDS} } }`,
                { id: createExport.id },
              )
            ).export,
          cli.progress(command, 'export (users)'),
          (last) => ({ ...last, status: 'FAILED', error: 'the export was deleted' }),
        );
        if (job.status !== 'FINISHED') throw new CliError(EXIT.FAILED, `export ${job.id} failed: ${job.error}`);

        const response = await api.get(job.downloadPath, { 'accept-encoding': 'gzip' });
        const out = options.out ?? `memql-export-${job.id}.jsonl`;
        const body = Readable.fromWeb(response.body as Parameters<typeof Readable.fromWeb>[0]);
        if (out === '-') await pipeline(body, process.stdout, { end: false });
        else await pipeline(body, createWriteStream(out, { mode: 0o600 }));
        cli.err(`exported ${job.progress.total} users (${job.bytes} bytes) to ${out === '-' ? 'stdout' : out}`);
        if (out !== '-') cli.out(out);
      });
  },
};
