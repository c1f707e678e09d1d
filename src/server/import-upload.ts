// POST /imports: an export file sent to the server (admin key only), so that
// `memql import` works whether or not it shares a disk with the server. The
// body is streamed into the export dir (gunzipped when sent with
// Content-Encoding: gzip); the answer names the stored file for importExport.

import type http from 'node:http';
import { createGunzip } from 'node:zlib';
import { DomainError } from '../domain/errors.js';
import type { Viewer } from '../domain/types.js';
import { authenticateOr401, sendText } from './plain-http.js';

export const IMPORTS_PATH = '/imports';

export interface ImportUploadDeps {
  authenticate(authorization: string | undefined): Promise<Viewer>;
  upload(viewer: Viewer, chunks: AsyncIterable<Uint8Array>): Promise<{ file: string; bytes: number }>;
}

export async function serveImportUpload(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  deps: ImportUploadDeps,
): Promise<void> {
  if (req.method !== 'POST') return sendText(res, 405, 'POST /imports with an export file as the body\n');
  const viewer = await authenticateOr401(req, res, deps.authenticate);
  if (!viewer) return;
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip')
    return sendText(res, 415, 'send the file plain or with Content-Encoding: gzip\n');
  try {
    const stored = await deps.upload(viewer, encoding === 'gzip' ? req.pipe(createGunzip()) : req);
    res.statusCode = 201;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(stored));
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    // Drain what the client still sends, then refuse (a non-admin key).
    req.resume();
    sendText(res, error.code === 'FORBIDDEN' ? 403 : 400, `${error.message}\n`);
  }
}
