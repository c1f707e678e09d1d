#!/usr/bin/env node
// Bundles the browser pages (GraphiQL at /graphql and /graphiql, the
// dashboard at /dashboard) from the installed packages into web/dist with
// esbuild: no CDN, no network at build time or when the page runs. Run by
// `npm install`/`npm ci` (postinstall), `npm start` (prestart) and
// `npm run build:web`; the server serves web/dist (src/server/web-pages.ts).
// It also builds the `memql/client` entry (dist/client/index.js) from
// src/client, so apps and tests import it as plain JavaScript.
//
// `node web/build.mjs --if-missing` builds only when the output is absent or
// older than a source file (web/, src/client/, schema.graphql, README.md's tabs).

import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(web);
const dist = path.join(web, 'dist');
const STAMP = path.join(dist, 'build.json');
const CLIENT_ENTRY = path.join(root, 'dist', 'client', 'index.js');

/** The newest modification time of the sources (web/ but its dist, src/client/, README.md). */
async function newestSource() {
  let newest = Math.max(
    statSync(path.join(root, 'README.md')).mtimeMs,
    statSync(path.join(root, 'schema.graphql')).mtimeMs,
  );
  for (const dir of [web, path.join(root, 'src', 'client')]) {
    for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
      const file = path.join(entry.parentPath, entry.name);
      if (!entry.isFile() || file.startsWith(dist)) continue;
      newest = Math.max(newest, statSync(file).mtimeMs);
    }
  }
  return newest;
}

/** The README's first operations, shown as GraphiQL's tabs. */
function readmeTabs() {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```graphql\n([\s\S]*?)^```/gm)].map((match) => match[1].trim());
  const first = blocks.filter((block) => !block.startsWith('subscription')).slice(0, 4);
  const subscription = blocks.find((block) => block.startsWith('subscription'));
  return [...first, ...(subscription ? [subscription] : [])].map((query) => ({ query }));
}

export async function buildWeb() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
    createRequire(import.meta.url).resolve('graphiql/package.json');
  } catch {
    process.stderr.write(
      'memql: the browser pages are not built (esbuild, graphiql and react are dev dependencies: run npm install)\n',
    );
    return false;
  }
  const started = Date.now();
  await rm(dist, { recursive: true, force: true });
  await mkdir(dist, { recursive: true });
  const common = {
    bundle: true,
    minify: true,
    sourcemap: false,
    legalComments: 'linked',
    logLevel: 'warning',
    target: ['chrome110', 'firefox115', 'safari16'],
    define: {
      'process.env.NODE_ENV': '"production"',
      __README_TABS__: JSON.stringify(readmeTabs()),
      __SCHEMA_SDL__: JSON.stringify(readFileSync(path.join(root, 'schema.graphql'), 'utf8')),
    },
    absWorkingDir: root,
  };
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: { graphiql: 'web/graphiql/main.tsx', dashboard: 'web/dashboard/main.tsx' },
      outdir: dist,
      format: 'esm',
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      jsx: 'automatic',
      loader: { '.ttf': 'file', '.woff2': 'file', '.woff': 'file' },
    }),
    // memql/client for apps: typed documents and possibleTypes, no runtime dependency.
    esbuild.build({
      ...common,
      minify: false,
      legalComments: 'none',
      target: 'es2022',
      entryPoints: ['src/client/index.ts'],
      outfile: CLIENT_ENTRY,
      format: 'esm',
      platform: 'neutral',
    }),
    // Monaco's web workers run as classic scripts: one self-contained file each.
    esbuild.build({
      ...common,
      entryPoints: {
        'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
        'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
        'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
      },
      outdir: dist,
      format: 'iife',
    }),
  ]);
  await writeFile(STAMP, `${JSON.stringify({ builtAt: new Date().toISOString(), ms: Date.now() - started })}\n`);
  process.stdout.write(
    `memql: built the browser pages into web/dist and memql/client into dist/client in ${Date.now() - started} ms\n`,
  );
  return true;
}

export async function isStale() {
  if (!existsSync(STAMP) || !existsSync(CLIENT_ENTRY)) return true;
  return (await newestSource()) > statSync(STAMP).mtimeMs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ifMissing = process.argv.includes('--if-missing');
  if (!ifMissing || (await isStale())) {
    const built = await buildWeb();
    if (!built && !ifMissing) process.exit(1);
  }
}
