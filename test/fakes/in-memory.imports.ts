// Import jobs in memory, for the domain's composition in unit tests. The
// writes of an import (ImportStore) have no in-memory twin: they are SQL of
// their own, tested through the API on PGlite and PostgreSQL
// (test/api/import-roundtrip.test.ts); this store refuses to write.

import { randomUUID } from 'node:crypto';
import type {
  ImportConflict,
  ImportPresence,
  ImportRecord,
  ImportRepository,
  ImportStore,
} from '../../src/domain/ports.js';
import type { Page, PageRequest } from '../../src/domain/types.js';

export class InMemoryImportRepository implements ImportRepository {
  private readonly rows = new Map<string, ImportRecord & { leaseUntil: Date | null }>();

  async create(input: { projectId: string; file: string; onConflict: ImportConflict }): Promise<ImportRecord> {
    const row = {
      id: randomUUID(),
      ...input,
      status: 'PENDING' as const,
      done: 0,
      total: 0,
      written: 0,
      skipped: 0,
      error: null,
      errorCode: null,
      createdAt: new Date(),
      finishedAt: null,
      leaseUntil: null,
    };
    this.rows.set(row.id, row);
    return { ...row };
  }

  async findById(id: string): Promise<ImportRecord | null> {
    const row = this.rows.get(id);
    return row ? { ...row } : null;
  }

  async list(page: PageRequest): Promise<Page<ImportRecord>> {
    const all = [...this.rows.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    return { items: all.slice(0, page.first), hasNextPage: all.length > page.first, totalCount: all.length };
  }

  async claim(id: string, leaseMs: number, now: Date): Promise<ImportRecord | null> {
    const row = this.rows.get(id);
    if (!row) return null;
    const free =
      row.status === 'PENDING' || (row.status === 'RUNNING' && (row.leaseUntil?.getTime() ?? 0) < now.getTime());
    if (!free) return null;
    row.status = 'RUNNING';
    row.leaseUntil = new Date(now.getTime() + leaseMs);
    return { ...row };
  }

  async unfinished(now: Date, limit: number): Promise<string[]> {
    return [...this.rows.values()]
      .filter(
        (row) =>
          row.status === 'PENDING' || (row.status === 'RUNNING' && (row.leaseUntil?.getTime() ?? 0) < now.getTime()),
      )
      .slice(0, limit)
      .map((row) => row.id);
  }

  async renew(id: string, leaseUntil: Date): Promise<void> {
    const row = this.rows.get(id);
    if (row?.status === 'RUNNING') row.leaseUntil = leaseUntil;
  }

  async checked(id: string, total: number, leaseUntil: Date): Promise<void> {
    const row = this.rows.get(id);
    if (row) Object.assign(row, { total, leaseUntil });
  }

  async finish(id: string, outcome: Parameters<ImportRepository['finish']>[1]): Promise<ImportRecord> {
    const row = this.rows.get(id);
    if (!row) throw new Error(`no import ${id}`);
    Object.assign(row, outcome, { leaseUntil: null });
    return { ...row };
  }
}

export class RefusingImportStore implements ImportStore {
  async presence(): Promise<ImportPresence> {
    return { inProject: new Set(), elsewhere: new Set(), customProfile: false };
  }

  async write(): Promise<{ written: number; skipped: number }> {
    throw new Error('imports write through SQL; test them through the API (test/api/import-roundtrip.test.ts)');
  }
}
