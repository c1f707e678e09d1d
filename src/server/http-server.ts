// HTTP and WebSocket transport. One port serves POST/GET /graphql (Apollo),
// graphql-ws subscriptions on the same path, and GET /health. Both transports
// authenticate through the same function and build the same context.

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { type ExecutionArgs, GraphQLError, type GraphQLSchema, getOperationAST } from 'graphql';
import { useServer as serveGraphqlWs } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Context } from '../context.js';
import { DomainError } from '../domain/errors.js';
import type { Viewer } from '../domain/types.js';
import type { Logger } from '../lib/logger.js';
import { type BodyLimits, createAuthGate } from './auth-gate.js';
import { createCors } from './cors.js';
import {
  createErrorFormatter,
  DOMAIN_ERROR_CODES,
  OVERLOAD_RETRY_AFTER_SECONDS,
  overloadError,
} from './format-error.js';
import { createWebPages } from './web-pages.js';
import type { OperationGate } from './operation-gate.js';
import { deadlineError, responseTooLargeError } from './request-guard.js';
import { connectionAuthorization, REFUSAL } from './websocket-auth.js';
import type { MemqlMetrics, OperationType } from './metrics.js';
import { EXPORTS_PATH, type ExportDownloadDeps, serveExport } from './export-download.js';
import { IMPORTS_PATH, type ImportUploadDeps, serveImportUpload } from './import-upload.js';
import { metricsPlugin, outcomeOf, routeOf, serveMetrics } from './metrics-endpoint.js';

export const GRAPHQL_PATH = '/graphql';

export interface HealthReport {
  /**
   * ok: everything answers. degraded: the server serves without a part it
   * can do without (the vector index: searches answer lexically), 200 still.
   * unavailable: it cannot serve (the database), 503.
   */
  status: 'ok' | 'degraded' | 'unavailable';
  checks: Record<string, 'up' | 'down'>;
}

