// CORS for browser apps on other origins (MEMQL_CORS_ORIGINS). Only listed
// origins get CORS headers; a preflight from any other origin is refused
// with a body that says why. Credentials are API keys in the Authorization
// header (never cookies), so Authorization is an allowed request header and
// Access-Control-Allow-Credentials is never sent. Apollo's CSRF prevention
// stays on for requests that skip preflight (simple requests).

import type http from 'node:http';

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, Content-Type, Accept, X-Request-Id, Apollo-Require-Preflight';
const EXPOSED_HEADERS = 'X-Request-Id';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export interface Cors {
  /**
   * Adds CORS headers for an allowed Origin. For a preflight (OPTIONS), also
   * answers it and returns true: the request is done.
   */
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean;
}

export function createCors(allowedOrigins: readonly string[]): Cors {
  const allowed = new Set(allowedOrigins);
  return {
    handle(req, res) {
      const origin = req.headers.origin;
      const isPreflight = req.method === 'OPTIONS';
      if (origin) res.setHeader('Vary', 'Origin');
      if (!origin || !allowed.has(origin)) {
        if (!isPreflight) return false; // same-origin or non-browser request: CORS does not apply
        res.statusCode = 403;
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(
          JSON.stringify({
            error: origin
              ? `Origin ${origin} is not allowed: add it to MEMQL_CORS_ORIGINS`
              : 'A preflight needs an Origin header',
          }),
        );
        return true;
      }
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
      if (!isPreflight) return false;
      res.statusCode = 204;
      res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
      res.end();
      return true;
    },
  };
}
