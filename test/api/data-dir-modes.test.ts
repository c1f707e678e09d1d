// The data dir is private: after a server ran on it (embedded PGlite and
// Chroma, written to and stopped), the folder and everything in it are
// 0700/0600, including what an older install had left world-readable.

import type { Dirent } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../../src/lib/secrets.js';
import { CreateMemoryDocument, CreateUserDocument, InsertBlobDocument } from '../generated/graphql.js';
import { startTestApp } from '../helpers/test-app.js';

interface FileMode {
  mode: string;
  directory: boolean;
}

// A running server creates and removes files while the folder is walked
// (SQLite's journal, PGlite's temporary files): one gone by the time it is
// looked at is skipped, not an error.
async function modes(dir: string): Promise<Map<string, FileMode>> {
  const found = new Map<string, FileMode>();
  const record = async (file: string) => {
    const stats = await lstat(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (stats && !stats.isSymbolicLink())
      found.set(path.relative(dir, file) || '.', {
        mode: (stats.mode & 0o777).toString(8),
        directory: stats.isDirectory(),
      });
  };
  await record(dir);
  for (const entry of await listRecursively(dir)) await record(path.join(entry.parentPath, entry.name));
  return found;
}

// A folder removed in the middle of a recursive listing fails it: list again.
async function listRecursively(dir: string, attempts = 5): Promise<Dirent[]> {
  try {
    return await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempts <= 1) throw error;
    return listRecursively(dir, attempts - 1);
  }
}

describe('file modes of the data dir', () => {
  let dataDir = '';
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('are 0700 for folders and 0600 for files, PGlite and Chroma files included', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'memql-modes-'));
    // What an older version left: a readable data dir, folder and file.
    await mkdir(path.join(dataDir, 'old'));
    await writeFile(path.join(dataDir, 'old', 'notes.txt'), 'left by an older version');
    await chmod(path.join(dataDir, 'old', 'notes.txt'), 0o644);
    await chmod(path.join(dataDir, 'old'), 0o755);
    await chmod(dataDir, 0o755);

    // The embedded stores (no DATABASE_URL, no CHROMA_URL), whatever the suite runs against.
    const t = await startTestApp({
      reuse: { dataDir, env: { MEMQL_ADMIN_KEY: generateSecret(), MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } },
    });
    try {
      await t.admin.ok(CreateUserDocument, { input: { id: 'mo' } });
      await t.admin.ok(InsertBlobDocument, { userId: 'mo', input: { doc: { content: 'A private note about tea.' } } });
      await t.admin.ok(CreateMemoryDocument, { userId: 'mo', input: { text: 'Likes green tea' } });
      await t.app.indexer.drain();
      const running = await modes(dataDir);
      expect([...running.keys()].some((file) => file.startsWith('pg/'))).toBe(true);
      expect([...running.keys()].some((file) => file.startsWith('chroma/'))).toBe(true);
    } finally {
      await t.stop();
    }

    const found = await modes(dataDir);
    const wrong = [...found]
      .filter(([, file]) => file.mode !== (file.directory ? '700' : '600'))
      .map(([name, file]) => `${name} ${file.mode}`);
    expect(wrong).toEqual([]);
    expect(found.get('.')?.mode).toBe('700');
    expect(found.get('old/notes.txt')?.mode).toBe('600');
    // Enough files were looked at to mean something (PGlite alone writes hundreds).
    expect(found.size).toBeGreaterThan(100);
  }, 300_000);
});
