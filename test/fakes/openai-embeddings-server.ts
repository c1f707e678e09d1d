// A scripted OpenAI-compatible embeddings server for tests, on 127.0.0.1 at
// an ephemeral port. `POST …/embeddings` is answered by, in order:
//   1. the next queued step (`enqueue`), consumed once;
//   2. otherwise deterministic embeddings: each input text is hashed into
//      `dimension` numbers (same text, same vector; not normalised, so clients
//      must normalise).
// Every request is recorded (method, path, headers, parsed body).
//
//   const server = await startOpenAiEmbeddingsServer({ dimension: 8 });
//   server.enqueue({ status: 429, retryAfterMs: 0 });
//   const embedder = await OpenAiEmbedder.create({ baseUrl: server.url, model: 'm' });
//   expect(server.requests).toHaveLength(2);
//   await server.stop();

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface EmbeddingsRequestBody {
  model?: string;
  input?: string | string[];
  dimensions?: number;
  [key: string]: unknown;
}

export interface RecordedEmbeddingsRequest {
  index: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: EmbeddingsRequestBody | null;
}

/** One scripted answer. Without `status`, 200 with deterministic embeddings. */
export interface EmbeddingsStep {
  status?: number;
  /** Raw response body (JSON-encoded when not a string). Default for errors: an OpenAI-style error object. */
  body?: unknown;
  /** Sets `retry-after-ms`. */
  retryAfterMs?: number;
  /** Waits this long before answering (to provoke client timeouts). */
  delayMs?: number;
}

export interface OpenAiEmbeddingsServer {
  /** API root, e.g. http://127.0.0.1:40123/v1 */
  readonly url: string;
  readonly requests: RecordedEmbeddingsRequest[];
  enqueue(...steps: EmbeddingsStep[]): void;
  stop(): Promise<void>;
}

export async function startOpenAiEmbeddingsServer(
  options: { dimension?: number } = {},
): Promise<OpenAiEmbeddingsServer> {
  const dimension = options.dimension ?? 16;
  const steps: EmbeddingsStep[] = [];
  const requests: RecordedEmbeddingsRequest[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: EmbeddingsRequestBody | null = null;
        try {
          body = raw ? (JSON.parse(raw) as EmbeddingsRequestBody) : null;
        } catch {
          body = null;
        }
        requests.push({
          index: requests.length + 1,
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body,
        });

        const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
        };
        if (req.method !== 'POST' || !(req.url ?? '').endsWith('/embeddings')) {
          send(404, { error: { message: `no route ${req.method} ${req.url}` } });
          return;
        }
        const step = steps.shift();
        if (step?.delayMs) await new Promise((resolve) => setTimeout(resolve, step.delayMs));
        if (step?.status !== undefined && step.status !== 200) {
          const headers: Record<string, string> =
            step.retryAfterMs !== undefined ? { 'retry-after-ms': String(step.retryAfterMs) } : {};
          send(
            step.status,
            step.body ?? { error: { message: `scripted failure ${step.status}`, type: 'scripted' } },
            headers,
          );
          return;
        }
        if (step?.body !== undefined) {
          send(200, step.body);
          return;
        }
        const inputs = body?.input === undefined ? [] : Array.isArray(body.input) ? body.input : [body.input];
        if (inputs.length === 0 || inputs.some((input) => typeof input !== 'string' || input === '')) {
          send(400, { error: { message: "'input' must be a non-empty string or array of non-empty strings" } });
          return;
        }
        const size = typeof body?.dimensions === 'number' ? body.dimensions : dimension;
        send(200, {
          object: 'list',
          model: body?.model ?? 'unknown',
          // Reversed on purpose: clients must order by `index`.
          data: inputs
            .map((input, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(input, size) }))
            .reverse(),
          usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
        });
      })();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (...more) => steps.push(...more),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Deterministic pseudo-embedding of a text (not normalised). */
export function fakeEmbedding(text: string, dimension: number): number[] {
  let state = 2166136261;
  for (let i = 0; i < text.length; i++) state = Math.imul(state ^ text.charCodeAt(i), 16777619) >>> 0;
  return Array.from({ length: dimension }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32 - 0.5) * 3;
  });
}
