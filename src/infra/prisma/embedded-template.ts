// A new embedded database starts as a copy of an empty one.
//
// PGlite runs initdb in WebAssembly the first time it opens an empty folder:
// 10-16 s of CPU on the 2-core machine, most of a first start (and of every
// test that opens a fresh database). Unpacking the same empty cluster from a
// tarball takes 2-4 s. The tarball is made once per PGlite version, by
// `npm install` (scripts/embedded-database-template.mjs) or else by the first
// new folder that finds none, and kept where tools keep their caches
// (node_modules/.cache/memql). It holds nothing but initdb's output: no
// schema, no data, no secret; the migrations run on the copy as on a fresh
// folder. Anything wrong with the cache (missing, unreadable, another
// version's, corrupt) falls back to initdb, so the cache can only save time.

import { randomUUID } from 'node:crypto';
import { constants, existsSync, readFileSync } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';

const require = createRequire(import.meta.url);

/** Where the template of the installed PGlite version is kept. */
export function templateFile(): string {
  // PGlite's exports hide its package.json; its entry point shows where it is installed.
  const entry = require.resolve('@electric-sql/pglite');
  const nodeModules = entry.slice(0, entry.lastIndexOf(`${path.sep}node_modules${path.sep}`) + '/node_modules'.length);
  const manifest = path.join(nodeModules, '@electric-sql', 'pglite', 'package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return path.join(nodeModules, '.cache', 'memql', `pglite-${version}-initdb.tar.gz`);
}

/**
 * Opens PGlite on `dataDir`. A folder without a cluster (no PG_VERSION) is
 * filled from the template, which is made first when there is none.
 */
export async function openPglite(dataDir: string, template = templateFile()): Promise<PGlite> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return PGlite.create({ dataDir });
  // Made in a folder of its own: the template holds initdb's output and nothing
  // else (never this folder's lock file, which a copy would then carry).
  const tarball = await ensureTemplate(template)
    .then(() => readFile(template))
    .catch(() => null);
  if (tarball) {
    const before = new Set(await readdir(dataDir).catch(() => []));
    try {
      return await PGlite.create({ dataDir, loadDataDir: new Blob([tarball]) });
    } catch {
      // A corrupt or foreign template: remove what it unpacked (not the folder's lock) and run initdb.
      for (const entry of await readdir(dataDir)) {
        if (!before.has(entry)) await rm(path.join(dataDir, entry), { recursive: true, force: true });
      }
    }
  }
  return PGlite.create({ dataDir });
}

/** Makes the template unless it exists (npm install's postinstall step, or the first new folder). */
export async function ensureTemplate(template = templateFile()): Promise<'made' | 'present'> {
  if (existsSync(template)) return 'present';
  // A cache it cannot write (a read-only install) fails here, before initdb: not after it, and then again in the folder.
  await mkdir(path.dirname(template), { recursive: true });
  await access(path.dirname(template), constants.W_OK);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'memql-initdb-'));
  try {
    const db = await PGlite.create({ dataDir: scratch });
    await saveTemplate(db, template);
    await db.close();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return 'made';
}

async function saveTemplate(db: PGlite, template: string): Promise<void> {
  if (existsSync(template)) return;
  const dump = await db.dumpDataDir('gzip');
  // Written aside and renamed: concurrent starts (parallel test files) never read half a file.
  const partial = `${template}.${randomUUID()}.partial`;
  await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
  await rename(partial, template);
}
