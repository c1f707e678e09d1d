// The door of POST/GET /graphql: the key is checked and counted against its
// rate limit before a byte of the body is read, so an unauthenticated or
// throttled client costs the server a header lookup, not a parse.
//
// A refused request is answered at once. Its body is then drained only
// when it is small (MEMQL_UNAUTHENTICATED_BODY_BYTES), so the connection can
// serve the next request; a larger or unknown-length body is not read at
// all: the answer says `Connection: close` and the socket is closed.

import type http from 'node:http';
import { DomainError } from '../domain/errors.js';
import type { Viewer } from '../domain/types.js';
import { DOMAIN_ERROR_CODES } from './format-error.js';
import type { KeyRateLimiter } from './rate-limit.js';

export interface BodyLimits {
  /** Largest body of an authenticated request. */
  maxBodyBytes: number;
  /** Largest body drained (read and thrown away) after refusing a request. */
  unauthenticatedBodyBytes: number;
}

export type Admission =
  | { kind: 'admitted'; viewer: Viewer; body: string; headers: Readonly<Record<string, string>> }
  | { kind: 'answered' };

export interface AuthGateDeps {
  authenticate(authorization: string | undefined): Promise<Viewer>;
  limiter: KeyRateLimiter;
  limits: BodyLimits;
}

export function createAuthGate(deps: AuthGateDeps) {
  const { limits } = deps;

  /** Refuses with a GraphQL-shaped error, reading no more of the body than the small limit. */
  function refuse(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    status: number,
    error: { message: string; extensions: Record<string, unknown> },
    headers: Readonly<Record<string, string>> = {},
  ): Admission {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    const small = Number.isFinite(declared) && declared <= limits.unauthenticatedBodyBytes;
    if (!small && hasBody(req)) {
      res.setHeader('Connection', 'close');
      res.once('finish', () => req.socket.destroy());
    } else req.resume(); // a small body: drain it so the connection can be reused
    res.statusCode = status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ errors: [error] }));
    return { kind: 'answered' };
  }

  return {
    /** Authenticates, counts the request, then reads the body (bounded). */
    async admit(req: http.IncomingMessage, res: http.ServerResponse): Promise<Admission> {
      let viewer: Viewer;
      try {
        viewer = await deps.authenticate(req.headers.authorization);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const status = error.code === 'UNAUTHENTICATED' ? 401 : 403;
        return refuse(req, res, status, {
          message: error.message,
          extensions: { code: DOMAIN_ERROR_CODES[error.code] },
        });
      }
      const rate = await deps.limiter.admitRequest(viewer.keyId);
      if (!rate.allowed && rate.error) {
        const { http: _http, ...extensions } = rate.error.extensions;
        return refuse(req, res, 429, { message: rate.error.message, extensions }, rate.headers);
      }
      const declared = Number(req.headers['content-length'] ?? 0);
      const body = declared > limits.maxBodyBytes ? null : await readBody(req, limits.maxBodyBytes);
      if (body === null)
        return refuse(
          req,
          res,
          413,
          {
            message: `The request body is over ${limits.maxBodyBytes} bytes (MEMQL_MAX_BODY_BYTES)`,
            extensions: { code: DOMAIN_ERROR_CODES.BAD_USER_INPUT, limit: 'bodyBytes', max: limits.maxBodyBytes },
          },
          rate.headers,
        );
      return { kind: 'admitted', viewer, body, headers: rate.headers };
    },
  };
}

function hasBody(req: http.IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * The raw body, or null once it exceeds `maxBytes`: reading stops there
 * (paused, not destroyed, so the refusal can still be sent).
 */
function readBody(req: http.IncomingMessage, maxBytes: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        stop();
        req.pause();
        resolve(null);
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
