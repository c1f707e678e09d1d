// Export files kept in memory, for the domain's unit tests (the real store,
// infra/files/export-files.ts, is tested through the API).

import type { ExportFileStore, ExportWriter } from '../../src/domain/ports.js';

export class InMemoryExportFiles implements ExportFileStore {
  readonly files = new Map<string, string>();

  async create(id: string): Promise<ExportWriter> {
    const lines: string[] = [];
    return {
      write: async (line) => {
        lines.push(`${line}\n`);
      },
      finish: async () => {
        const text = lines.join('');
        this.files.set(id, text);
        return Buffer.byteLength(text);
      },
      abort: async () => {},
    };
  }

  async read(id: string): Promise<{ bytes: number; chunks: AsyncIterable<Uint8Array> } | null> {
    const text = this.files.get(id);
    if (text === undefined) return null;
    const bytes = Buffer.from(text);
    return {
      bytes: bytes.length,
      chunks: (async function* () {
        yield bytes;
      })(),
    };
  }

  async remove(id: string): Promise<void> {
    this.files.delete(id);
  }
}
