// The non-GraphQL endpoints' shared answers (/metrics, /exports/{id}):
// plain-text replies and the bearer key check with a 401 naming the problem.

import type http from 'node:http';
import { DomainError } from '../domain/errors.js';
import type { Viewer } from '../domain/types.js';

export function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(text);
}

/** The caller of a plain HTTP request, or null once a 401 has been sent. */
export async function authenticateOr401(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  authenticate: (authorization: string | undefined) => Promise<Viewer>,
): Promise<Viewer | null> {
  try {
    return await authenticate(req.headers.authorization);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    res.setHeader('www-authenticate', 'Bearer');
    sendText(res, 401, `${error.message}\n`);
    return null;
  }
}
