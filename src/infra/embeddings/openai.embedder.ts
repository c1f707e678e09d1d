// Embeddings from any OpenAI-compatible `POST {baseUrl}/embeddings` endpoint
// (OpenAI, Azure-style proxies, Ollama, vLLM, LM Studio, llama.cpp server).
// Batches texts, times out each request, retries 429 / 5xx / timeouts /
// network errors with exponential backoff (honouring Retry-After), and fails
// with a message naming the endpoint, the status and the attempts. The API
// key is sent as a bearer token and never appears in errors or logs.

import type { Embedder } from '../../domain/ports.js';

export interface OpenAiEmbedderOptions {
  /** API root that `/embeddings` is appended to, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1. */
  baseUrl: string;
  /** Bearer token. Omit for servers without auth. Never logged. */
  apiKey?: string | undefined;
  /** Model name as the server knows it, e.g. text-embedding-3-small. */
  model: string;
  /**
   * Output dimension. Default: whatever the server returns for create()'s
   * probe. When set, every response is checked against it.
   */
  dimension?: number | undefined;
  /**
   * Also send `dimension` as the request's `dimensions` field (OpenAI's
   * text-embedding-3 models can shorten their output). Default false: many
   * compatible servers reject unknown fields.
   */
  requestDimensions?: boolean;
  /** Texts per request. Default 128. */
  maxBatch?: number;
  /** Timeout of one request in ms. Default 30,000. */
  timeoutMs?: number;
  /** Retries after 429, 5xx, a timeout or a network error. Default 4 (5 attempts). */
  maxRetries?: number;
  /** First backoff delay in ms, doubled per retry (with jitter). Default 500. */
  backoffBaseMs?: number;
  /** Upper bound of one backoff delay (also caps Retry-After) in ms. Default 20,000. */
  maxRetryDelayMs?: number;
  /** Told about each retry (endpoint, status, delay), never the key. Default: silent. */
  log?: { warn(details: object, message: string): void };
}

/** Why an embeddings call failed; `retryable` tells whether trying again later may help. */
export class EmbeddingsError extends Error {
  constructor(
    message: string,
    readonly details: { endpoint: string; status: number | null; attempts: number; retryable: boolean },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EmbeddingsError';
  }
}

interface Failure {
  reason: string;
  status: number | null;
  retryable: boolean;
  retryAfterMs: number | null;
  cause?: unknown;
}

const PROBE_TEXT = 'memql embedding dimension probe';

export class OpenAiEmbedder implements Embedder {
  /** "openai:<model>": stored with the index, part of its collection names. */
  readonly model: string;
  readonly endpoint: string;
  private currentDimension: number | null;

  private readonly options: Required<
    Pick<OpenAiEmbedderOptions, 'maxBatch' | 'timeoutMs' | 'maxRetries' | 'backoffBaseMs' | 'maxRetryDelayMs'>
  > &
    OpenAiEmbedderOptions;

  /** Prefer create(), which probes the endpoint once and learns the dimension. */
  constructor(options: OpenAiEmbedderOptions) {
    if (!options.model.trim()) throw new Error('OpenAiEmbedder: model must not be empty');
    if (options.dimension !== undefined && (!Number.isInteger(options.dimension) || options.dimension < 1)) {
      throw new Error(`OpenAiEmbedder: dimension must be a positive integer, got ${options.dimension}`);
    }
    if (options.requestDimensions && options.dimension === undefined) {
      throw new Error('OpenAiEmbedder: requestDimensions needs a dimension');
    }
    this.endpoint = embeddingsUrl(options.baseUrl);
    this.model = `openai:${options.model}`;
    this.currentDimension = options.dimension ?? null;
    this.options = {
      ...options,
      maxBatch: positiveInt('maxBatch', options.maxBatch ?? 128),
      timeoutMs: positiveInt('timeoutMs', options.timeoutMs ?? 30_000),
      maxRetries: nonNegativeInt('maxRetries', options.maxRetries ?? 4),
      backoffBaseMs: nonNegativeInt('backoffBaseMs', options.backoffBaseMs ?? 500),
      maxRetryDelayMs: nonNegativeInt('maxRetryDelayMs', options.maxRetryDelayMs ?? 20_000),
    };
  }

  /** Builds the embedder and embeds one probe text: checks endpoint, key and model, and learns the dimension. */
  static async create(options: OpenAiEmbedderOptions): Promise<OpenAiEmbedder> {
    const embedder = new OpenAiEmbedder(options);
    await embedder.embed([PROBE_TEXT]);
    return embedder;
  }

