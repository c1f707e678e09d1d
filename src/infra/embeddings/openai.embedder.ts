// Embeddings from any OpenAI-compatible `POST {baseUrl}/embeddings` endpoint
// (OpenAI, Azure-style proxies, Ollama, vLLM, LM Studio, llama.cpp server).
// Batches texts, checks and normalises the vectors. Timeouts, retries, errors
// and key redaction are the shared OpenAiHttpClient's (infra/http): a failure
// is an HttpRequestError naming the endpoint, the model, the status and the
// attempts. A malformed answer is not retried: the server would repeat it.

import { z } from 'zod';
import type { Embedder } from '../../domain/ports.js';
import { OpenAiHttpClient, type OpenAiHttpClientOptions } from '../http/openai-http.client.js';

/**
 * Transport options (`baseUrl`, `apiKey`, `timeoutMs`, `maxRetries`,
 * `backoffBaseMs`, `maxRetryDelayMs`, `headers`, `logger`) are documented on
 * OpenAiHttpClientOptions, defaults included.
 */
export interface OpenAiEmbedderOptions extends Omit<OpenAiHttpClientOptions, 'label'> {
  /** Model name as the server knows it, e.g. text-embedding-3-small. Required, not blank. */
  model: string;
  /**
   * Output dimension. When set, every response is checked against it.
   * @default undefined (whatever the server returns for create()'s probe)
   */
  dimension?: number | undefined;
  /**
   * Also send `dimension` as the request's `dimensions` field (OpenAI's
   * text-embedding-3 models can shorten their output). Needs `dimension`.
   * Off by default: many compatible servers reject unknown fields.
   * @default false
   */
  requestDimensions?: boolean;
  /**
   * Texts per request; a longer `embed` call is split.
   * @default 128
   */
  maxBatch?: number;
}

const PROBE_TEXT = 'memql embedding dimension probe';

export class OpenAiEmbedder implements Embedder {
  /** "openai:<model>": stored with the index, part of its collection names. */
  readonly model: string;
  /** `{baseUrl}/embeddings`, without credentials. */
  readonly endpoint: string;
  private currentDimension: number | null;

  private readonly http: OpenAiHttpClient;
  private readonly remoteModel: string;
  private readonly requestDimensions: boolean;
  private readonly maxBatch: number;

  /** Prefer create(), which probes the endpoint once and learns the dimension. */
  constructor(options: OpenAiEmbedderOptions) {
    this.http = new OpenAiHttpClient({ ...options, label: 'Embeddings' });
    if (!options.model.trim()) throw new Error('Embeddings client: model must not be empty');
    if (options.dimension !== undefined && (!Number.isInteger(options.dimension) || options.dimension < 1)) {
      throw new Error(`Embeddings client: dimension must be a positive integer, got ${options.dimension}`);
    }
    if (options.requestDimensions && options.dimension === undefined) {
      throw new Error('Embeddings client: requestDimensions needs a dimension');
    }
    const maxBatch = options.maxBatch ?? 128;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) {
      throw new Error(`Embeddings client: maxBatch must be a positive integer, got ${maxBatch}`);
    }
    this.endpoint = this.http.url('embeddings');
    this.remoteModel = options.model;
    this.model = `openai:${options.model}`;
    this.currentDimension = options.dimension ?? null;
    this.requestDimensions = options.requestDimensions ?? false;
    this.maxBatch = maxBatch;
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
    for (let start = 0; start < texts.length; start += this.maxBatch) {
      vectors.push(...(await this.embedBatch(texts.slice(start, start + this.maxBatch))));
    }
    return vectors;
  }

  async close(): Promise<void> {
    // fetch keeps no per-client resources.
  }

  private async embedBatch(texts: readonly string[]): Promise<number[][]> {
    const body = {
      model: this.remoteModel,
      // Several servers reject empty strings; a space embeds "no content".
      input: texts.map((text) => (text === '' ? ' ' : text)),
      ...(this.requestDimensions ? { dimensions: this.currentDimension } : {}),
    };
    const { data } = await this.http.post('embeddings', body, embeddingsResponse(texts.length, this.currentDimension));
    this.currentDimension ??= data[0]?.length ?? null;
    return data;
  }
}

/**
 * An embeddings list for `expected` inputs: vectors in input order (by
 * `index`), finite, all of one dimension (`dimension` when known), normalised.
 */
function embeddingsResponse(expected: number, dimension: number | null) {
  return z
    .object({
      data: z.array(z.object({ embedding: z.unknown(), index: z.number().int().optional() })),
    })
    .transform(({ data }, ctx) => {
      const fail = (message: string) => {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      };
      if (data.length !== expected) return fail(`${data.length} embeddings for ${expected} inputs`);
      const rows = data.map((row, position) => ({ index: row.index ?? position, embedding: row.embedding }));
      rows.sort((a, b) => a.index - b.index);
      let size = dimension;
      const vectors: number[][] = [];
      for (const { embedding, index } of rows) {
        if (
          !Array.isArray(embedding) ||
          embedding.length === 0 ||
          !embedding.every((value) => typeof value === 'number' && Number.isFinite(value))
        ) {
          return fail(`embedding ${index} is not an array of finite numbers`);
        }
        size ??= embedding.length;
        if (embedding.length !== size) {
          return fail(`embedding ${index} has ${embedding.length} dimensions, expected ${size}`);
        }
        let squares = 0;
        for (const value of embedding as number[]) squares += value * value;
        const norm = Math.sqrt(squares);
        if (norm === 0) return fail(`embedding ${index} is all zeros`);
        vectors.push((embedding as number[]).map((value) => value / norm));
      }
      return vectors;
    });
}
