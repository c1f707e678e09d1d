#!/usr/bin/env node
// Compiles the server (src/, but src/client, which web/build.mjs bundles) into
// dist/ with esbuild, file by file: what `npm start` runs. Node then loads
// plain JavaScript, without tsx's loader hooks: a second start on 20,000
// chunks took 7.7-8.7 s of CPU through tsx against 5.0-5.4 s compiled (three
// pairs at load 6; 245 modules, each through the hooks thread). Run by
// `npm install`/`npm ci` (postinstall) and `npm start` (prestart); a build
// whose sources have not changed since is skipped (dist/.server-build.json).
//
// dist/ mirrors src/ (dist/server/web-pages.js next to dist/infra/...), so
// every path the code finds from its own file (the browser pages, the
// migrations, the embedded database's worker) is the same as from src/. The
// transform is tsx's own (esbuild with tsconfig.json), so the code behaves
// as under tsx (the tests run src/ through tsx, and `npm start` through this).
// `npm run build` runs it too (the Docker image); types are checked by
// `npm run typecheck`, not here.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const STAMP = path.join(dist, '.server-build.json');
/** Several `npm start`s at once (tests) build one at a time; the others find the build done. */
const LOCK = path.join(dist, '.server-build.lock');
const STALE_LOCK_MS = 60_000;

/** The server's TypeScript sources and the newest modification time among them and tsconfig.json. */
async function sources() {
  const files = [];
  let newest = statSync(path.join(root, 'tsconfig.json')).mtimeMs;
  for (const entry of await readdir(src, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (!entry.isFile() || !file.endsWith('.ts') || file.startsWith(path.join(src, 'client') + path.sep)) continue;
    files.push(file);
    newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return { files: files.sort(), newest };
}

/** Which files there are: a deleted or renamed source makes the build stale too. */
function listHash(files) {
  return createHash('sha256').update(files.join('\n')).digest('hex');
}

function isFresh({ files, newest }) {
  if (!existsSync(STAMP)) return false;
  try {
    const stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
    return stamp.newest >= newest && stamp.files === listHash(files);
  } catch {
    return false;
  }
}

async function withLock(work) {
  await mkdir(dist, { recursive: true });
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A builder that died leaves its lock: taken over once it is clearly too old.
      const age = await stat(LOCK).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) await rm(LOCK, { recursive: true, force: true });
      else await sleep(100);
    }
  }
  try {
    return await work();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

export async function buildServer() {
  let found = await sources();
  if (isFresh(found)) return false;
  return withLock(async () => {
    found = await sources();
    if (isFresh(found)) return false; // built by another process while this one waited
    const { build } = await import('esbuild');
    const started = Date.now();
    await build({
      entryPoints: found.files,
      outdir: dist,
      outbase: src,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: true,
      tsconfig: path.join(root, 'tsconfig.json'),
      logLevel: 'warning',
      absWorkingDir: root,
    });
    await writeFile(STAMP, `${JSON.stringify({ newest: found.newest, files: listHash(found.files) })}\n`);
    process.stderr.write(`memql: compiled the server into dist/ in ${Date.now() - started} ms\n`);
    return true;
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await buildServer();
}
