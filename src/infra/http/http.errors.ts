// Why a request to an OpenAI-compatible endpoint failed. One class per cause,
// all under HttpRequestError, so a caller can tell "fix the configuration"
// (a 401, a 400) from "try again later" (`retryable`). Messages name the
// endpoint, the model, the HTTP status and the attempts; they never contain
// the API key (the client redacts it before building them).

/**
 * The cause, also encoded by the subclass:
 * - `http`: the server answered with a non-2xx status (`HttpStatusError`);
 * - `network`: no answer at all: refused, reset, DNS failure (`HttpTransportError`);
 * - `timeout`: no complete answer within `timeoutMs` (`HttpTimeoutError`);
 * - `bad_response`: a 2xx whose body is not JSON or fails the schema (`HttpInvalidResponseError`);
 * - `aborted`: the caller's AbortSignal fired (`HttpAbortedError`).
 */
export type HttpErrorKind = 'http' | 'network' | 'timeout' | 'bad_response' | 'aborted';

export interface HttpErrorDetails {
  /** The URL the request went to, without credentials. */
  endpoint: string;
  /** HTTP status of the last response, or null when none was received. */
  status: number | null;
  /** Requests sent before giving up, the first one included. */
  attempts: number;
  /** Whether trying again later may help (429, 5xx, timeouts, network errors). */
  retryable: boolean;
}

export abstract class HttpRequestError extends Error {
  abstract readonly kind: HttpErrorKind;
  readonly endpoint: string;
  readonly status: number | null;
  readonly attempts: number;
  readonly retryable: boolean;

  constructor(message: string, details: HttpErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.attempts = details.attempts;
    this.retryable = details.retryable;
  }
}

/** The server answered with a non-2xx status; retryable for 408, 409, 429 and 5xx. */
export class HttpStatusError extends HttpRequestError {
  readonly kind = 'http';
}

/** The connection failed before an answer arrived (refused, reset, DNS). Retryable. */
export class HttpTransportError extends HttpRequestError {
  readonly kind = 'network';
}

/** No complete answer within the per-attempt timeout. Retryable. */
export class HttpTimeoutError extends HttpRequestError {
  readonly kind = 'timeout';
}

/** A 2xx answer whose body is not JSON or does not match the response schema. */
export class HttpInvalidResponseError extends HttpRequestError {
  readonly kind = 'bad_response';
}

/** The caller's AbortSignal fired (during a request or a backoff wait). Never retryable. */
export class HttpAbortedError extends HttpRequestError {
  readonly kind = 'aborted';
}
