// Runs memql as a real child process (`node --import tsx src/index.ts`, or
// `npm start` itself), so tests can signal or kill -9 it and start it again.

import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Log lines (parsed pino JSON) seen so far. */
  logs: Record<string, unknown>[];
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Starts the server and resolves once it logs that it is serving. `via: 'npm'` runs `npm start` as a user does. */
export async function startServerProcess(
  env: Record<string, string>,
  timeoutMs = 90_000,
  via: 'node' | 'npm' = 'node',
): Promise<ServerProcess> {
  const [command, args] =
    via === 'npm' ? ['npm', ['start', '--silent']] : [process.execPath, ['--import', 'tsx', 'src/index.ts']];
  const child = spawn(command, args, {
    cwd: ROOT,
    // As in production: NODE_ENV=test (Vitest's) changes library behaviour (Apollo's signal handling).
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start within ${timeoutMs} ms\n${stderr}`)),
      timeoutMs,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before serving\n${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'memql is serving') {
          clearTimeout(timer);
          resolve(String(entry.url));
        }
      } catch {
        // not a log line
      }
    });
  });

  return {
    url,
    child,
    logs,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
