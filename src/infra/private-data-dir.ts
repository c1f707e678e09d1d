// The data dir holds the embedded database, the vector index and the
// generated admin key: nobody but the server's own OS user may read it.
//
// - The process umask becomes 077, so every file PGlite (in this process)
//   and the embedded Chroma (a child, which inherits it) create is 0600 and
//   every folder 0700. This changes the umask of the whole process: memql
//   writes nothing that others should read.
// - The data dir is made 0700, and what an older version left readable in
//   it (0644 files, 0755 folders) is tightened to 0600/0700 at start.

import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

export const PRIVATE_UMASK = 0o077;

export interface PrivateDirLog {
  warn(details: object, message: string): void;
}

/** Creates (or tightens) `dir` and everything in it to 0700/0600 and sets the process umask to 077. */
export async function preparePrivateDataDir(dir: string, log: PrivateDirLog): Promise<void> {
  process.umask(PRIVATE_UMASK);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    await tighten(dir);
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      await tighten(path.join(entry.parentPath, entry.name));
    }
  } catch (error) {
    // A data dir owned by another user (a mounted volume, say) cannot be chmod-ed: say so, keep serving.
    log.warn(
      { err: error, dataDir: dir },
      'could not make the data dir private (0700/0600); other users of this machine may read it',
    );
  }
}

async function tighten(file: string): Promise<void> {
  const stats = await lstat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null; // gone since it was listed
    throw error;
  });
  if (!stats || stats.isSymbolicLink()) return;
  const wanted = stats.isDirectory() ? 0o700 : 0o600;
  if ((stats.mode & 0o777) !== wanted) await chmod(file, wanted);
}