export interface TransportDeps {
  schema: GraphQLSchema;
  log: Logger;
  /** Resolves an Authorization value ("Bearer <key>") to the caller; throws UnauthenticatedError. */
  authenticate(authorization: string | undefined): Promise<Viewer>;
  /** A fresh context (fresh loaders) for one operation. */
  createContext(viewer: Viewer, requestId: string): Context;
  health(): Promise<HealthReport>;
  /** Limits, cost budgets and guards every operation passes (operation-gate.ts). */
  gate: OperationGate;
  /**
   * Calls `onRevoked` when the viewer's key is revoked (on any server
   * process); returns the function that stops watching.
   */
  watchKey(viewer: Viewer, onRevoked: () => void): () => void;
  /** Runs the serving of one GraphQL request so that its own work can be told from background work. */
  requestScope<T>(requestId: string, work: () => Promise<T>): Promise<T>;
  /** Counts operations, requests and sockets; served at /metrics (metrics-endpoint.ts). */
  metrics: MemqlMetrics;
  /** A finished export's file, for GET /exports/{id} (export-download.ts); null when not the viewer's. */
  downloadExport: ExportDownloadDeps['download'];
  /** Whether an unexpected error says the server is overloaded (no database connection came free): RATE_LIMITED, retryable. */
  isOverload(error: unknown): boolean;
  /** Stores an uploaded export file for an import, for POST /imports (import-upload.ts). */
  uploadImport: ImportUploadDeps['upload'];
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface HttpServerOptions {
  port: number;
  host: string;
  /** Browser origins allowed to call the API (CORS); empty: none. */
  corsOrigins: readonly string[];
  /** Body sizes: the authenticated limit (also a WebSocket message's), and what is drained after a refusal. */
  bodyLimits: BodyLimits;
  /** Serve GraphiQL and the dashboard (src/server/web-pages.ts). */
  browserPages: boolean;
}

/** A WebSocket operation being served: what the metrics record when it completes. */
interface SocketOperation {
  name: string | null;
  type: OperationType;
  started: number;
  outcome: string;
}

export async function startHttpServer(deps: TransportDeps, options: HttpServerOptions): Promise<RunningServer> {
  const httpServer = http.createServer();
  const formatError = createErrorFormatter(deps.log, deps.isOverload);
  const cors = createCors(options.corsOrigins);
  const pages = createWebPages({ enabled: options.browserPages, graphqlPath: GRAPHQL_PATH });
  const { gate } = deps;
  gate.guards.guardSchema(deps.schema);
  const door = createAuthGate({ authenticate: deps.authenticate, limiter: gate.limiter, limits: options.bodyLimits });

  const wsServer = new WebSocketServer({
    server: httpServer,
    path: GRAPHQL_PATH,
    maxPayload: options.bodyLimits.maxBodyBytes,
  });
  const { metrics } = deps;
  const wsHandle = serveGraphqlWs<
    Record<string, unknown>,
    { viewer?: Viewer; authorization?: string; counted?: boolean; operations?: Map<string, SocketOperation> }
  >(
    {
      schema: deps.schema,
      onConnect: async (ctx) => {
        // A refused connection is closed here with a code and a reason that
        // says what was wrong; returning false then only confirms it.
        const refuse = (refusal: { code: number; reason: string }) => {
          ctx.extra.socket.close(refusal.code, refusal.reason);
          return false;
        };
        const found = connectionAuthorization(ctx.connectionParams, ctx.extra.request.headers.authorization);
        switch (found.kind) {
          case 'missing':
            return refuse(REFUSAL.missing);
          case 'malformed':
            return refuse(REFUSAL.malformed(found.reason));
          case 'present':
            break;
          default: {
            const unreachable: never = found;
            throw new Error(`unknown authorization ${JSON.stringify(unreachable)}`);
          }
        }
        try {
          const viewer = await deps.authenticate(found.authorization);
          ctx.extra.viewer = viewer;
          ctx.extra.authorization = found.authorization;
          // A revoked key's sockets close at once, whichever process revoked it.
          const socket = ctx.extra.socket;
          const stopWatching = deps.watchKey(viewer, () => socket.close(REFUSAL.revoked.code, REFUSAL.revoked.reason));
          socket.once('close', stopWatching);
          ctx.extra.counted = true;
          metrics.socketOpened();
          return true;
        } catch (error) {
          if (error instanceof DomainError) return refuse(REFUSAL.refused(error.message));
          throw error;
        }
      },
      // Every operation on the socket passes the same gate as an HTTP request.
      onSubscribe: async (ctx, id, payload) => {
        // The key is checked again for every operation: revoked since the socket opened, the socket closes.
        let viewer: Viewer;
        try {
          viewer = await deps.authenticate(ctx.extra.authorization);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          const refusal = REFUSAL.refused(error.message);
          ctx.extra.socket.close(refusal.code, refusal.reason);
          return [new GraphQLError(error.message, { extensions: { code: DOMAIN_ERROR_CODES[error.code] } })];
        }
        const admitted = await gate.admitRequest(viewer, payload);
        if (!('document' in admitted)) return [...admitted];
        const type: OperationType = admitted.operation;
        ctx.extra.operations ??= new Map();
        ctx.extra.operations.set(id, {
          name: getOperationAST(admitted.document, admitted.operationName)?.name?.value ?? null,
          type,
          started: performance.now(),
          outcome: 'ok',
        });
        if (type === 'subscription') metrics.subscriptionOpened();
        const contextValue = deps.createContext(viewer, `ws-${id}`);
        if (admitted.operation !== 'subscription') gate.guards.start(contextValue);
        return {
          schema: deps.schema,
          document: admitted.document,
          operationName: admitted.operationName,
          variableValues: admitted.variables,
          contextValue,
        } satisfies ExecutionArgs;
      },
      // Subscriptions format errors exactly like HTTP: one vocabulary, no leaks.
      onError: (ctx, id, payload, errors) => {
        const formatted = errors.map((e) => formatError(e.toJSON(), e));
        const operation = ctx.extra.operations?.get(id);
        if (operation) operation.outcome = outcomeOf(formatted);
        // Refused before it ran (a limit, a revoked key): counted here, as it never completes.
        else
          metrics.operation(
            { name: payload.operationName, type: 'unknown', outcome: outcomeOf(formatted), transport: 'ws' },
            null,
          );
        return formatted;
      },
      onNext: (ctx, id, _payload, args, result) => {
        const withNotices = withNoticesOf(args.contextValue as Context, result);
        if (!withNotices.errors) return withNotices;
        const formatted = withNotices.errors.map((e) => formatError(e.toJSON(), e));
        const operation = ctx.extra.operations?.get(id);
        if (operation && operation.outcome === 'ok') operation.outcome = outcomeOf(formatted);
        return { ...withNotices, errors: formatted };
      },
      onComplete: (ctx, id) => {
        const operation = ctx.extra.operations?.get(id);
        if (!operation) return;
        ctx.extra.operations?.delete(id);
        const timed = operation.type !== 'subscription';
        if (!timed) metrics.subscriptionClosed();
        metrics.operation(
          { name: operation.name, type: operation.type, outcome: operation.outcome, transport: 'ws' },
          timed ? (performance.now() - operation.started) / 1000 : null,
        );
      },
      onClose: (ctx) => {
        if (ctx.extra.counted) metrics.socketClosed();
      },
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema: deps.schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // Documents over the token limit stop parsing early; depth, aliases and
    // directives are validation rules; cost is checked once the variables are known.
    parseOptions: gate.parseOptions,
    validationRules: gate.validationRules,
    // Shutdown is ours (src/index.ts stops every part in order); Apollo's own
    // signal handler would race it and re-raise the signal.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      disposeWebSocketsOnDrain(wsHandle),
      // Apollo's default landing page loads Sandbox from a CDN; memql serves its own GraphiQL (web-pages.ts).
      ApolloServerPluginLandingPageDisabled(),
      gate.apolloPlugin<Context>(),
      metricsPlugin(metrics),
      noticesPlugin(),
    ],
  });
  await apollo.start();

