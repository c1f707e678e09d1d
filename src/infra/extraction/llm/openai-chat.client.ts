// A small client for any OpenAI-compatible `POST {baseUrl}/chat/completions`
// (OpenAI, Ollama, vLLM, LM Studio, llama.cpp server...). Node's global fetch,
// no SDK. It owns transport concerns only: timeouts, retries with backoff,
// and typed errors. What the content means is the caller's business.

import { z } from 'zod';
import { LlmError, redact } from './llm.errors.js';

export interface LlmLogger {
  /** pino-compatible: structured fields first, then the message. */
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface ChatMessageParam {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatCompletion {
  /** The first choice's message content ('' when the server sent null, e.g. a refusal). */
  content: string;
  /** 'stop', 'length' (truncated by max tokens), ... or null when the server does not say. */
  finishReason: string | null;
  /** Token counts as reported by the server; null when it reports none. */
  usage: { promptTokens: number; completionTokens: number } | null;
  /** Requests sent to get this answer (1 when the first one succeeded). */
  attempts: number;
}

export interface ChatCompleteOptions {
  /** Cancels the call, including any backoff wait; rejects with an `aborted` LlmError. */
  signal?: AbortSignal;
  /** Attempt budget for this call; defaults to the client's `maxAttempts`. */
  maxAttempts?: number;
}

/** What the extractor needs from a chat model; `OpenAiChatClient` is the real one. */
export interface ChatClient {
  readonly model: string;
  /** The URL requests go to, without credentials (for messages and logs). */
  readonly endpoint: string;
  /** Total requests one `complete` call may send: 1 + maxRetries. */
  readonly maxAttempts: number;
  complete(messages: readonly ChatMessageParam[], options?: ChatCompleteOptions): Promise<ChatCompletion>;
}

export interface OpenAiChatClientOptions {
  /**
   * API root that `/chat/completions` is appended to, e.g.
   * `https://api.openai.com/v1` or `http://localhost:11434/v1` (Ollama).
   * Must be http(s) and carry no credentials; the constructor throws otherwise.
   */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. Omit for local servers that need none. Never logged. */
  apiKey?: string;
  /** Model name sent with every request, e.g. `gpt-4o-mini` or `qwen2.5:7b`. */
  model: string;
  /** Per-attempt limit for the whole exchange (headers and body). Default 60 000 ms. */
  timeoutMs?: number;
  /**
   * Extra attempts after the first one fails with 429, 5xx, a timeout, a
   * network error or an unreadable 2xx body. Other 4xx are never retried.
   * Default 2 (so 3 attempts in all).
   */
  maxRetries?: number;
  /**
   * Base of the exponential backoff: before retry n (1-based) the client waits
   * a random time in [b·2^(n-1)/2, b·2^(n-1)], capped by `maxRetryDelayMs`.
   * Default 500 ms.
   */
  backoffBaseMs?: number;
  /**
   * Upper bound for any wait between attempts, including a server's
   * `Retry-After` / `retry-after-ms` (a longer one is cut to this). Default 30 000 ms.
   */
  maxRetryDelayMs?: number;
  /** Sampling temperature. Default 0 (as deterministic as the server allows). */
  temperature?: number;
  /**
   * Sends `response_format: { type: "json_object" }` (JSON mode). Default true.
   * Turn off for servers that reject the field; callers must then cope with
   * prose around the JSON.
   */
  jsonMode?: boolean;
  /** Sent as `max_tokens` when set; otherwise the server's default applies. */
  maxTokens?: number;
  /** Extra request headers (e.g. `OpenAI-Organization`, a proxy's key header). */
  headers?: Record<string, string>;
  /** Receives one warning per retried attempt. Default: silent. */
  logger?: LlmLogger;
}

const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullish() }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: z.object({ prompt_tokens: z.number().nullish(), completion_tokens: z.number().nullish() }).nullish(),
});

