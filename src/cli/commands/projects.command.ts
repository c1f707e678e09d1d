// memql projects list | create NAME: the server's projects (admin key).

import type { Command } from 'commander';
import type { ApiClient } from '../kit/api-client.js';
import type { CliCommand } from '../kit/cli-context.js';
import { CliError, EXIT } from '../kit/exit-codes.js';
import { formatTable } from '../kit/output.js';

export interface ProjectRow {
  id: string;
  name: string;
  createdAt: string;
}

export async function listProjects(api: ApiClient): Promise<ProjectRow[]> {
  return (await api.request<{ projects: ProjectRow[] }>('query CliProjects { projects { id name createdAt } }'))
    .projects;
}

/** A project named by id or by name. */
export async function findProject(api: ApiClient, idOrName: string): Promise<ProjectRow> {
  const project = (await listProjects(api)).find((p) => p.id === idOrName || p.name === idOrName);
  if (!project)
    throw new CliError(EXIT.NOT_FOUND, `no project with the id or name "${idOrName}" (memql projects list)`);
  return project;
}

export const command: CliCommand = {
  register(program, cli) {
    const projects = program.command('projects').description('projects of the server (admin key)');
    projects
      .command('list')
      .description('every project, oldest first')
      .option('--json', 'one JSON array on stdout')
      .action(async (options: { json?: boolean }, command: Command) => {
        const rows = await listProjects(await cli.api(command));
        if (options.json) cli.out(JSON.stringify(rows));
        else
          for (const line of formatTable(
            ['ID', 'NAME', 'CREATED'],
            rows.map((p) => [p.id, p.name, p.createdAt]),
          ))
            cli.out(line);
      });
    projects
      .command('create')
      .description('creates a project; prints its id')
      .argument('<name>', 'unique name, 1-128 characters')
      .option('--json', 'the project as JSON on stdout')
      .action(async (name: string, options: { json?: boolean }, command: Command) => {
        const { createProject } = await (await cli.api(command)).request<{ createProject: ProjectRow }>(
          'mutation CliCreateProject($name: String!) { createProject(name: $name) { id name createdAt } }',
          { name },
        );
        cli.out(options.json ? JSON.stringify(createProject) : createProject.id);
        if (!options.json) cli.err(`created project "${createProject.name}"`);
      });
  },
};
