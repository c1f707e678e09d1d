// A scripted `/rerank` server for tests, on 127.0.0.1 at an ephemeral port.
// Answers `POST {basePath}/rerank` ({ model, query, documents | texts }) with
// a score per document from `score(query, document)`, in the Cohere/Jina/vLLM
// format ({ results: [{ index, relevance_score }] }, best first) or the
// text-embeddings-inference one ([{ index, score }]). `delayMs` holds each
// answer back (to make a client time out), `status` answers an error instead.

import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RerankRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: { model?: string; query?: string; documents?: string[]; texts?: string[]; [key: string]: unknown };
}

export interface RerankBehaviour {
  score: (query: string, document: string) => number;
  format: 'cohere' | 'tei';
  delayMs: number;
  status: number;
}

export interface ScriptedRerankServer {
  /** Base URL, e.g. http://127.0.0.1:40123/v1 (requests go to {url}/rerank). */
  readonly url: string;
  readonly requests: RerankRequest[];
  /** Changes how the next requests are answered (unset fields keep their value). */
  set(behaviour: Partial<RerankBehaviour>): void;
  stop(): Promise<void>;
}

export async function startScriptedRerankServer(
  initial: Partial<RerankBehaviour> & { basePath?: string } = {},
): Promise<ScriptedRerankServer> {
  const basePath = initial.basePath ?? '/v1';
  const behaviour: RerankBehaviour = {
    score: () => 0,
    format: 'cohere',
    delayMs: 0,
    status: 200,
    ...initial,
  };
  const requests: RerankRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      let body: RerankRequest['body'] = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RerankRequest['body'];
      } catch {
        // answered below
      }
      requests.push({ path, headers: req.headers, body });
      const send = (status: number, payload: unknown) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.method !== 'POST' || path !== `${basePath}/rerank`) return send(404, { error: `no route ${path}` });
      const documents = body.documents ?? body.texts;
      if (typeof body.query !== 'string' || !Array.isArray(documents))
        return send(422, { error: 'query and documents are required' });
      const answer = () => {
        if (behaviour.status !== 200) return send(behaviour.status, { error: 'scripted failure' });
        const scored = documents
          .map((document, index) => ({ index, score: behaviour.score(body.query!, document) }))
          .sort((a, b) => b.score - a.score);
        send(
          200,
          behaviour.format === 'tei'
            ? scored
            : { results: scored.map(({ index, score }) => ({ index, relevance_score: score })) },
        );
      };
      if (behaviour.delayMs > 0) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          answer();
        }, behaviour.delayMs);
        timers.add(timer);
      } else answer();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    requests,
    set: (changes) => Object.assign(behaviour, changes),
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
