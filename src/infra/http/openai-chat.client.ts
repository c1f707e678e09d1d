// Chat completions (`POST {baseUrl}/chat/completions`) over the shared
// OpenAI-compatible client: it builds the request and reads the first choice;
// timeouts, retries, errors and key redaction are OpenAiHttpClient's. Used by
// the LLM extractor, and by anything else that needs a chat model.

import { z } from 'zod';
import { type HttpLogger, OpenAiHttpClient, type OpenAiHttpClientOptions } from './openai-http.client.js';

/** pino-compatible logger of the LLM adapters (the shared client's). */
export type LlmLogger = HttpLogger;

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
  /** Cancels the call, including any backoff wait; rejects with `HttpAbortedError`. */
  signal?: AbortSignal;
  /**
   * Attempt budget for this call.
   * @default the client's maxAttempts
   */
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

/**
 * Transport options (`baseUrl`, `apiKey`, `timeoutMs`, `maxRetries`,
 * `backoffBaseMs`, `maxRetryDelayMs`, `headers`, `logger`) are documented on
 * OpenAiHttpClientOptions, defaults included. A 2xx that is not a chat
 * completion is retried here: a fresh answer may differ.
 */
export interface OpenAiChatClientOptions extends Omit<OpenAiHttpClientOptions, 'label'> {
  /** Model name sent with every request, e.g. `gpt-4o-mini` or `qwen2.5:7b`. Required, not blank. */
  model: string;
  /**
   * Sampling temperature (>= 0).
   * @default 0 (as deterministic as the server allows)
   */
  temperature?: number;
  /**
   * Sends `response_format: { type: "json_object" }` (JSON mode). Turn off for
   * servers that reject the field; callers must then cope with prose around the JSON.
   * @default true
   */
  jsonMode?: boolean;
  /**
   * Sent as `max_tokens` when set.
   * @default undefined (the server's default)
   */
  maxTokens?: number;
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

export class OpenAiChatClient implements ChatClient {
  readonly model: string;
  readonly endpoint: string;
  readonly maxAttempts: number;

  private readonly http: OpenAiHttpClient;
  private readonly temperature: number;
  private readonly jsonMode: boolean;
  private readonly maxTokens: number | undefined;

  constructor(options: OpenAiChatClientOptions) {
    this.http = new OpenAiHttpClient({ ...options, label: 'LLM' });
    if (!options.model.trim()) throw new Error('LLM client: model must not be empty');
    this.model = options.model;
    this.endpoint = this.http.url('chat/completions');
    this.maxAttempts = this.http.maxAttempts;
    this.temperature = options.temperature ?? 0;
    if (!Number.isFinite(this.temperature) || this.temperature < 0) {
      throw new Error(`LLM client: temperature must be a number >= 0, got ${this.temperature}`);
    }
    this.jsonMode = options.jsonMode ?? true;
    this.maxTokens = options.maxTokens;
    if (this.maxTokens !== undefined && !(Number.isInteger(this.maxTokens) && this.maxTokens > 0)) {
      throw new Error(`LLM client: maxTokens must be a positive integer, got ${this.maxTokens}`);
    }
  }

  async complete(messages: readonly ChatMessageParam[], options: ChatCompleteOptions = {}): Promise<ChatCompletion> {
    const body = {
      model: this.model,
      messages,
      temperature: this.temperature,
      stream: false,
      ...(this.jsonMode ? { response_format: { type: 'json_object' } } : {}),
      ...(this.maxTokens !== undefined ? { max_tokens: this.maxTokens } : {}),
    };
    const { data, attempts } = await this.http.post('chat/completions', body, completionSchema, {
      signal: options.signal,
      maxAttempts: options.maxAttempts,
      retryInvalidResponse: true,
    });
    const choice = data.choices[0]!;
    return {
      content: choice.message.content ?? '',
      finishReason: choice.finish_reason ?? null,
      usage: data.usage
        ? { promptTokens: data.usage.prompt_tokens ?? 0, completionTokens: data.usage.completion_tokens ?? 0 }
        : null,
      attempts,
    };
  }
}
