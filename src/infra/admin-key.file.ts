// The generated admin key of an installation without MEMQL_ADMIN_KEY: made
// once, kept in the data dir (mode 0600), so restarts keep working.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSecret } from '../lib/secrets.js';

export const ADMIN_KEY_FILE = 'admin.key';

/** Returns the stored key, or creates one; `created` tells whether to print it. */
export async function loadOrCreateAdminKey(
  dataDir: string,
): Promise<{ secret: string; created: boolean; file: string }> {
  const file = path.join(dataDir, ADMIN_KEY_FILE);
  try {
    const secret = (await readFile(file, 'utf8')).trim();
    if (secret.length >= 24) return { secret, created: false, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = generateSecret();
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'w' });
  return { secret, created: true, file };
}

/** The stored key, or null when there is none (never creates one: for the CLI). */
export async function readAdminKey(dataDir: string): Promise<string | null> {
  try {
    const secret = (await readFile(path.join(dataDir, ADMIN_KEY_FILE), 'utf8')).trim();
    return secret.length >= 24 ? secret : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
