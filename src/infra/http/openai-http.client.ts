// The one HTTP client for OpenAI-compatible APIs (OpenAI, Ollama, vLLM, LM
// Studio, llama.cpp server, proxies): embeddings, chat completions and any
// later endpoint go through `post`. It owns the transport: base URL checks,
// the bearer key, a timeout per attempt, retries with exponential backoff and
// jitter (honouring Retry-After), typed errors (http.errors.ts), response
// validation with zod, and a warning per retry. The key never appears in an
// error or a log line. What a response means is the caller's business.

import { z } from 'zod';
import {
  HttpAbortedError,
  type HttpErrorDetails,
  type HttpErrorKind,
  HttpInvalidResponseError,
  type HttpRequestError,
  HttpStatusError,
  HttpTimeoutError,
  HttpTransportError,
} from './http.errors.js';

/** pino-compatible: structured fields first, then the message. */
export interface HttpLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface OpenAiHttpClientOptions {
  /**
   * API root that request paths are appended to, e.g. `https://api.openai.com/v1`
   * or `http://127.0.0.1:11434/v1` (Ollama). Must be http(s) and carry no
   * credentials (pass the key as `apiKey`); a query or fragment is dropped.
   * The constructor throws a message saying what to fix otherwise.
   */
  baseUrl: string;
  /**
   * Sent as `Authorization: Bearer <apiKey>`. Unset or empty: no header (local
   * servers without auth). Replaced by `[redacted]` wherever it would appear in
   * an error message or a log line.
   * @default undefined
   */
  apiKey?: string | undefined;
  /**
   * Names the API in messages: `<label> request to <url> (model m) failed after 3 attempts: HTTP 503: ...`,
   * and in configuration errors.
   * @default 'OpenAI-compatible'
   */
  label?: string;
  /**
   * Limit of one attempt in ms, for the whole exchange (connecting, headers and
   * body). A timed-out attempt is retried like a network error.
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * Extra attempts after the first one fails with 408, 409, 429, 5xx, a timeout
   * or a network error (and an invalid 2xx body when the call asks for it).
   * Other statuses (400, 401, 404...) are never retried: fix the request or the
   * configuration. 3 means at most 4 requests per call.
   * @default 3
   */
  maxRetries?: number;
  /**
   * Base of the exponential backoff in ms: before retry n (1-based) the client
   * waits a random time in [c/2, c], c = min(backoffBaseMs·2^(n-1), maxRetryDelayMs)
   * ("equal jitter"), unless the server sent Retry-After.
   * @default 500
   */
  backoffBaseMs?: number;
  /**
   * Upper bound in ms of any wait between attempts, including a server's
   * `Retry-After` / `retry-after-ms` (a longer one is cut to this; a blank or
   * unreadable one is ignored and the backoff applies).
   * @default 30000
   */
  maxRetryDelayMs?: number;
  /**
   * Extra request headers (e.g. `OpenAI-Organization`, a proxy's own key
   * header). `content-type`, `accept` and `authorization` are set by the client.
   * @default {}
   */
  headers?: Record<string, string> | undefined;
  /**
   * Told about each retry (endpoint, model, attempt, status, kind, delay and
   * the redacted reason). Failures that end a call are thrown, not logged.
   * @default undefined (silent)
   */
  logger?: HttpLogger | undefined;
}

export interface PostOptions {
  /**
   * Cancels the call, including a backoff wait; it then rejects with
   * `HttpAbortedError` and sends nothing more.
   * @default undefined
   */
  signal?: AbortSignal | undefined;
  /**
   * Attempt budget of this call (at least 1).
   * @default the client's maxAttempts (1 + maxRetries)
   */
  maxAttempts?: number | undefined;
  /**
   * Retry a 2xx whose body is not JSON or fails the schema. Worth it where a
   * fresh answer may differ (a chat model behind a flaky proxy); a
   * deterministic endpoint (embeddings) would only repeat its mistake.
   * @default false
   */
  retryInvalidResponse?: boolean | undefined;
}

export interface HttpResponse<T> {
  /** The response body, parsed by the call's schema. */
  data: T;
  /** HTTP status of the successful answer. */
  status: number;
  /** Requests sent to get it (1 when the first one succeeded). */
  attempts: number;
}

/** Why one attempt did not produce a valid answer. */
interface AttemptFailure {
  kind: Exclude<HttpErrorKind, 'aborted'>;
  status: number | null;
  retryable: boolean;
  /** Human-readable, already redacted. */
  reason: string;
  /** Server-requested wait (Retry-After), in ms. */
  retryAfterMs: number | null;
  cause?: unknown;
}

