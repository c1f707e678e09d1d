// Lossless exports over GraphQL and HTTP on the default stack: createExport
// runs a durable job whose progress streams over exportProgress; GET
// /exports/{id} with the same key downloads the JSON Lines file (plain or
// gzip), another project's key gets 404; the file holds the header, the
// profile configuration, users, blobs, memories with their history and events.

import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ContextChatDocument,
  CreateExportDocument,
  CreateMemoryDocument,
  CreateUserDocument,
  DeleteMemoryDocument,
  ExportProgressDocument,
  GetExportDocument,
  InsertBlobDocument,
  ListExportsDocument,
  PatchMemoryDocument,
} from '../generated/graphql.js';
import { subscribe } from '../helpers/subscriptions.js';
import { createProjectClient, startTestApp, type TestApp } from '../helpers/test-app.js';

type Line = { type: string; [key: string]: unknown };

describe('createExport and GET /exports/{id}', () => {
  let t: TestApp;
  let memoryId: string;

  const finished = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const job = (await t.admin.ok(GetExportDocument, { id })).export!;
      if (job.status === 'FINISHED' || job.status === 'FAILED') return job;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('export did not finish');
  };
  const download = (path: string, key: string, headers: Record<string, string> = {}) =>
    fetch(new URL(path, t.url), { headers: { authorization: `Bearer ${key}`, ...headers } });
  const parse = (text: string): Line[] =>
    text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Line);

  beforeAll(async () => {
    t = await startTestApp();
    for (const id of ['ann', 'ben']) await t.admin.ok(CreateUserDocument, { input: { id } });
    await t.admin.ok(ContextChatDocument, {
      userId: 'ann',
      input: { chat: { messages: [{ role: 'user', content: "I'm a nurse and I live in Porto." }] } },
    });
    await t.admin.ok(InsertBlobDocument, {
      userId: 'ann',
      input: { doc: { title: 'Notes', content: 'Ann keeps bees.' }, agentId: 'garden' },
    });
    memoryId = (
      await t.admin.ok(CreateMemoryDocument, {
        userId: 'ann',
        input: { text: 'Keeps bees', topic: 'interests', subTopic: 'hobbies', tags: ['garden'] },
      })
    ).createMemory.id;
    await t.admin.ok(PatchMemoryDocument, { id: memoryId, input: { text: 'Keeps two hives of bees' } });
    await t.admin.ok(DeleteMemoryDocument, { id: memoryId });
    await t.admin.ok(CreateMemoryDocument, { userId: 'ben', input: { text: 'Plays chess' } });
  }, 120_000);
  afterAll(async () => t?.destroy());

  it('writes every record of the project, streams progress, and downloads plain and gzip', async () => {
    const { createExport } = await t.admin.ok(CreateExportDocument, {});
    expect(createExport).toMatchObject({
      userIds: [],
      includeBlobs: true,
      downloadPath: `/exports/${createExport.id}`,
    });
    const live = await subscribe(t.wsUrl, t.adminKey, ExportProgressDocument, { id: createExport.id });
    const job = await finished(createExport.id);
    expect(job).toMatchObject({ status: 'FINISHED', progress: { done: 2, total: 2 }, error: null });
    const seen = [await live.next(20_000)];
    while (seen.at(-1)!.exportProgress.status !== 'FINISHED') seen.push(await live.next(20_000));
    expect(seen.at(-1)!.exportProgress.progress).toEqual({ done: 2, total: 2 });
    await live.close();

    const plain = await download(job.downloadPath, t.adminKey);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toContain('application/x-ndjson');
    const text = await plain.text();
    expect(Buffer.byteLength(text)).toBe(job.bytes);
    const lines = parse(text);
    expect(lines[0]).toMatchObject({ type: 'header', format: 'memql-export', version: 2, users: 2 });
    expect(lines[0]!.embedding).toMatchObject({ dimension: 512 });
    expect(lines[1]).toMatchObject({ type: 'profileConfig', custom: false });
    expect(lines.filter((l) => l.type === 'user').map((l) => l.id)).toEqual(['ann', 'ben']);
    const blobs = lines.filter((l) => l.type === 'blob');
    expect(blobs.map((b) => (b.content as { type: string }).type)).toEqual(['CHAT', 'DOC']);
    expect(blobs[1]).toMatchObject({ userId: 'ann', agentId: 'garden', content: { title: 'Notes' } });
    const bees = lines.find((l) => l.type === 'memory' && l.id === memoryId)!;
    expect(bees).toMatchObject({ userId: 'ann', text: 'Keeps two hives of bees', tags: ['garden'] });
    expect(bees.deletedAt).toBeTruthy();
    expect((bees.history as { kind: string; actor: string }[]).map((c) => [c.kind, c.actor])).toEqual([
      ['ADD', 'API'],
      ['UPDATE', 'API'],
      ['DELETE', 'API'],
    ]);
    expect(lines.some((l) => l.type === 'memory' && l.userId === 'ann' && l.source === 'CHAT')).toBe(true);
    expect(lines.filter((l) => l.type === 'event').map((l) => l.userId)).toEqual(['ann']);
    expect(lines.some((l) => 'embedding' in l && l.type === 'memory')).toBe(false);

    const zipped = await download(job.downloadPath, t.adminKey, { 'accept-encoding': 'gzip' });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    // fetch decodes gzip itself; the bytes on the wire are checked by asking without decoding
    expect(await zipped.text()).toBe(text);
    const raw = await new Promise<Buffer>((resolve, reject) => {
      import('node:http').then(({ get }) =>
        get(
          new URL(job.downloadPath, t.url),
          { headers: { authorization: `Bearer ${t.adminKey}`, 'accept-encoding': 'gzip' } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve(Buffer.concat(chunks)));
          },
        ).on('error', reject),
      );
    });
    expect(raw.length).toBeLessThan(Buffer.byteLength(text));
    expect(gunzipSync(raw).toString('utf8')).toBe(text);

    const { exports } = await t.admin.ok(ListExportsDocument, {});
    expect(exports.edges.map((e) => e.node.id)).toContain(job.id);
  });

  it('exports some users, without blobs, the memories a filter selects', async () => {
    const { createExport } = await t.admin.ok(CreateExportDocument, {
      input: { userIds: ['ben'], includeBlobs: false, filter: { text: { contains: 'chess' } } },
    });
    const job = await finished(createExport.id);
    expect(job).toMatchObject({ status: 'FINISHED', userIds: ['ben'], progress: { done: 1, total: 1 } });
    const lines = parse(await (await download(job.downloadPath, t.adminKey)).text());
    expect(lines.map((l) => l.type)).toEqual(['header', 'profileConfig', 'user', 'memory']);
    expect(lines[3]).toMatchObject({ text: 'Plays chess', userId: 'ben' });
  });

  it('answers 404 to another project, 401 without a key, and NOT_FOUND for an unknown user', async () => {
    const { createExport } = await t.admin.ok(CreateExportDocument, { input: { userIds: ['ann'] } });
    const job = await finished(createExport.id);
    const other = await createProjectClient(t, 'export-other');
    expect((await download(job.downloadPath, other.client.apiKey!)).status).toBe(404);
    expect((await other.client.ok(GetExportDocument, { id: job.id })).export).toBeNull();
    expect((await fetch(new URL(job.downloadPath, t.url))).status).toBe(401);
    expect((await download('/exports/not-an-id', t.adminKey)).status).toBe(404);
    const missing = await t.admin.fails(CreateExportDocument, { input: { userIds: ['nobody'] } });
    expect(missing.extensions).toMatchObject({ code: 'NOT_FOUND' });
  });
});
