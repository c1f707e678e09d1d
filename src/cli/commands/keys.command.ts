// memql keys create | list | revoke: API keys (admin key). Through the
// server's API, so a revocation closes the key's open sockets on every
// server process at once.

import type { Command } from 'commander';
import type { CliCommand } from '../kit/cli-context.js';
import { formatTable } from '../kit/output.js';
import { findProject, listProjects, type ProjectRow } from './projects.command.js';

interface KeyRow {
  id: string;
  projectId: string;
  name: string | null;
  prefix: string;
  role: 'ADMIN' | 'PROJECT';
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const KEYS = `query CliKeys($projectId: ID!) {
  apiKeys(projectId: $projectId) { id projectId name prefix role createdAt lastUsedAt revokedAt }
}`;

export const command: CliCommand = {
  register(program, cli) {
    const keys = program.command('keys').description('API keys (admin key); secrets are shown once, at creation');
    keys
      .command('create')
      .description('creates a key for a project; prints the secret alone on stdout (shown once)')
      .requiredOption('--project <id|name>', 'the project the key works on')
      .option('--name <name>', 'a label for the key, 1-128 characters')
      .option('--json', '{ id, name, projectId, secret } on stdout')
      .action(async (options: { project: string; name?: string; json?: boolean }, command: Command) => {
        const api = await cli.api(command);
        const project = await findProject(api, options.project);
        const { createApiKey } = await api.request<{
          createApiKey: { id: string; name: string | null; projectId: string; secret: string };
        }>(
          `mutation CliCreateKey($projectId: ID!, $name: String) {
            createApiKey(projectId: $projectId, name: $name) { id name projectId secret }
          }`,
          { projectId: project.id, name: options.name ?? null },
        );
        if (options.json) {
          cli.out(JSON.stringify(createApiKey));
        } else {
          cli.out(createApiKey.secret);
          cli.err(`created key ${createApiKey.id} for project "${project.name}"; the secret above is not shown again`);
        }
      });
    keys
      .command('list')
      .description("a project's keys (every project's without --project), revoked ones included; never a secret")
      .option('--project <id|name>', 'only this project')
      .option('--json', 'one JSON array on stdout')
      .action(async (options: { project?: string; json?: boolean }, command: Command) => {
        const api = await cli.api(command);
        const projects: ProjectRow[] = options.project
          ? [await findProject(api, options.project)]
          : await listProjects(api);
        const rows: (KeyRow & { project: string })[] = [];
        for (const project of projects) {
          const { apiKeys } = await api.request<{ apiKeys: KeyRow[] }>(KEYS, { projectId: project.id });
          rows.push(...apiKeys.map((key) => ({ ...key, project: project.name })));
        }
        if (options.json) {
          cli.out(JSON.stringify(rows));
          return;
        }
        const table = formatTable(
          ['ID', 'PROJECT', 'NAME', 'PREFIX', 'ROLE', 'CREATED', 'LAST USED', 'REVOKED'],
          rows.map((k) => [k.id, k.project, k.name, k.prefix, k.role, k.createdAt, k.lastUsedAt, k.revokedAt]),
        );
        for (const line of table) cli.out(line);
      });
    keys
      .command('revoke')
      .description('revokes a key by id: it stops working at once, its open WebSocket connections are closed')
      .argument('<id>', "the key's id (memql keys list)")
      .action(async (id: string, _options: unknown, command: Command) => {
        const { revokeApiKey } = await (await cli.api(command)).request<{ revokeApiKey: boolean }>(
          'mutation CliRevokeKey($id: ID!) { revokeApiKey(id: $id) }',
          { id },
        );
        cli.err(revokeApiKey ? `revoked key ${id}` : `key ${id} was already revoked`);
      });
  },
};
