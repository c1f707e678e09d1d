// A scripted OpenAI-compatible chat server for tests. Listens on 127.0.0.1
// at an ephemeral port and answers `POST …/chat/completions` from a script,
// so tests (unit and end-to-end) can drive an LLM adapter deterministically
// and assert on what it sent.
//
//   const llm = await startScriptedLlmServer();
//   llm.enqueue({ status: 429, retryAfter: 0 }, { json: { operations: [] , summary: '', tags: [] } });
//   const client = new OpenAiChatClient({ baseUrl: llm.url, model: 'test' });
//   ... exercise the code ...
//   expect(llm.requests).toHaveLength(2);
//   await llm.stop();
//
// How a request is answered, in order:
//   1. the next queued step, if any (`enqueue`), consumed once;
//   2. otherwise the default responder (`start({ responder })` / `setResponder`);
//   3. otherwise HTTP 400 with "scripted-llm-server: no step queued for request #n",
//      a status clients do not retry, so an unscripted call fails fast and says why.
//
// Also served: `GET …/models` (a one-model list, for clients that probe it).
// Anything else is 404.

import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A message as sent in a chat-completions request. */
export interface RecordedChatMessage {
  role: string;
  content: string;
}

/** The parsed body of a chat-completions request (fields the tests care about). */
export interface RecordedChatBody {
  model?: string;
  messages: RecordedChatMessage[];
  temperature?: number;
  max_tokens?: number;
  response_format?: { type: string };
  [key: string]: unknown;
}

/** One request received by the server, in arrival order. */
export interface RecordedRequest {
  /** 1-based arrival index. */
  index: number;
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lower-cased header names, as Node delivers them. */
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or null when the body was absent or not JSON (see `rawBody`). */
  body: RecordedChatBody | null;
  rawBody: string;
  /** Convenience: the content of every message, joined with blank lines ('' if none). */
  promptText: string;
}

/**
 * What to answer to one request. Fields combine; all are optional.
 *
 * - `json`: content is `JSON.stringify(json)` (the usual case for a JSON-mode model).
 * - `raw`: content verbatim (malformed JSON, fenced JSON, prose...). Not with `json`.
 * - `status`: reply with this HTTP status and an OpenAI-style error body
 *   `{ error: { message } }` instead of a completion (unless `status` is 2xx).
 * - `retryAfter`: sets the `Retry-After` header (seconds, or an HTTP-date string).
 * - `errorMessage`: the error body's message for a non-2xx `status`.
 * - `finishReason`: the choice's `finish_reason`; default `'stop'`. Use `'length'`
 *   to simulate truncation (pair with a cut-off `raw`).
 * - `usage`: the reported token usage; default: prompt ≈ request chars / 4,
 *   completion ≈ content chars / 4. `null` omits `usage` from the response.
 * - `delayMs`: wait this long before answering (to trigger client timeouts). A step
 *   with only `delayMs` answers `{}` as content after the wait. If the client hangs
 *   up meanwhile, the step is still consumed and nothing is sent.
 * - `dropConnection`: destroy the socket without answering (a network error).
 * - `httpBody`: send this HTTP body verbatim (with `status`, default 200) instead of a
 *   completion or error envelope: an HTML page from a proxy, a truncated body...
 * - `headers`: extra response headers.
 */
export interface ScriptedReply {
  json?: unknown;
  raw?: string;
  status?: number;
  retryAfter?: number | string;
  errorMessage?: string;
  finishReason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  delayMs?: number;
  dropConnection?: boolean;
  httpBody?: string;
  headers?: Record<string, string>;
}

/** Computes the reply from the request (e.g. to assert on the prompt or echo ids back). */
export type Responder = (request: RecordedRequest) => ScriptedReply | Promise<ScriptedReply>;

/** A queued step: a fixed reply or a responder used for exactly one request. */
export type ScriptStep = ScriptedReply | Responder;

export interface ScriptedLlmServerOptions {
  /** Answers requests when the queue is empty. Default: none (HTTP 400, see above). */
  responder?: Responder;
  /** Model name reported in responses and by `GET /models`. Default `'scripted'`. */
  model?: string;
  /** Path prefix of the API; `url` ends with it. Default `'/v1'`. */
  basePath?: string;
}

export interface ScriptedLlmServer {
  /** Base URL to give a client, e.g. `http://127.0.0.1:40123/v1`. */
  readonly url: string;
  /** Every request received, in order (including unscripted and non-chat ones). */
  readonly requests: RecordedRequest[];
  /**
   * Errors thrown by responders (a failed `expect` inside one, say), in order.
   * The request that hit them got HTTP 500 with the message, which a client
   * retries, so check this list to see the original failure.
   */
  readonly responderErrors: Error[];
  /** Chat-completion requests only, in order. */
  chatRequests(): RecordedRequest[];
  /** Appends steps to the queue. */
  enqueue(...steps: ScriptStep[]): void;
  /** Queued steps not yet consumed (assert 0 at the end to catch unused script). */
  pending(): number;
  /** Replaces (or with undefined removes) the default responder. */
  setResponder(responder: Responder | undefined): void;
  /** Clears the queue and the recorded requests; keeps the responder. */
  reset(): void;
  /** Closes the server and every open connection; pending delays are cancelled. Idempotent. */
  stop(): Promise<void>;
}