  get dimension(): number {
    if (this.currentDimension === null) {
      throw new Error(
        `OpenAiEmbedder: dimension unknown until the first response; build it with OpenAiEmbedder.create() (${this.endpoint})`,
      );
    }
    return this.currentDimension;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.options.maxBatch) {
      vectors.push(...(await this.embedBatch(texts.slice(start, start + this.options.maxBatch))));
    }
    return vectors;
  }

  async close(): Promise<void> {
    // fetch keeps no per-client resources.
  }

  private async embedBatch(texts: readonly string[]): Promise<number[][]> {
    const body = JSON.stringify({
      model: this.options.model,
      // Several servers reject empty strings; a space embeds "no content".
      input: texts.map((text) => (text === '' ? ' ' : text)),
      ...(this.options.requestDimensions ? { dimensions: this.currentDimension } : {}),
    });
    const maxAttempts = this.options.maxRetries + 1;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(body, texts.length);
      if (Array.isArray(outcome)) return outcome;
      if (!outcome.retryable || attempt >= maxAttempts) {
        throw new EmbeddingsError(
          `Embeddings request to ${this.endpoint} (model ${this.options.model}) failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${outcome.reason}`,
          { endpoint: this.endpoint, status: outcome.status, attempts: attempt, retryable: outcome.retryable },
          { cause: outcome.cause },
        );
      }
      const delayMs = this.retryDelay(attempt, outcome.retryAfterMs);
      this.options.log?.warn(
        { endpoint: this.endpoint, model: this.options.model, attempt, status: outcome.status, delayMs },
        `embeddings request failed (${outcome.reason}); retrying in ${delayMs} ms`,
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  /** One request: the vectors, or why it failed. */
  private async attempt(body: string, expected: number): Promise<number[][] | Failure> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        return {
          reason: `no answer within ${this.options.timeoutMs} ms`,
          status: null,
          retryable: true,
          retryAfterMs: null,
          cause: error,
        };
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? (error as Error).message;
      return {
        reason: `network error (${this.redact(detail)})`,
        status: null,
        retryable: true,
        retryAfterMs: null,
        cause: error,
      };
    }

    if (!response.ok) {
      const status = response.status;
      return {
        reason: `HTTP ${status}${this.errorDetail(text)}`,
        status,
        retryable: status === 408 || status === 409 || status === 429 || status >= 500,
        retryAfterMs: retryAfter(response.headers),
      };
    }
    try {
      return this.parse(text, expected);
    } catch (error) {
      return {
        reason: `unexpected response: ${(error as Error).message}`,
        status: response.status,
        retryable: false,
        retryAfterMs: null,
      };
    }
  }

  private parse(text: string, expected: number): number[][] {
    const json = JSON.parse(text) as { data?: unknown };
    if (!Array.isArray(json.data)) throw new Error('no "data" array');
    if (json.data.length !== expected) throw new Error(`${json.data.length} embeddings for ${expected} inputs`);
    const rows = (json.data as { embedding?: unknown; index?: unknown }[]).map((row, position) => ({
      index: typeof row.index === 'number' ? row.index : position,
      embedding: row.embedding,
    }));
    rows.sort((a, b) => a.index - b.index);
    return rows.map(({ embedding, index }) => {
      if (
        !Array.isArray(embedding) ||
        embedding.length === 0 ||
        !embedding.every((value) => typeof value === 'number' && Number.isFinite(value))
      ) {
        throw new Error(`embedding ${index} is not an array of finite numbers`);
      }
      if (this.currentDimension === null) this.currentDimension = embedding.length;
      if (embedding.length !== this.currentDimension) {
        throw new Error(`embedding ${index} has ${embedding.length} dimensions, expected ${this.currentDimension}`);
      }
      return normalize(embedding as number[], index);
    });
  }

  private retryDelay(attempt: number, retryAfterMs: number | null): number {
    const backoff = this.options.backoffBaseMs * 2 ** (attempt - 1);
    const jittered = backoff / 2 + Math.random() * (backoff / 2);
    return Math.round(Math.min(this.options.maxRetryDelayMs, retryAfterMs ?? jittered));
  }

  private errorDetail(text: string): string {
    let detail = text;
    try {
      const json = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
      const message = typeof json.error === 'string' ? json.error : (json.error?.message ?? json.message);
      if (typeof message === 'string') detail = message;
    } catch {
      // Not JSON: show the raw text.
    }
    const flat = this.redact(detail).replace(/\s+/g, ' ').trim();
    if (!flat) return '';
    return ` (${flat.length > 300 ? `${flat.slice(0, 300)}…` : flat})`;
  }

  private redact(text: string): string {
    const key = this.options.apiKey;
    return key ? text.split(key).join('[redacted]') : text;
  }
}

/** `{baseUrl}/embeddings`, validated; throws a message that says what to fix. */
function embeddingsUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(
      `OpenAiEmbedder: baseUrl "${baseUrl}" is not a valid URL (expected e.g. https://api.openai.com/v1)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`OpenAiEmbedder: baseUrl must be http(s), got "${url.protocol}"`);
  if (url.username || url.password)
    throw new Error('OpenAiEmbedder: baseUrl must not contain credentials; pass the key as apiKey');
  url.search = '';
  url.hash = '';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/embeddings`;
  return url.toString();
}

/** `retry-after-ms` (OpenAI) or `Retry-After` in seconds or as an HTTP date; null when absent. */
function retryAfter(headers: Headers): number | null {
  const ms = Number(headers.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.ceil(seconds * 1000) : null;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

function normalize(vector: number[], index: number): number[] {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm === 0) throw new Error(`embedding ${index} is all zeros`);
  return vector.map((value) => value / norm);
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`OpenAiEmbedder: ${name} must be a positive integer, got ${value}`);
  return value;
}

function nonNegativeInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`OpenAiEmbedder: ${name} must be a non-negative integer, got ${value}`);
  return value;
}