  httpServer.on('request', (req, res) => {
    res.once('finish', () => metrics.httpRequest(routeOf(req.url), res.statusCode));
    handle(req, res).catch((error: unknown) => {
      if (deps.isOverload(error) && !res.headersSent) {
        // Before execution (the key's lookup, say): 503 with Retry-After, the same RATE_LIMITED error as during it.
        deps.log.warn({}, 'no database connection came free in time; answered RATE_LIMITED');
        res.setHeader('Retry-After', String(OVERLOAD_RETRY_AFTER_SECONDS));
        sendJson(res, 503, { errors: [overloadError()] });
        return;
      }
      deps.log.error({ err: error }, 'request handling failed');
      if (!res.headersSent)
        sendJson(res, 500, {
          errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        });
      else res.end();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (cors.handle(req, res)) return; // a preflight, answered
    if (url.pathname === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      const report = await deps.health().catch((): HealthReport => ({ status: 'unavailable', checks: {} }));
      return sendJson(res, report.status === 'unavailable' ? 503 : 200, { status: report.status, ...report.checks });
    }
    if (url.pathname === '/metrics') return serveMetrics(req, res, { metrics, authenticate: deps.authenticate });
    const exportId = EXPORTS_PATH.exec(url.pathname)?.[1];
    if (exportId)
      return serveExport(req, res, exportId, { authenticate: deps.authenticate, download: deps.downloadExport });
    if (url.pathname === IMPORTS_PATH)
      return serveImportUpload(req, res, { authenticate: deps.authenticate, upload: deps.uploadImport });
    if (await pages.handle(req, res, url)) return;
    if (url.pathname !== GRAPHQL_PATH)
      return sendJson(res, 404, { error: `Not found: GraphQL is served at ${GRAPHQL_PATH}` });

    // The key and its rate limit first: nothing of the body is read for a refused request.
    const admission = await door.admit(req, res);
    if (admission.kind === 'answered') return;
    const { viewer, body } = admission;
    for (const [name, value] of Object.entries(admission.headers)) res.setHeader(name, value);
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const requestId =
      typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'].slice(0, 64) : randomUUID();
    const parsedBody = parseBody(body, headers);
    const source = sourceOf(parsedBody, url);
    const nested = source === null ? null : gate.checkSource(source);
    if (nested)
      return sendJson(res, 400, {
        errors: [{ message: nested.message, extensions: { ...nested.extensions, http: undefined } }],
      });
    const execution = deps.requestScope(requestId, () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: req.method?.toUpperCase() ?? 'GET',
          headers,
          search: url.search,
          body: parsedBody,
        },
        context: async () => deps.createContext(viewer, requestId),
      }),
    );
    // The guard stops resolvers after the deadline; an answer still missing then
    // (a resolver stuck in one long wait) is replaced by the TIMEOUT error.
    const response = await withinDeadline(execution, gate.guards.limits.deadlineMs);
    if (response === 'late') {
      res.setHeader('x-request-id', requestId);
      return sendJson(res, 503, { errors: [deadlineError(gate.guards.limits.deadlineMs).toJSON()] });
    }
    res.statusCode = response.status ?? 200;
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.setHeader('x-request-id', requestId);
    if (response.body.kind === 'complete') {
      const maxBytes = gate.guards.limits.maxResponseBytes;
      if (Buffer.byteLength(response.body.string, 'utf8') > maxBytes)
        return sendJson(res, 200, { errors: [responseTooLargeError(maxBytes).toJSON()] });
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  return {
    url: `http://${shownHost}:${port}${GRAPHQL_PATH}`,
    port,
    close: () => apollo.stop(),
  };
}

/** The promise's value, or 'late' when it has not settled within `ms`. */
async function withinDeadline<T>(promise: Promise<T>, ms: number): Promise<T | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  promise.catch(() => undefined); // a failure after the deadline has no one left to tell
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

/** The document text of a request (POST body or GET search), null when there is none. */
function sourceOf(body: unknown, url: URL): string | null {
  if (body && typeof body === 'object' && 'query' in body && typeof body.query === 'string') return body.query;
  return url.searchParams.get('query');
}

function parseBody(body: string, headers: HeaderMap): unknown {
  if (body.length === 0) return undefined;
  if (!(headers.get('content-type') ?? '').includes('json')) return body;
  try {
    return JSON.parse(body);
  } catch {
    // Apollo answers a body that is not JSON with its own 400 BAD_REQUEST.
    return body;
  }
}

/**
 * Apollo plugin: what resolvers noted about how they answered (a search
 * served lexically while the vector index was down) goes in the response's
 * `extensions.notices`.
 */
function noticesPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (response.body.kind !== 'single' || contextValue.notices.length === 0) return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, notices: contextValue.notices };
        },
      };
    },
  };
}

/** The same for an operation on a WebSocket. */
function withNoticesOf<T extends { extensions?: Record<string, unknown> }>(context: Context | undefined, result: T): T {
  if (!context?.notices?.length) return result;
  const notices = context.notices.splice(0);
  return { ...result, extensions: { ...result.extensions, notices } };
}

/** Apollo plugin: when Apollo drains (stop), the graphql-ws server is disposed too, closing its sockets. */
function disposeWebSocketsOnDrain(wsServer: { dispose(): void | Promise<void> }): ApolloServerPlugin<Context> {
  return {
    async serverWillStart() {
      return {
        async drainServer() {
          await wsServer.dispose();
        },
      };
    },
  };
}
