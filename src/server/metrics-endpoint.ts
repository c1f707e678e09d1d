// Serving the metrics: GET /metrics on the API port for an admin key, and,
// with MEMQL_METRICS_PORT, on a port of its own without a key (for a
// Prometheus on a private network). Also the Apollo plugin that times
// GraphQL operations over HTTP.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Viewer } from '../domain/types.js';
import type { MemqlMetrics, OperationType } from './metrics.js';
import { authenticateOr401, sendText } from './plain-http.js';

export const METRICS_PATH = '/metrics';

/** A bounded route label for an HTTP request path. */
export function routeOf(url: string | undefined): string {
  const pathname = (url ?? '/').split('?')[0] ?? '/';
  if (pathname.startsWith('/ui/')) return '/ui';
  return ['/graphql', '/graphiql', '/dashboard', '/health', METRICS_PATH].includes(pathname) ? pathname : 'other';
}

/** The outcome label of a list of (formatted) errors: `ok`, or the first one's code. */
export function outcomeOf(errors: readonly { extensions?: Record<string, unknown> | undefined }[] | undefined): string {
  if (!errors || errors.length === 0) return 'ok';
  const code = errors[0]?.extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/** GET /metrics with `Authorization: Bearer <admin key>`: 401 without a valid key, 403 for a project key. */
export async function serveMetrics(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  deps: { metrics: MemqlMetrics; authenticate(authorization: string | undefined): Promise<Viewer> },
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'GET /metrics\n');
  const viewer = await authenticateOr401(req, res, deps.authenticate);
  if (!viewer) return;
  if (viewer.role !== 'admin') return sendText(res, 403, 'metrics need the admin key\n');
  await sendMetrics(res, deps.metrics);
}

/** The metrics on a port of their own (MEMQL_METRICS_PORT), without a key: bind it where only Prometheus reaches. */
export async function startMetricsServer(
  metrics: MemqlMetrics,
  options: { port: number; host: string },
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0];
    if (pathname !== METRICS_PATH) return sendText(res, 404, 'metrics are served at /metrics\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'GET /metrics\n');
    sendMetrics(res, metrics).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'metrics failed\n');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${shownHost}:${port}${METRICS_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function sendMetrics(res: http.ServerResponse, metrics: MemqlMetrics): Promise<void> {
  const { contentType, body } = await metrics.expose();
  res.statusCode = 200;
  res.setHeader('content-type', contentType);
  res.setHeader('cache-control', 'no-store');
  res.end(body);
}

/** Times every GraphQL operation served over HTTP and counts it by name, type and outcome. */
export function metricsPlugin<T extends object>(metrics: MemqlMetrics): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      const started = performance.now();
      let name: string | null = null;
      let type: OperationType = 'unknown';
      return {
        async didResolveOperation(request) {
          name = request.operationName ?? null;
          type = request.operation?.operation ?? 'unknown';
        },
        async willSendResponse(request) {
          const body = request.response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : request.errors;
          const outcome = outcomeOf(errors);
          const timed = type !== 'subscription';
          metrics.operation(
            { name: name ?? request.request.operationName, type, outcome, transport: 'http' },
            timed ? (performance.now() - started) / 1000 : null,
          );
        },
      };
    },
  };
}
