// ExportService on the in-memory fakes: retention deletes old exports with
// their files, a job left RUNNING by a dead process is written again once
// its lease has passed, exportProgress ends after FINISHED.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExportService } from '../../../src/domain/exports/export.service.js';
import { createTestDomain, type TestDomain } from '../../fakes/test-domain.js';
import { InMemoryExportFiles } from '../../fakes/in-memory.export-files.js';

let domain: TestDomain;
let files: InMemoryExportFiles;
let now: Date;
let service: ExportService;

beforeEach(async () => {
  domain = await createTestDomain();
  files = new InMemoryExportFiles();
  now = new Date();
  const r = domain.repos;
  service = new ExportService(
    {
      exports: r.exports,
      files,
      users: r.users,
      blobs: r.blobs,
      memories: r.memories,
      events: r.events,
      profileConfigs: r.profileConfigs,
      embedding: { model: 'hashing', dimension: 256 },
      log: domain.log,
    },
    { leaseMs: 60_000, retentionMs: 3_600_000 },
    () => now,
  );
  const user = await domain.newUser('ann');
  await domain.services.memoryEdits.create(user, { text: 'Likes tea' });
});
afterEach(async () => {
  await service.stop();
  await domain.stop();
});

describe('ExportService', () => {
  it('deletes exports and their files once past the retention', async () => {
    const job = await service.create(domain.admin, {});
    await service.settled(job.id);
    expect(files.files.has(job.id)).toBe(true);
    expect(await service.sweep()).toBe(0);
    now = new Date(now.getTime() + 2 * 3_600_000);
    expect(await service.sweep()).toBe(1);
    expect(files.files.has(job.id)).toBe(false);
    expect(await service.find(domain.admin, job.id)).toBeNull();
  });

  it('writes again a job a dead process left RUNNING, once its lease has passed', async () => {
    const row = await domain.repos.exports.create({
      projectId: domain.project.id,
      userIds: [],
      filter: null,
      includeBlobs: true,
    });
    await domain.repos.exports.claim(row.id, 60_000, now);
    expect(await service.resume()).toBe(0);
    now = new Date(now.getTime() + 120_000);
    expect(await service.resume()).toBe(1);
    await service.settled(row.id);
    const done = await service.find(domain.admin, row.id);
    expect(done).toMatchObject({ status: 'FINISHED', done: 1, total: 1 });
    const lines = files.files.get(row.id)!.trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { type: string }).type)).toEqual([
      'header',
      'profileConfig',
      'user',
      'memory',
    ]);
  });

  it('follows an export until it is finished, and ends', async () => {
    const job = await service.create(domain.admin, {});
    const seen: string[] = [];
    for await (const record of await service.follow(domain.admin, job.id, 5)) seen.push(record.status);
    expect(seen.at(-1)).toBe('FINISHED');
    const other = await domain.newProject('other');
    await expect(service.follow(other, job.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