/** The defaults of OpenAiHttpClientOptions (also MEMQL_LLM_TIMEOUT_MS's and MEMQL_LLM_MAX_RETRIES's). */
export const HTTP_CLIENT_DEFAULTS = {
  timeoutMs: 30_000,
  maxRetries: 3,
  backoffBaseMs: 500,
  maxRetryDelayMs: 30_000,
} as const;

const ERROR_CLASSES = {
  http: HttpStatusError,
  network: HttpTransportError,
  timeout: HttpTimeoutError,
  bad_response: HttpInvalidResponseError,
} as const;

/** Statuses worth retrying: request timeout, conflict (lock contention), rate limit, server errors (as openai-node). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

const errorBodySchema = z.union([
  z.object({ error: z.union([z.string(), z.object({ message: z.string() })]) }),
  z.object({ message: z.string() }),
]);

const SNIPPET_CHARS = 300;

export class OpenAiHttpClient {
  /** The validated API root, without a trailing slash. */
  readonly baseUrl: string;
  readonly label: string;
  /** Requests one call may send by default: 1 + maxRetries. */
  readonly maxAttempts: number;

  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly backoffBaseMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly headers: Record<string, string>;
  private readonly logger: HttpLogger | undefined;

  constructor(options: OpenAiHttpClientOptions) {
    this.label = options.label ?? 'OpenAI-compatible';
    this.baseUrl = validBaseUrl(options.baseUrl, this.label);
    this.apiKey = options.apiKey || undefined;
    const defaults = HTTP_CLIENT_DEFAULTS;
    this.timeoutMs = this.check('timeoutMs', options.timeoutMs ?? defaults.timeoutMs, 1);
    this.maxAttempts = 1 + this.check('maxRetries', options.maxRetries ?? defaults.maxRetries, 0);
    this.backoffBaseMs = this.check('backoffBaseMs', options.backoffBaseMs ?? defaults.backoffBaseMs, 0);
    this.maxRetryDelayMs = this.check('maxRetryDelayMs', options.maxRetryDelayMs ?? defaults.maxRetryDelayMs, 0);
    this.headers = { ...options.headers };
    this.logger = options.logger;
  }

  /** `{baseUrl}/{path}`: the URL a request to `path` goes to. */
  url(path: string): string {
    return `${this.baseUrl}/${path.replace(/^\/+/, '')}`;
  }

  /**
   * POSTs `body` as JSON to `{baseUrl}/{path}` and parses the 2xx answer with
   * `schema`, retrying as the options say. Rejects with an `HttpRequestError`
   * subclass naming the endpoint, the status and the attempts.
   */
  async post<S extends z.ZodType>(
    path: string,
    body: unknown,
    schema: S,
    options: PostOptions = {},
  ): Promise<HttpResponse<z.output<S>>> {
    const endpoint = this.url(path);
    const model = modelOf(body);
    const subject = `${this.label} request to ${endpoint}${model ? ` (model ${model})` : ''}`;
    const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? this.maxAttempts));
    const payload = JSON.stringify(body);
    const { signal } = options;
    const aborted = (attempts: number): HttpAbortedError =>
      new HttpAbortedError(`${subject} aborted by the caller`, { endpoint, status: null, attempts, retryable: false });

    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw aborted(attempt - 1);
      const outcome = await this.attempt(endpoint, payload, schema, signal);
      if (outcome === 'aborted') throw aborted(attempt);
      if (!('reason' in outcome)) return { ...outcome, attempts: attempt };

      const retryable = outcome.retryable || (outcome.kind === 'bad_response' && options.retryInvalidResponse === true);
      if (!retryable || attempt >= maxAttempts) {
        const details: HttpErrorDetails = { endpoint, status: outcome.status, attempts: attempt, retryable };
        const message = `${subject} failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${outcome.reason}`;
        throw new ERROR_CLASSES[outcome.kind](message, details, { cause: outcome.cause }) as HttpRequestError;
      }

      const delayMs = retryDelay(attempt, outcome.retryAfterMs, this.backoffBaseMs, this.maxRetryDelayMs);
      this.logger?.warn(
        { endpoint, model, attempt, maxAttempts, status: outcome.status, kind: outcome.kind, delayMs },
        `${this.label} request failed (${outcome.reason}); retrying in ${delayMs} ms`,
      );
      if (!(await sleep(delayMs, signal))) throw aborted(attempt);
    }
  }

  /** One request: the parsed answer, why it failed, or 'aborted' when the caller's signal fired. */
  private async attempt<S extends z.ZodType>(
    endpoint: string,
    payload: string,
    schema: S,
    callerSignal: AbortSignal | undefined,
  ): Promise<{ data: z.output<S>; status: number } | AttemptFailure | 'aborted'> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    const headers: Record<string, string> = {
      ...this.headers,
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;

    let status: number;
    let responseHeaders: Headers;
    let text: string;
    try {
      const response = await fetch(endpoint, { method: 'POST', headers, body: payload, signal });
      status = response.status;
      responseHeaders = response.headers;
      text = await response.text();
    } catch (error) {
      if (callerSignal?.aborted) return 'aborted';
      if (timeout.aborted) {
        return this.failure('timeout', null, true, `timed out after ${this.timeoutMs} ms`, { cause: error });
      }
      return this.failure('network', null, true, `network error (${this.describe(error)})`, { cause: error });
    }

    if (status < 200 || status > 299) {
      const detail = this.errorDetail(text);
      const retryable = isRetryableStatus(status);
      return this.failure('http', status, retryable, `HTTP ${status}${detail ? `: ${detail}` : ''}`, {
        retryAfterMs: retryable ? parseRetryAfter(responseHeaders) : null,
      });
    }

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.failure(
        'bad_response',
        status,
        false,
        `unexpected response: body is not JSON: ${this.snippet(text)}`,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return this.failure(
        'bad_response',
        status,
        false,
        `unexpected response: ${this.snippet(`${where}${issue?.message ?? 'invalid'}`)} (body: ${this.snippet(text)})`,
      );
    }
    return { data: parsed.data, status };
  }

  private failure(
    kind: AttemptFailure['kind'],
    status: number | null,
    retryable: boolean,
    reason: string,
    extra: { retryAfterMs?: number | null; cause?: unknown } = {},
  ): AttemptFailure {
    return { kind, status, retryable, reason, retryAfterMs: extra.retryAfterMs ?? null, cause: extra.cause };
  }

  /** The server's error message (`{ error: { message } }`, `{ error }` or `{ message }`) or a body snippet. */
  private errorDetail(text: string): string {
    try {
      const parsed = errorBodySchema.safeParse(JSON.parse(text));
      if (parsed.success) {
        const body = parsed.data;
        const message =
          'error' in body ? (typeof body.error === 'string' ? body.error : body.error.message) : body.message;
        return this.snippet(message);
      }
    } catch {
      // Not JSON (an HTML error page from a proxy, say): show a snippet of it.
    }
    return this.snippet(text);
  }

  /** The socket-level code (ECONNREFUSED, UND_ERR_SOCKET...) when there is one, else the message. */
  private describe(error: unknown): string {
    const cause = error instanceof Error ? error.cause : undefined;
    const code = cause && typeof cause === 'object' && 'code' in cause ? String(cause.code) : undefined;
    return this.snippet(code ?? (error instanceof Error ? error.message : String(error)));
  }

  /** Redacted, whitespace-flattened and cut to 300 characters. */
  private snippet(text: string): string {
    const flat = redact(text, this.apiKey).replace(/\s+/g, ' ').trim();
    return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS)}…` : flat;
  }

  private check(name: string, value: number, min: number): number {
    if (!Number.isFinite(value) || value < min || (name === 'maxRetries' && !Number.isInteger(value))) {
      const rule = name === 'maxRetries' ? `an integer >= ${min}` : min > 0 ? 'a number > 0' : `a number >= ${min}`;
      throw new Error(`${this.label} client: ${name} must be ${rule}, got ${value}`);
    }
    return value;
  }
}

/** Replaces every occurrence of `secret` in `text` with `[redacted]` (no-op for an empty secret). */
export function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}

/**
 * The wait a server asked for, in ms: `retry-after-ms` (OpenAI), else
 * `Retry-After` as seconds or an HTTP date. Null when absent, blank,
 * negative or unreadable (the caller's backoff applies then).
 */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | null {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Math.ceil(Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.ceil(seconds * 1000) : null;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Retry-After when given, else equal-jitter exponential backoff; both capped by `maxMs`. */
export function retryDelay(attempt: number, retryAfterMs: number | null, baseMs: number, maxMs: number): number {
  if (retryAfterMs !== null) return Math.min(retryAfterMs, maxMs);
  const ceiling = Math.min(baseMs * 2 ** (attempt - 1), maxMs);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** `baseUrl` checked and normalised (no trailing slash, query or fragment); throws a message saying what to fix. */
function validBaseUrl(baseUrl: string, label: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(
      `${label} client: baseUrl "${baseUrl}" is not a valid URL (expected e.g. https://api.openai.com/v1)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${label} client: baseUrl must be http(s), got "${url.protocol}"`);
  }
  if (url.username || url.password) {
    throw new Error(`${label} client: baseUrl must not contain credentials; pass the key as apiKey`);
  }
  url.search = '';
  url.hash = '';
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url.toString().replace(/\/+$/, '');
}

/** The request's `model` field, named in messages and logs (every OpenAI endpoint has one). */
function modelOf(body: unknown): string | undefined {
  return body && typeof body === 'object' && 'model' in body && typeof body.model === 'string' ? body.model : undefined;
}

/** Waits `ms`; resolves false (early) when `signal` fires. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