/** Outcome of one attempt that did not produce a completion. */
interface AttemptFailure {
  kind: 'http' | 'timeout' | 'network' | 'bad_response';
  status: number | null;
  retryable: boolean;
  /** Human-readable reason, already redacted. */
  reason: string;
  /** Server-requested wait (Retry-After), in ms. */
  retryAfterMs: number | null;
  cause?: unknown;
}

export class OpenAiChatClient implements ChatClient {
  readonly model: string;
  readonly endpoint: string;
  readonly maxAttempts: number;

  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly backoffBaseMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly temperature: number;
  private readonly jsonMode: boolean;
  private readonly maxTokens: number | undefined;
  private readonly headers: Record<string, string>;
  private readonly logger: LlmLogger | undefined;

  constructor(options: OpenAiChatClientOptions) {
    this.endpoint = chatCompletionsUrl(options.baseUrl);
    if (!options.model.trim()) throw new Error('OpenAiChatClient: model must not be empty');
    this.model = options.model;
    this.apiKey = options.apiKey || undefined;
    this.timeoutMs = positive('timeoutMs', options.timeoutMs ?? 60_000);
    this.maxAttempts = 1 + nonNegativeInt('maxRetries', options.maxRetries ?? 2);
    this.backoffBaseMs = nonNegative('backoffBaseMs', options.backoffBaseMs ?? 500);
    this.maxRetryDelayMs = nonNegative('maxRetryDelayMs', options.maxRetryDelayMs ?? 30_000);
    this.temperature = nonNegative('temperature', options.temperature ?? 0);
    this.jsonMode = options.jsonMode ?? true;
    this.maxTokens = options.maxTokens === undefined ? undefined : positive('maxTokens', options.maxTokens);
    this.headers = { ...options.headers };
    this.logger = options.logger;
  }

