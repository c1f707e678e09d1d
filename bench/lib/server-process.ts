// Runs memql as a child process (`node dist/index.js`, compiled first as
// `npm start` does), the way it is deployed,
// so the benchmark's clients do not share its event loop and its memory can
// be read from /proc: its own, and that of the embedded Chroma child.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createScratchDatabase } from '../../src/infra/prisma/scratch-database.js';
import { generateSecret } from '../../src/lib/secrets.js';

export interface ServerProcess {
  url: string;
  wsUrl: string;
  adminKey: string;
  pid: number;
  /** The embedded Chroma child, or null with CHROMA_URL. */
  chroma: { pid: number; url: string } | null;
  /** The Chroma the server talks to (embedded or CHROMA_URL). */
  chromaUrl: string;
  /** The server's own scratch database with DATABASE_URL; null on the embedded PGlite. */
  databaseUrl: string | null;
  /** Peak resident set (VmHWM) so far, in MiB, of the server and of its Chroma child. */
  peakRss(): Promise<{ server: number; chroma: number | null }>;
  /** From spawning the process until it logged that it is serving, in ms. */
  startMs: number;
  /** Log entries at level error or above (pino level >= 50) so far, the first 200. */
  errorLogs: Record<string, unknown>[];
  /** SIGTERM, wait, remove the data directory (unless the caller gave it). Idempotent. */
  stop(): Promise<void>;
}

/**
 * `env` is added to the bench's own environment (which may hold DATABASE_URL
 * and CHROMA_URL). With DATABASE_URL, each server gets a fresh database
 * created on that PostgreSQL server and dropped by stop(); a fresh database
 * also makes memql rebuild, that is empty, its Chroma collections. Resolves
 * once the server logs that it is serving.
 */
let compiled = false;
/** What `npm start` runs first: dist/ compiled from this checkout's src/ (skipped when up to date). */
function compileServerOnce(): void {
  if (compiled) return;
  execFileSync(process.execPath, ['scripts/build-server.mjs'], { stdio: 'inherit' });
  compiled = true;
}

export async function startServerProcess(
  env: Record<string, string>,
  options: {
    timeoutMs?: number;
    /** Serve this data directory (a restart on existing data); kept by stop(). Embedded default only. */
    dataDir?: string;
    /** The admin key the data directory was created with. */
    adminKey?: string;
    /** Called with every line the server writes to stdout (e.g. `--trace-gc` output beside the logs). */
    onStdoutLine?: (line: string) => void;
  } = {},
): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'memql-bench-server-')));
  const adminKey = options.adminKey ?? generateSecret();
  const database = process.env.DATABASE_URL
    ? await createScratchDatabase(process.env.DATABASE_URL, 'memql_bench_')
    : null;
  compileServerOnce();
  const spawned = performance.now();
  // MEMQL_BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server under load.
  const nodeArgs = (process.env.MEMQL_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, 'dist/index.js'], {
    cwd: process.cwd(),
    env: {
      // As `npm start` and the Docker image run it (README, "Memory"); the bench's own MALLOC_ARENA_MAX wins.
      MALLOC_ARENA_MAX: '2',
      ...process.env,
      LOG_LEVEL: 'info',
      ...env,
      ...(database ? { DATABASE_URL: database.url } : {}),
      PORT: '0',
      HOST: '127.0.0.1',
      MEMQL_DATA_DIR: dataDir,
      MEMQL_ADMIN_KEY: adminKey,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const remember = (line: string) => {
    tail.push(line);
    if (tail.length > 30) tail.shift();
  };
  createInterface({ input: child.stderr! }).on('line', remember);

  const errorLogs: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    options.onStdoutLine?.(line);
    const entry = parseJson(line);
    if (entry && typeof entry.level === 'number' && entry.level >= 50 && errorLogs.length < 200) errorLogs.push(entry);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`memql did not start within ${options.timeoutMs ?? 180_000} ms`)),
      options.timeoutMs ?? 180_000,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n--- last output ---\n${tail.join('\n')}`));
    };
    child.once('exit', (code, signal) => fail(new Error(`memql exited during start (code ${code}, signal ${signal})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      remember(line);
      const entry = parseJson(line);
      if (entry?.msg === 'memql is serving' && typeof entry.url === 'string') {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(entry.url);
      }
    });
  });

  const startMs = performance.now() - spawned;
  let stopped: Promise<void> | null = null;
  const pid = child.pid!;
  const chroma = process.env.CHROMA_URL ? null : await findChromaChild(pid);
  const chromaUrl = process.env.CHROMA_URL ?? chroma?.url;
  if (!chromaUrl) throw new Error('could not find the embedded Chroma child of the memql server');
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    adminKey,
    pid,
    chroma,
    chromaUrl,
    databaseUrl: database?.url ?? null,
    peakRss: async () => ({ server: await vmHwmMiB(pid), chroma: chroma ? await vmHwmMiB(chroma.pid) : null }),
    startMs,
    errorLogs,
    stop: () =>
      (stopped ??= (async () => {
        await stopChild(child);
        if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
        await database?.drop();
      })()),
  };
}

function parseJson(line: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(line) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null; // not a log line of ours (a library printing to stdout)
  }
}

/** The child of `parentPid` running the Chroma bindings; its argv ends with host and port. */
export async function findChromaChild(parentPid: number): Promise<{ pid: number; url: string }> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid !== parentPid) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean);
    if (!argv.some((arg) => arg.includes('chromadb-js-bindings'))) continue;
    const [host, port] = argv.slice(-2);
    return { pid: Number(entry), url: `http://${host}:${port}` };
  }
  throw new Error(`no Chroma child process found under pid ${parentPid}`);
}

/** Resident set size of a process now (VmRSS), in MiB. */
export async function vmRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

/** Samples a process's resident set every 100 ms from now; stop() gives the size at the start and the peak seen. */
export async function sampleRss(pid: number): Promise<{ stop(): { before: number; peak: number } }> {
  const before = await vmRssMiB(pid);
  let peak = before;
  const sampler = setInterval(() => {
    vmRssMiB(pid).then(
      (rss) => {
        peak = Math.max(peak, rss);
      },
      () => {},
    );
  }, 100);
  return {
    stop() {
      clearInterval(sampler);
      return { before, peak };
    },
  };
}

/** Peak resident set size of a process (VmHWM), in MiB. */
export async function vmHwmMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}
