// Export files in the export dir (MEMQL_EXPORT_DIR, default <data dir>/exports):
// written as <id>.jsonl.part and renamed to <id>.jsonl when complete, so a
// download never sees half a file. Writes wait for the stream to drain, so
// memory stays bounded whatever the export's size.

import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ExportFileStore, ExportWriter } from '../../domain/ports.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class ExportFiles implements ExportFileStore {
  constructor(readonly dir: string) {}

  private file(id: string): string {
    if (!UUID.test(id)) throw new Error(`not an export id: ${id}`);
    return path.join(this.dir, `${id}.jsonl`);
  }

  async create(id: string): Promise<ExportWriter> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const final = this.file(id);
    const partial = `${final}.part`;
    const stream = createWriteStream(partial, { mode: 0o600 });
    await once(stream, 'open');
    let bytes = 0;
    return {
      async write(line: string) {
        const chunk = `${line}\n`;
        bytes += Buffer.byteLength(chunk);
        if (!stream.write(chunk)) await once(stream, 'drain');
      },
      async finish() {
        stream.end();
        await once(stream, 'finish');
        await rename(partial, final);
        return bytes;
      },
      async abort() {
        stream.destroy();
        await rm(partial, { force: true });
      },
    };
  }

  async read(id: string): Promise<{ bytes: number; chunks: AsyncIterable<Uint8Array> } | null> {
    if (!UUID.test(id)) return null;
    const file = this.file(id);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return null;
    return { bytes: info.size, chunks: createReadStream(file) };
  }

  async remove(id: string): Promise<void> {
    if (!UUID.test(id)) return;
    await rm(this.file(id), { force: true });
    await rm(`${this.file(id)}.part`, { force: true });
  }
}