export async function startScriptedLlmServer(options: ScriptedLlmServerOptions = {}): Promise<ScriptedLlmServer> {
  const model = options.model ?? 'scripted';
  const basePath = (options.basePath ?? '/v1').replace(/\/+$/, '');
  let responder = options.responder;
  const queue: ScriptStep[] = [];
  const requests: RecordedRequest[] = [];
  const responderErrors: Error[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let completionCounter = 0;
  let stopped = false;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const body = parseBody(rawBody);
      const path = req.url ?? '/';
      const recorded: RecordedRequest = {
        index: requests.length + 1,
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        body,
        rawBody,
        promptText: body ? body.messages.map((m) => m.content).join('\n\n') : '',
      };
      requests.push(recorded);
      const pathname = path.split('?')[0] ?? path;

      if (req.method === 'GET' && pathname === `${basePath}/models`) {
        return sendJson(res, 200, { object: 'list', data: [{ id: model, object: 'model', owned_by: 'scripted' }] });
      }
      if (req.method !== 'POST' || pathname !== `${basePath}/chat/completions`) {
        return sendError(res, 404, `scripted-llm-server: no route for ${req.method} ${pathname}`);
      }
      if (!body) return sendError(res, 400, 'scripted-llm-server: request body is not a JSON chat-completions request');

      void answer(recorded, res).catch((error: unknown) => {
        responderErrors.push(error instanceof Error ? error : new Error(String(error)));
        const message = error instanceof Error ? error.message : String(error);
        if (!res.headersSent) sendError(res, 500, `scripted-llm-server: responder threw: ${message}`);
      });
    });
  });

  async function answer(request: RecordedRequest, res: ServerResponse): Promise<void> {
    const step = queue.shift();
    const source = step ?? responder;
    if (!source) {
      return sendError(res, 400, `scripted-llm-server: no step queued for request #${request.index}`);
    }
    const reply = typeof source === 'function' ? await source(request) : source;
    if (reply.json !== undefined && reply.raw !== undefined) {
      throw new Error('a step may set `json` or `raw`, not both');
    }
    if (reply.delayMs) {
      const closed = await wait(reply.delayMs, res);
      if (closed) return;
    }
    if (reply.dropConnection) {
      res.socket?.destroy();
      return;
    }
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.retryAfter !== undefined) headers['retry-after'] = String(reply.retryAfter);

    const status = reply.status ?? 200;
    if (reply.httpBody !== undefined) {
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(reply.httpBody);
      return;
    }
    if (status < 200 || status > 299) {
      return sendError(res, status, reply.errorMessage ?? `scripted error ${status}`, headers);
    }
    const content = reply.raw ?? JSON.stringify(reply.json ?? {});
    const usage =
      reply.usage === undefined
        ? { prompt_tokens: Math.ceil(request.promptText.length / 4), completion_tokens: Math.ceil(content.length / 4) }
        : reply.usage;
    completionCounter += 1;
    sendJson(
      res,
      status,
      {
        id: `chatcmpl-scripted-${completionCounter}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: request.body?.model ?? model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: reply.finishReason ?? 'stop' }],
        ...(usage ? { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } } : {}),
      },
      headers,
    );
  }

  /** Resolves true if the client hung up before `ms` elapsed. */
  function wait(ms: number, res: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const onClose = (): void => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.off('close', onClose);
        resolve(false);
      }, ms);
      timers.add(timer);
      res.once('close', onClose);
    });
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    requests,
    responderErrors,
    chatRequests: () =>
      requests.filter((r) => r.method === 'POST' && r.path.split('?')[0]?.endsWith('/chat/completions')),
    enqueue: (...steps) => {
      queue.push(...steps);
    },
    pending: () => queue.length,
    setResponder: (next) => {
      responder = next;
    },
    reset: () => {
      queue.length = 0;
      requests.length = 0;
      responderErrors.length = 0;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function parseBody(raw: string): RecordedChatBody | null {
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null || !Array.isArray((value as { messages?: unknown }).messages))
      return null;
    const body = value as RecordedChatBody;
    body.messages = body.messages.map((m) => ({
      role: String(m.role),
      content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content),
    }));
    return body;
  } catch {
    return null;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { message, type: 'scripted_error', code: status } }, headers);
}
