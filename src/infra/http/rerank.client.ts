// The Reranker port over a `/rerank` endpoint, through the one HTTP client
// (openai-http.client.ts). Request and answer in the common format:
//   POST {base}/rerank {"model", "query", "documents": [...], "texts": [...], "top_n", "return_documents": false}
//   -> {"results": [{"index", "relevance_score"}]}   Cohere, Jina, vLLM
//   -> [{"index", "score"}]                            text-embeddings-inference
// (TEI reads `texts`, the others `documents`; each ignores the other field.)
// One attempt, no retries: a reranker sits on the query path, so a slow one
// is given up at the timeout and the caller keeps its first ranking.

import { z } from 'zod';
import type { Reranker, RerankFailure } from '../../domain/ports.js';
import { HttpTimeoutError } from './http.errors.js';
import { type HttpLogger, OpenAiHttpClient } from './openai-http.client.js';

export interface RerankClientOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  model: string;
  /** Limit of the one request, in ms. */
  timeoutMs: number;
  logger?: HttpLogger | undefined;
}

const resultSchema = z.object({
  index: z.number().int().min(0),
  relevance_score: z.number().optional(),
  score: z.number().optional(),
});
const answerSchema = z.union([z.object({ results: z.array(resultSchema) }), z.array(resultSchema)]);

export class RerankClient implements Reranker {
  readonly model: string;
  private readonly http: OpenAiHttpClient;

  constructor(options: RerankClientOptions) {
    this.model = options.model;
    this.http = new OpenAiHttpClient({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      label: 'Reranker',
      timeoutMs: options.timeoutMs,
      maxRetries: 0,
      logger: options.logger,
    });
  }

  async rerank(query: string, documents: readonly string[]): Promise<{ ok: true; scores: number[] } | RerankFailure> {
    try {
      const { data } = await this.http.post(
        'rerank',
        {
          model: this.model,
          query,
          documents,
          texts: documents,
          top_n: documents.length,
          return_documents: false,
        },
        answerSchema,
      );
      const results = Array.isArray(data) ? data : data.results;
      const scores = documents.map(() => Number.NEGATIVE_INFINITY);
      for (const result of results) {
        const score = result.relevance_score ?? result.score;
        if (result.index >= documents.length || score === undefined || !Number.isFinite(score))
          return { ok: false, reason: 'failed', message: `${this.http.label}: result ${result.index} is unusable` };
        scores[result.index] = score;
      }
      if (scores.some((s) => s === Number.NEGATIVE_INFINITY))
        return { ok: false, reason: 'failed', message: `${this.http.label}: not every document was scored` };
      return { ok: true, scores };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, reason: error instanceof HttpTimeoutError ? 'timeout' : 'failed', message };
    }
  }
}
