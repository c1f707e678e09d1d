// The browser pages: GraphiQL (GET /graphql from a browser, and /graphiql)
// and the dashboard (/dashboard), served from web/dist, which web/build.mjs
// bundles from the installed packages at install time. Nothing is fetched
// from another origin: the Content-Security-Policy says so to the browser.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the bundles live: <project>/web/dist from src/server/ and from dist/server/ alike. */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));
export const ASSET_PREFIX = '/ui/';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Same-origin only: scripts, styles, fonts, workers, and the API over HTTP and WebSocket. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'", // Monaco and GraphiQL set inline styles
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export type Page = 'graphiql' | 'dashboard';

const TITLES: Record<Page, string> = { graphiql: 'memql · GraphiQL', dashboard: 'memql · dashboard' };

export interface WebPages {
  /** Answers a request for a page or an asset; false when the path is neither. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean>;
}

/** GET /graphql asks for GraphiQL when a browser navigates to it (HTML accepted, no query in the URL). */
export function wantsGraphiql(req: http.IncomingMessage, url: URL): boolean {
  return (
    (req.method === 'GET' || req.method === 'HEAD') &&
    !url.searchParams.has('query') &&
    (req.headers.accept ?? '').includes('text/html')
  );
}

export function createWebPages(options: { enabled: boolean; graphqlPath: string; dist?: string }): WebPages {
  const dist = options.dist ?? WEB_DIST;

  const page = async (res: http.ServerResponse, name: Page) => {
    if (!options.enabled)
      return sendText(res, 404, `The browser pages are turned off (MEMQL_GRAPHIQL=false).`, 'text/plain');
    if (!(await isFile(path.join(dist, `${name}.js`))))
      return sendText(
        res,
        503,
        `${TITLES[name]}: the page is not built. Run \`npm install\` (or \`npm run build:web\`) in the memql folder.`,
        'text/plain',
      );
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-content-type-options', 'nosniff');
    sendText(res, 200, html(name), 'text/html');
  };

  return {
    async handle(req, res, url) {
      const isRead = req.method === 'GET' || req.method === 'HEAD';
      if (url.pathname === options.graphqlPath) {
        if (!options.enabled || !wantsGraphiql(req, url)) return false;
        await page(res, 'graphiql');
        return true;
      }
      if (isRead && (url.pathname === '/graphiql' || url.pathname === '/graphiql/')) {
        await page(res, 'graphiql');
        return true;
      }
      if (isRead && (url.pathname === '/dashboard' || url.pathname === '/dashboard/')) {
        await page(res, 'dashboard');
        return true;
      }
      if (!url.pathname.startsWith(ASSET_PREFIX)) return false;
      if (!options.enabled || !isRead) {
        sendText(res, 404, 'Not found', 'text/plain');
        return true;
      }
      await asset(res, dist, decodeURIComponent(url.pathname.slice(ASSET_PREFIX.length)));
      return true;
    },
  };
}

function html(name: Page): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${TITLES[name]}</title>
<link rel="stylesheet" href="${ASSET_PREFIX}${name}.css">
</head>
<body>
<div id="root"></div>
<script type="module" src="${ASSET_PREFIX}${name}.js"></script>
</body>
</html>
`;
}

async function asset(res: http.ServerResponse, dist: string, relative: string): Promise<void> {
  const file = path.resolve(dist, relative);
  const type = CONTENT_TYPES[path.extname(file)];
  if (!file.startsWith(dist) || !type || !(await isFile(file))) return sendText(res, 404, 'Not found', 'text/plain');
  res.statusCode = 200;
  res.setHeader('content-type', type);
  res.setHeader('cache-control', 'no-cache');
  res.setHeader('x-content-type-options', 'nosniff');
  await new Promise<void>((resolve, reject) => {
    createReadStream(file).on('error', reject).pipe(res).on('finish', resolve).on('error', reject);
  });
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (info) => info.isFile(),
    () => false,
  );
}

function sendText(res: http.ServerResponse, status: number, body: string, type: 'text/plain' | 'text/html'): void {
  res.statusCode = status;
  res.setHeader('content-type', `${type}; charset=utf-8`);
  res.end(body);
}
