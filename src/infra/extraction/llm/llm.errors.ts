// Errors raised by the LLM adapters. Messages name the endpoint, the HTTP
// status and the attempt count so an operator can act on them; they never
// contain the API key (see `redact`).

import type { TokenUsage } from '../../../domain/types.js';

/**
 * Why a call failed:
 * - `http`: the server answered with a non-2xx status (`status` is set);
 * - `timeout`: no complete answer within `timeoutMs`;
 * - `network`: connection refused/reset, DNS failure...;
 * - `bad_response`: a 2xx whose body is not an OpenAI chat completion;
 * - `invalid_output`: the model's content failed validation (see `LlmOutputError`);
 * - `aborted`: the caller's AbortSignal fired.
 */
export type LlmErrorKind = 'http' | 'timeout' | 'network' | 'bad_response' | 'invalid_output' | 'aborted';

export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  /** The chat-completions URL, without any credentials. */
  readonly endpoint: string;
  /** HTTP status of the last response, or null when none was received. */
  readonly status: number | null;
  /** How many requests were sent before giving up (including the first). */
  readonly attempts: number;
  /**
   * Whether trying again later may help (429, 5xx, timeouts, network errors,
   * invalid output). False for 4xx such as 401/400: fix the config or request.
   */
  readonly retryable: boolean;

  constructor(
    message: string,
    details: { kind: LlmErrorKind; endpoint: string; status: number | null; attempts: number; retryable: boolean },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.kind = details.kind;
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.attempts = details.attempts;
    this.retryable = details.retryable;
  }
}

/** The model answered, but never with output that passed validation within the attempt budget. */
export class LlmOutputError extends LlmError {
  /** The validation problems of the last answer, one per line. */
  readonly problems: string[];
  /** Tokens spent on the failed attempts (still billed). */
  readonly usage: TokenUsage;

  constructor(problems: string[], details: { endpoint: string; model: string; attempts: number; usage: TokenUsage }) {
    super(
      `LLM output invalid: ${problems.join('; ')} (model ${details.model} at ${details.endpoint}, ` +
        `${details.attempts} attempt${details.attempts === 1 ? '' : 's'})`,
      { kind: 'invalid_output', endpoint: details.endpoint, status: 200, attempts: details.attempts, retryable: true },
    );
    this.problems = problems;
    this.usage = details.usage;
  }
}

/** Replaces every occurrence of `secret` in `text` (no-op for empty secrets). */
export function redact(text: string, secret: string | undefined): string {
  if (!secret) return text;
  return text.split(secret).join('[redacted]');
}
