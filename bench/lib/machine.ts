// Where and how a benchmark ran: printed with every results table.

import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memory: string;
  node: string;
  os: string;
  date: string;
  commit: string;
}

export async function machineInfo(): Promise<MachineInfo> {
  const commit = await promisify(execFile)('git', ['rev-parse', '--short', 'HEAD'], { cwd: process.cwd() })
    .then(({ stdout }) => stdout.trim())
    .catch(() => 'unknown');
  const dirty = await promisify(execFile)('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: process.cwd(),
  })
    .then(({ stdout }) => (stdout.trim() ? '+changes' : ''))
    .catch(() => '');
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit: commit + dirty,
  };
}

export function machineLine(m: MachineInfo): string {
  return `${m.cpus} cores (${m.cpuModel}), ${m.memory} RAM, Node ${m.node}, ${m.os}; commit ${m.commit}; ${m.date}`;
}

/** Where the calling process is: the shell command that reproduces the run. */
export function commandLine(script: string): string {
  const args = process.argv.slice(2);
  return `npm run ${script}${args.length ? ` -- ${args.join(' ')}` : ''}`;
}
