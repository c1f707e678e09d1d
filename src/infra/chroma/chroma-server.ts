// Runs an embedded Chroma server (the Rust server shipped in the chromadb npm
// bindings) as a child process on 127.0.0.1.
//
// Why a child process, and why this shape:
// - The binding's `cli()` never returns: called on a thread it owns that thread
//   forever. On the main thread of the memql process it would block the event
//   loop, so it runs in another process.
// - Inside that child the binding runs in a worker thread, which keeps the
//   child's own main thread free to watch its parent: when the parent dies
//   (even by SIGKILL) the child's stdin pipe closes and the child terminates
//   itself instead of lingering. A ppid check backs this up.
// - The child program is a short inline script (`node -e`), so the same code
//   works under tsx, Vitest and compiled dist/ without a separate .js file.
// - Nothing here uses synchronous child_process calls: they would block the
//   event loop that also serves the embedded PostgreSQL (PGlite).
//
// Chroma survives SIGKILL with its data intact (DEPENDENCIES.md), so stop()
// may escalate from SIGTERM to SIGKILL without losing committed writes.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ChromaServerOptions {
  /** Folder where Chroma keeps its SQLite file and HNSW segments. Created if missing. */
  dataDir: string;
  /**
   * TCP port on 127.0.0.1. Default: a free port chosen by the OS (retried if
   * another process grabs it first). An explicit port that is already in use
   * fails fast with an error naming it.
   */
  port?: number;
  /**
   * How long to wait for `/api/v2/heartbeat` to answer, in ms. Default 30,000.
   * On timeout the child is killed and start fails with the URL, the data
   * folder and the server's last output.
   */
  startTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL in stop(), in ms. Default 5,000. */
  stopGraceMs?: number;
  /** Receives each line the server prints. Default: lines are only kept for error messages. */
  onLog?: (line: string) => void;
}

