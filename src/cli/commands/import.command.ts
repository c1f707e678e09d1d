// memql import: an export file (memql export, GET /exports/{id}) into a
// project, through the running server, which may be on another machine: the
// file is streamed gzipped to POST /imports (stored in the server's export
// dir), then importExport runs it as a durable job, followed to the end
// (bars on a terminal, plain lines otherwise).

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createGzip } from 'node:zlib';
import { type Command, Option } from 'commander';
import type { CliCommand } from '../kit/cli-context.js';
import { CliError, EXIT } from '../kit/exit-codes.js';
import { followJob } from '../kit/follow-job.js';
import { findProject } from './projects.command.js';

interface ImportView {
  id: string;
  projectId: string;
  status: string;
  progress: { done: number; total: number };
  written: number;
  skipped: number;
  error: string | null;
  errorCode: string | null;
}

const FIELDS = 'id projectId status progress { done total } written skipped error errorCode';

export const command: CliCommand = {
  register(program, cli) {
    program
      .command('import')
      .description('imports an export file into a project (admin key): uploads it, then follows the import job')
      .argument('<file>', 'a file `memql export` wrote')
      .addOption(
        new Option('--on-conflict <mode>', 'records the project already holds: fail (write nothing), skip, overwrite')
          .choices(['fail', 'skip', 'overwrite'])
          .default('fail'),
      )
      .option('--project <id|name>', "the project to import into (default: the key's own)")
      .action(async (file: string, options: { onConflict: string; project?: string }, command: Command) => {
        const info = await stat(file).catch(() => null);
        if (!info?.isFile()) throw new CliError(EXIT.USAGE, `no file ${file}`);
        const api = await cli.api(command);
        const project = options.project ? await findProject(api, options.project) : null;

        const sending = cli.progress(command, 'upload (bytes)');
        sending.start(info.size);
        let sent = 0;
        const source = createReadStream(file);
        source.on('data', (chunk) => {
          sent += chunk.length;
          sending.update(sent);
        });
        const stored = await api.post<{ file: string }>('/imports', source.pipe(createGzip()), {
          'content-type': 'application/x-ndjson',
          'content-encoding': 'gzip',
        });
        sending.stop();

        const { importExport } = await api.request<{ importExport: ImportView }>(
          `mutation CliImport($input: ImportExportInput!) { importExport(input: $input) { ${FIELDS} } }`,
          {
            input: {
              file: stored.file,
              projectId: project?.id ?? null,
              onConflict: options.onConflict.toUpperCase(),
            },
          },
        );
        const job = await followJob(
          importExport,
          async () =>
            (
              await api.request<{ import: ImportView | null }>(
                `query CliImportStatus($id: ID!) { import(id: $id) { ${FIELDS} } }`,
                { id: importExport.id },
              )
            ).import,
          cli.progress(command, 'import (lines)'),
          (last) => ({ ...last, status: 'FAILED', error: 'the import was deleted', errorCode: null }),
        );
        if (job.status !== 'FINISHED')
          throw new CliError(
            job.errorCode === 'BAD_USER_INPUT' ? EXIT.USAGE : EXIT.FAILED,
            `import ${job.id} failed: ${job.error}`,
          );
        cli.err(
          `imported ${job.progress.total} lines into project ${project?.name ?? job.projectId}: ${job.written} records written, ${job.skipped} kept (already there)`,
        );
        cli.out(job.id);
      });
  },
};
