// deleteUser and lossless exports: an export of that user alone is the
// user's data and goes with it (row and file); exports covering several users
// or the whole project are the project's backups and stay (README, "Export a
// project"). Another project's exports are never touched.

import { access } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateExportDocument,
  CreateUserDocument,
  DeleteUserDocument,
  GetExportDocument,
} from '../generated/graphql.js';
import type { GraphQLClient } from '../helpers/graphql-client.js';
import { createProjectClient, startTestApp, type TestApp } from '../helpers/test-app.js';

describe('deleteUser and the exports of that user', () => {
  let t: TestApp;

  const finished = async (client: GraphQLClient, id: string) => {
    for (let i = 0; i < 600; i++) {
      const job = (await client.ok(GetExportDocument, { id })).export!;
      if (job.status === 'FINISHED' || job.status === 'FAILED') return job;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('export did not finish');
  };
  const exportOf = async (client: GraphQLClient, userIds: string[] | null) => {
    const { createExport } = await client.ok(CreateExportDocument, userIds ? { input: { userIds } } : {});
    const job = await finished(client, createExport.id);
    expect(job.status).toBe('FINISHED');
    return job;
  };
  const fileOf = (id: string) => path.join(t.dataDir, 'exports', `${id}.jsonl`);
  const exists = (file: string) =>
    access(file).then(
      () => true,
      () => false,
    );
  const download = (client: GraphQLClient, downloadPath: string) =>
    fetch(new URL(downloadPath, t.url), { headers: { authorization: `Bearer ${client.apiKey}` } });

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.destroy());

  it('deletes the exports of that user alone, with their files, and keeps the others', async () => {
    const other = await createProjectClient(t, 'other-exports');
    for (const id of ['ann', 'ben']) await t.admin.ok(CreateUserDocument, { input: { id } });
    await other.client.ok(CreateUserDocument, { input: { id: 'ann' } });

    const annAlone = await exportOf(t.admin, ['ann']);
    const annAgain = await exportOf(t.admin, ['ann']);
    const annAndBen = await exportOf(t.admin, ['ann', 'ben']);
    const everyone = await exportOf(t.admin, null);
    const benAlone = await exportOf(t.admin, ['ben']);
    const otherAnn = await exportOf(other.client, ['ann']);
    for (const job of [annAlone, annAgain, annAndBen, everyone, benAlone])
      expect(await exists(fileOf(job.id))).toBe(true);

    expect((await t.admin.ok(DeleteUserDocument, { id: 'ann' })).deleteUser).toBe(true);

    for (const job of [annAlone, annAgain]) {
      expect((await t.admin.ok(GetExportDocument, { id: job.id })).export).toBeNull();
      expect(await exists(fileOf(job.id))).toBe(false);
      expect((await download(t.admin, job.downloadPath)).status).toBe(404);
    }
    // Backups of several users, or of the project, keep ann's data until their retention ends.
    for (const job of [annAndBen, everyone, benAlone]) {
      expect((await t.admin.ok(GetExportDocument, { id: job.id })).export?.status).toBe('FINISHED');
      const response = await download(t.admin, job.downloadPath);
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    // The user of the same id in another project is another user: its export stays.
    expect((await other.client.ok(GetExportDocument, { id: otherAnn.id })).export?.status).toBe('FINISHED');
    const response = await download(other.client, otherAnn.downloadPath);
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  });
});
