// memql users list: the users of the key's project (the admin key acts on
// the default project; --key-file with a project key lists that project's).

import type { Command } from 'commander';
import type { CliCommand } from '../kit/cli-context.js';
import { formatTable } from '../kit/output.js';

interface UserRow {
  id: string;
  createdAt: string;
  blobCount: number;
  memoryCount: number;
}

const PAGE = 100;

export const command: CliCommand = {
  register(program, cli) {
    const users = program.command('users').description("users of the key's project");
    users
      .command('list')
      .description("every user of the key's project (the admin key: the default project), oldest first")
      .option('--json', 'one JSON array on stdout')
      .action(async (options: { json?: boolean }, command: Command) => {
        const api = await cli.api(command);
        const rows: UserRow[] = [];
        let after: string | null = null;
        for (;;) {
          const page: {
            users: { edges: { node: UserRow }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
          } = await api.request(
            `query CliUsers($first: Int!, $after: String) {
              users(first: $first, after: $after) {
                edges { node { id createdAt blobCount memoryCount } }
                pageInfo { hasNextPage endCursor }
              }
            }`,
            { first: PAGE, after },
          );
          rows.push(...page.users.edges.map((edge) => edge.node));
          if (!page.users.pageInfo.hasNextPage || !page.users.pageInfo.endCursor) break;
          after = page.users.pageInfo.endCursor;
        }
        if (options.json) {
          cli.out(JSON.stringify(rows));
          return;
        }
        const table = formatTable(
          ['ID', 'CREATED', 'BLOBS', 'MEMORIES'],
          rows.map((u) => [u.id, u.createdAt, String(u.blobCount), String(u.memoryCount)]),
        );
        for (const line of table) cli.out(line);
      });
  },
};