  async complete(messages: readonly ChatMessageParam[], options: ChatCompleteOptions = {}): Promise<ChatCompletion> {
    const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? this.maxAttempts));
    const body = JSON.stringify({
      model: this.model,
      messages,
      temperature: this.temperature,
      stream: false,
      ...(this.jsonMode ? { response_format: { type: 'json_object' } } : {}),
      ...(this.maxTokens !== undefined ? { max_tokens: this.maxTokens } : {}),
    });

    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(body, options.signal, attempt);
      if ('content' in outcome) return { ...outcome, attempts: attempt };

      if (!outcome.retryable || attempt >= maxAttempts) {
        throw new LlmError(
          `LLM request to ${this.endpoint} failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${outcome.reason}`,
          {
            kind: outcome.kind,
            endpoint: this.endpoint,
            status: outcome.status,
            attempts: attempt,
            retryable: outcome.retryable,
          },
          { cause: outcome.cause },
        );
      }

      const delayMs = this.retryDelay(attempt, outcome.retryAfterMs);
      this.logger?.warn(
        {
          endpoint: this.endpoint,
          model: this.model,
          attempt,
          maxAttempts,
          status: outcome.status,
          kind: outcome.kind,
          delayMs,
        },
        `LLM request failed (${outcome.reason}); retrying in ${delayMs} ms`,
      );
      await sleep(delayMs, options.signal).catch(() => {
        throw this.abortedError(attempt);
      });
    }
  }

  /** One request; returns the completion or a description of the failure. */
  private async attempt(
    body: string,
    callerSignal: AbortSignal | undefined,
    attempt: number,
  ): Promise<Omit<ChatCompletion, 'attempts'> | AttemptFailure> {
    if (callerSignal?.aborted) throw this.abortedError(attempt - 1);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...this.headers,
    };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;

    let status: number;
    let text: string;
    let responseHeaders: Headers;
    try {
      const res = await fetch(this.endpoint, { method: 'POST', headers, body, signal });
      status = res.status;
      responseHeaders = res.headers;
      text = await res.text();
    } catch (error) {
      if (callerSignal?.aborted) throw this.abortedError(attempt);
      if (timeout.aborted) {
        return {
          kind: 'timeout',
          status: null,
          retryable: true,
          reason: `timed out after ${this.timeoutMs} ms`,
          retryAfterMs: null,
          cause: error,
        };
      }
      return {
        kind: 'network',
        status: null,
        retryable: true,
        reason: `network error: ${this.describe(error)}`,
        retryAfterMs: null,
        cause: error,
      };
    }

    if (status < 200 || status > 299) {
      const retryable = status === 429 || status >= 500;
      const detail = this.errorDetail(text);
      return {
        kind: 'http',
        status,
        retryable,
        reason: `HTTP ${status}${detail ? `: ${detail}` : ''}`,
        retryAfterMs: status === 429 || status === 503 ? parseRetryAfter(responseHeaders) : null,
      };
    }

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.badResponse(status, `response body is not JSON: ${this.snippet(text)}`);
    }
    const parsed = completionSchema.safeParse(json);
    if (!parsed.success) {
      return this.badResponse(
        status,
        `response is not a chat completion (${parsed.error.issues[0]?.message ?? 'invalid'}): ${this.snippet(text)}`,
      );
    }
    const choice = parsed.data.choices[0]!;
    const usage = parsed.data.usage;
    return {
      content: choice.message.content ?? '',
      finishReason: choice.finish_reason ?? null,
      usage: usage ? { promptTokens: usage.prompt_tokens ?? 0, completionTokens: usage.completion_tokens ?? 0 } : null,
    };
  }

  private retryDelay(attempt: number, retryAfterMs: number | null): number {
    if (retryAfterMs !== null) return Math.min(retryAfterMs, this.maxRetryDelayMs);
    const ceiling = Math.min(this.backoffBaseMs * 2 ** (attempt - 1), this.maxRetryDelayMs);
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  private badResponse(status: number, reason: string): AttemptFailure {
    return { kind: 'bad_response', status, retryable: true, reason, retryAfterMs: null };
  }

  private abortedError(attempts: number): LlmError {
    return new LlmError(`LLM request to ${this.endpoint} aborted by the caller`, {
      kind: 'aborted',
      endpoint: this.endpoint,
      status: null,
      attempts,
      retryable: false,
    });
  }

  /** The server's error message (OpenAI shape `{ error: { message } }`) or a body snippet. */
  private errorDetail(text: string): string {
    try {
      const body: unknown = JSON.parse(text);
      const parsed = z.object({ error: z.union([z.string(), z.object({ message: z.string() })]) }).safeParse(body);
      if (parsed.success) {
        const { error } = parsed.data;
        return this.snippet(typeof error === 'string' ? error : error.message);
      }
    } catch {
      // Not JSON (an HTML error page from a proxy, say): fall through to a snippet.
    }
    return this.snippet(text);
  }

  private describe(error: unknown): string {
    const cause = error instanceof Error ? error.cause : undefined;
    const code = cause && typeof cause === 'object' && 'code' in cause ? String(cause.code) : undefined;
    const message = error instanceof Error ? error.message : String(error);
    return this.snippet(code ? `${code} (${message})` : message);
  }

  private snippet(text: string): string {
    const flat = redact(text, this.apiKey).replace(/\s+/g, ' ').trim();
    return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
  }
}

/** `{baseUrl}/chat/completions`, validated; throws a message that says what to fix. */
function chatCompletionsUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(
      `OpenAiChatClient: baseUrl "${baseUrl}" is not a valid URL (expected e.g. https://api.openai.com/v1)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`OpenAiChatClient: baseUrl must be http(s), got "${url.protocol}"`);
  }
  if (url.username || url.password) {
    throw new Error('OpenAiChatClient: baseUrl must not contain credentials; pass the key as apiKey');
  }
  url.search = '';
  url.hash = '';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/chat/completions`;
  return url.toString();
}

/** `retry-after-ms` (OpenAI) or `Retry-After` as seconds or an HTTP date; null if absent or unreadable. */
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

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`OpenAiChatClient: ${name} must be a number >= 0, got ${value}`);
  return value;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`OpenAiChatClient: ${name} must be a number > 0, got ${value}`);
  return value;
}

function nonNegativeInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`OpenAiChatClient: ${name} must be an integer >= 0, got ${value}`);
  return value;
}
