// GET /exports/{id}: an export's JSON Lines file, for the key of the project
// that made it (another project's key, an unknown id or an export not yet
// FINISHED: 404). Streamed; gzip when the client accepts it.

import type http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Viewer } from '../domain/types.js';
import { authenticateOr401, sendText } from './plain-http.js';

export const EXPORTS_PATH = /^\/exports\/([^/]+)$/;

export interface ExportDownloadDeps {
  authenticate(authorization: string | undefined): Promise<Viewer>;
  download(viewer: Viewer, id: string): Promise<{ bytes: number; chunks: AsyncIterable<Uint8Array> } | null>;
}

export async function serveExport(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  id: string,
  deps: ExportDownloadDeps,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'GET /exports/{id}\n');
  const viewer = await authenticateOr401(req, res, deps.authenticate);
  if (!viewer) return;
  const file = await deps.download(viewer, decodeURIComponent(id));
  if (!file) return sendText(res, 404, 'no finished export with this id in your project\n');
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  res.statusCode = 200;
  res.setHeader('content-type', 'application/x-ndjson; charset=utf-8');
  res.setHeader('content-disposition', `attachment; filename="memql-export-${id}.jsonl"`);
  res.setHeader('vary', 'accept-encoding');
  if (gzip) res.setHeader('content-encoding', 'gzip');
  else res.setHeader('content-length', String(file.bytes));
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const source = Readable.from(file.chunks);
  await (gzip ? pipeline(source, createGzip(), res) : pipeline(source, res));
}
