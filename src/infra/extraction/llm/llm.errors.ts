// The LLM extractor's own failure: the model answered, but never with output
// that passed validation. Transport failures (status, network, timeout, a body
// that is not a chat completion) are the shared client's HttpRequestError
// subclasses (infra/http/http.errors.ts) and pass through unchanged.

import type { TokenUsage } from '../../../domain/types.js';

/** The model answered, but never with output that passed validation within the attempt budget. */
export class LlmOutputError extends Error {
  readonly kind = 'invalid_output';
  /** The chat-completions URL, without any credentials. */
  readonly endpoint: string;
  /** Every answer was a 200: the transport worked. */
  readonly status = 200;
  /** How many requests were sent before giving up (including the first). */
  readonly attempts: number;
  /** Asking again later may produce valid output. */
  readonly retryable = true;
  /** The validation problems of the last answer, one per line. */
  readonly problems: string[];
  /** Tokens spent on the failed attempts (still billed). */
  readonly usage: TokenUsage;

  constructor(problems: string[], details: { endpoint: string; model: string; attempts: number; usage: TokenUsage }) {
    super(
      `LLM output invalid: ${problems.join('; ')} (model ${details.model} at ${details.endpoint}, ` +
        `${details.attempts} attempt${details.attempts === 1 ? '' : 's'})`,
    );
    this.name = 'LlmOutputError';
    this.endpoint = details.endpoint;
    this.attempts = details.attempts;
    this.problems = problems;
    this.usage = details.usage;
  }
}
