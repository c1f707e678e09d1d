// Start time, as `npm start` meets it: the server as deployed (the offline
// USE-lite embedder and extractor, the embedded database and Chroma), from
// spawning the process until it serves, on an empty data directory (a first
// start) and again on the same directory after a clean stop (a second one).

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateSecret } from '../../src/lib/secrets.js';
import { startServerProcess } from '../lib/server-process.js';

export interface StartResult {
  /** Spawn to serving on an empty data directory, ms, one per run. */
  firstMs: number[];
  /** Spawn to serving on the same directory after a clean stop, ms, one per run. */
  secondMs: number[];
}

export async function benchStart(options: { runs: number; log: (message: string) => void }): Promise<StartResult> {
  const result: StartResult = { firstMs: [], secondMs: [] };
  for (let run = 0; run < options.runs; run++) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'memql-bench-start-'));
    const adminKey = generateSecret();
    try {
      for (const times of [result.firstMs, result.secondMs]) {
        const server = await startServerProcess({}, { dataDir, adminKey });
        times.push(server.startMs);
        await server.stop();
      }
      options.log(
        `start: first ${(result.firstMs.at(-1)! / 1000).toFixed(1)} s, second ${(result.secondMs.at(-1)! / 1000).toFixed(1)} s`,
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  return result;
}