export interface ChromaServer {
  /** Base URL, e.g. http://127.0.0.1:43121 */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Process id of the child (for RSS measurements). */
  readonly pid: number;
  /** True until the child has exited. */
  readonly running: boolean;
  /** Settles when the child exits (for whatever reason), with how: "signal SIGKILL", "code 1". */
  readonly exited: Promise<string>;
  /** SIGTERM, then SIGKILL after the grace period. Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const LOG_TAIL_LINES = 40;
const PORT_ATTEMPTS = 3;

/**
 * The program run in the child. argv: binding path, data dir, host, port.
 * The worker runs the (never returning) Chroma CLI; the main thread exits the
 * whole process when its parent goes away or when the worker stops.
 */
const CHILD_PROGRAM = String.raw`
// Chroma's files are for the server's own OS user only (0600, folders 0700).
process.umask(0o077);
const { Worker } = require('node:worker_threads');
const [bindingPath, dataDir, host, port] = process.argv.slice(1);
const worker = new Worker(
  "const { workerData } = require('node:worker_threads');" +
  "require(workerData.bindingPath).cli(['chroma', 'run', '--path', workerData.dataDir, '--host', workerData.host, '--port', workerData.port]);",
  { eval: true, workerData: { bindingPath, dataDir, host, port } },
);
// process.exit() would try to join the worker, which never returns from native
// code: terminate with a signal instead (Chroma is crash-safe).
const die = (why) => { process.stderr.write('memql chroma child: ' + why + ', exiting\n'); process.kill(process.pid, 'SIGKILL'); };
worker.on('error', (error) => die('server thread failed: ' + (error && error.stack || error)));
worker.on('exit', (code) => die('server thread exited with code ' + code));
process.stdin.on('end', () => die('parent closed stdin'));
process.stdin.on('error', () => die('stdin error'));
process.stdin.resume();
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) die('parent process is gone'); }, 1000);
`;

/** Starts Chroma and resolves once its heartbeat answers. */
export async function startChromaServer(options: ChromaServerOptions): Promise<ChromaServer> {
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const bindingPath = resolveBindingPath();

  if (options.port !== undefined) {
    if (!(await isPortFree(options.port))) {
      throw new Error(`Cannot start Chroma: port ${options.port} on ${HOST} is already in use`);
    }
    return launch(bindingPath, dataDir, options.port, options);
  }

  let lastError: unknown;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await findFreePort();
    try {
      return await launch(bindingPath, dataDir, port, options);
    } catch (error) {
      // Another process may have taken the port between our probe and Chroma's bind.
      if (!(error instanceof ChromaStartError) || !error.exitedEarly) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

class ChromaStartError extends Error {
  constructor(
    message: string,
    readonly exitedEarly: boolean,
  ) {
    super(message);
    this.name = 'ChromaStartError';
  }
}

async function launch(
  bindingPath: string,
  dataDir: string,
  port: number,
  options: ChromaServerOptions,
): Promise<ChromaServer> {
  const url = `http://${HOST}:${port}`;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const stopGraceMs = options.stopGraceMs ?? 5_000;

  // Do not hand the parent's loaders (tsx, Vitest) to the plain child program.
  // biome-ignore lint/style/noProcessEnv: the child inherits the environment as it is (PATH, HOME, locale).
  const env = { ...process.env };
  delete env.NODE_OPTIONS;

  const child = spawn(process.execPath, ['-e', CHILD_PROGRAM, bindingPath, dataDir, HOST, String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env,
  });
  const pid = child.pid;
  const tail: string[] = [];
  const onLine = (line: string): void => {
    const clean = stripAnsi(line).trimEnd();
    if (clean === '') return;
    tail.push(clean);
    if (tail.length > LOG_TAIL_LINES) tail.shift();
    options.onLog?.(clean);
  };
  readLines(child, onLine);

  let exited = false;
  let exitDescription = '';
  const exitedPromise = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      exitDescription = signal ? `signal ${signal}` : `code ${code}`;
      resolve(exitDescription);
    });
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  if (pid === undefined) {
    throw new ChromaStartError(
      `Cannot start Chroma: spawning ${process.execPath} failed: ${(await spawnError).message}`,
      false,
    );
  }

  const describe = (): string =>
    `data dir ${dataDir}, pid ${pid}` +
    (tail.length ? `. Last output:\n  ${tail.slice(-10).join('\n  ')}` : '. No output.');

  const deadline = Date.now() + startTimeoutMs;
  let lastProbeError = '';
  for (;;) {
    if (exited) {
      throw new ChromaStartError(
        `Chroma server exited with ${exitDescription} before answering ${url}/api/v2/heartbeat (${describe()})`,
        true,
      );
    }
    const probe = await heartbeat(url);
    if (probe === true) break;
    lastProbeError = probe;
    if (Date.now() > deadline) {
      await terminate(child, exitedPromise, () => exited, stopGraceMs);
      throw new ChromaStartError(
        `Chroma server did not answer ${url}/api/v2/heartbeat within ${startTimeoutMs} ms (last probe: ${lastProbeError}; ${describe()})`,
        false,
      );
    }
    await sleep(50);
  }

  // A forgotten stop() must not keep the parent alive; when the parent exits,
  // the child's stdin closes and it terminates itself.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }

  let stopping: Promise<void> | null = null;
  return {
    url,
    host: HOST,
    port,
    pid,
    get running() {
      return !exited;
    },
    exited: exitedPromise,
    stop() {
      stopping ??= terminate(child, exitedPromise, () => exited, stopGraceMs);
      return stopping;
    },
  };
}

async function terminate(
  child: ChildProcess,
  exitedPromise: Promise<unknown>,
  hasExited: () => boolean,
  graceMs: number,
): Promise<void> {
  if (hasExited()) return;
  child.ref(); // keep the parent alive until the child is really gone
  child.kill('SIGTERM');
  const timer = sleep(graceMs, 'timeout' as const);
  const outcome = await Promise.race([exitedPromise.then(() => 'exited' as const), timer]);
  if (outcome === 'timeout' && !hasExited()) {
    child.kill('SIGKILL');
    await exitedPromise;
  }
}

/** true when the heartbeat answered 200, otherwise a short reason. */
async function heartbeat(url: string): Promise<true | string> {
  try {
    const response = await fetch(`${url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.ok ? true : `HTTP ${response.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? (error as Error).message;
  }
}

function readLines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    let buffered = '';
    stream.setEncoding('utf8');
    // Always drain the pipes: a full pipe would block the server's writes.
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        onLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
    });
    stream.on('end', () => {
      if (buffered) onLine(buffered);
      buffered = '';
    });
  }
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the ANSI colour codes we strip.
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** The platform package chromadb loads (same mapping as chromadb's own bindings.ts). */
function bindingPackageName(): string {
  const platform = os.platform();
  const arch = os.arch();
  if (platform === 'linux' && (arch === 'x64' || arch === 'arm64')) return `chromadb-js-bindings-linux-${arch}-gnu`;
  if (platform === 'darwin' && (arch === 'x64' || arch === 'arm64')) return `chromadb-js-bindings-darwin-${arch}`;
  if (platform === 'win32' && arch === 'x64') return 'chromadb-js-bindings-win32-x64-msvc';
  throw new Error(`Cannot start Chroma: no chromadb bindings for ${platform}/${arch}`);
}

function resolveBindingPath(): string {
  const name = bindingPackageName();
  try {
    // Resolve from chromadb's own location: npm may nest the bindings under it.
    const chromadbEntry = createRequire(import.meta.url).resolve('chromadb');
    return createRequire(chromadbEntry).resolve(name);
  } catch (error) {
    throw new Error(
      `Cannot start Chroma: the native package ${name} is not installed (${(error as Error).message}). ` +
        'Run npm install; on Debian 12 it must be pinned to 1.0.5 through package.json overrides.',
    );
  }
}

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('Could not pick a free port'))));
    });
  });
}

async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}
