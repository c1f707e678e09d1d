// Lossless export and import through the API: a rich project on one server
// (five blob types, agent and run scopes, memories changed and deleted by the
// API and by extraction, events, a custom profile configuration) is
// exported, uploaded to a second server (its own data dir and database) with
// POST /imports and imported with importExport. The two databases then hold
// the same rows (test/helpers/project-dump.ts says what is normalised and
// why) and answer the same questions once the indexer has embedded the
// imported chunks and memories. Then: onConflict FAIL / SKIP / OVERWRITE into
// the non-empty project, another project of the same server (ids are global:
// refused, nothing touched), bad files (named line, nothing written), keys.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateApiKeyDocument,
  CreateExportDocument,
  CreateMemoryDocument,
  CreateProjectDocument,
  CreateUserDocument,
  DeleteMemoryDocument,
  GetExportDocument,
  GetImportDocument,
  ImportExportDocument,
  type ImportExportMutationVariables,
  InsertBlobDocument,
  InsertChatDocument,
  ListImportsDocument,
  PatchMemoryDocument,
  QueryUserDocument,
  SearchProjectMemoriesDocument,
  SearchUserMemoriesDocument,
  SetProfileConfigDocument,
} from '../generated/graphql.js';
import { dumpProject, type ProjectDump, projectIdByName } from '../helpers/project-dump.js';
import { GraphQLClient } from '../helpers/graphql-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const ENV = { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_BUFFER_IDLE_SECONDS: '3600', MEMQL_BUFFER_TOKENS: '100000' };
const say = (content: string) => [{ role: 'user', content }];

describe('importExport: an export imported into a fresh server reproduces the project', () => {
  let source: TestApp;
  let target: TestApp;
  let file: string;
  let exported: string;
  let sourceDump: ProjectDump;

  const upload = async (t: TestApp, body: string, key = t.adminKey) =>
    fetch(new URL('/imports', t.url), { method: 'POST', headers: { authorization: `Bearer ${key}` }, body });
  const settle = async (t: TestApp, id: string) => {
    for (let i = 0; i < 1200; i++) {
      const job = (await t.admin.ok(GetImportDocument, { id })).import!;
      if (job.status === 'FINISHED' || job.status === 'FAILED') return job;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('import did not finish');
  };
  const importFile = async (t: TestApp, input: ImportExportMutationVariables['input']) =>
    settle(t, (await t.admin.ok(ImportExportDocument, { input })).importExport.id);
  const dump = async (t: TestApp, project = 'default') =>
    dumpProject(t.app.prisma, await projectIdByName(t.app.prisma, project));
  // Every hit (topK above the records there are), in score order; ties in id order, since
  // among equal scores the order follows chunk ids, which an import makes anew.
  const ranked = <T extends { score: number }>(hits: T[], idOf: (hit: T) => string) =>
    [...hits].sort((a, b) => b.score - a.score || idOf(a).localeCompare(idOf(b)));
  const questions = async (t: TestApp) => {
    await t.app.indexer.drain();
    const answers: unknown[] = [];
    for (const text of ['peanut allergy', 'where does she live', 'bees and honey', 'sorting numbers quickly']) {
      for (const mode of ['HYBRID', 'SEMANTIC', 'LEXICAL'] as const) {
        const hits = (await t.admin.ok(QueryUserDocument, { userId: 'ann', text, topK: 50, mode })).user!.query;
        const inOrder = hits.map((hit) => ({
          ...hit,
          hits: [...hit.hits].sort((a, b) => b.score - a.score || JSON.stringify(a).localeCompare(JSON.stringify(b))),
        }));
        answers.push(ranked(inOrder, (hit) => hit.blob.id));
        const memories = (await t.admin.ok(SearchUserMemoriesDocument, { userId: 'ann', text, topK: 50, mode })).user!
          .searchMemories;
        answers.push(ranked(memories, (hit) => hit.memory.id));
      }
      const all = (await t.admin.ok(SearchProjectMemoriesDocument, { text, topK: 50 })).searchMemories;
      answers.push(ranked(all, (hit) => hit.memory.id));
    }
    expect(answers.some((answer) => (answer as unknown[]).length > 0)).toBe(true);
    return answers;
  };

  beforeAll(async () => {
    source = await startTestApp({ env: ENV });
    const a = source.admin;
    await a.ok(SetProfileConfigDocument, {
      input: {
        strict: false,
        topics: [
          {
            name: 'garden',
            description: 'plants and animals kept',
            subTopics: [{ name: 'bees', description: 'hives', singleValued: false }],
          },
          { name: 'basic_info', subTopics: [{ name: 'city', singleValued: true }] },
        ],
      },
    });
    await a.ok(CreateUserDocument, { input: { id: 'ann', data: { plan: 'pro', seats: 3 } } });
    await a.ok(CreateUserDocument, { input: { id: 'ben' } });
    await a.ok(InsertChatDocument, {
      userId: 'ann',
      messages: say("Hi, I'm Ann. I'm vegetarian and allergic to peanuts. I live in Porto."),
      waitProcess: true,
    });
    await a.ok(InsertChatDocument, { userId: 'ann', messages: say('I just moved to Lisbon.'), waitProcess: true });
    await a.ok(InsertChatDocument, { userId: 'ann', messages: say("I'm no longer a vegetarian."), waitProcess: true });
    await a.ok(InsertBlobDocument, {
      userId: 'ann',
      input: {
        doc: { title: 'Garden notes', content: 'Ann keeps two hives of bees and sells honey at the market.' },
        agentId: 'gardener',
        metadata: { source: 'notes.md' },
      },
    });
    await a.ok(InsertBlobDocument, {
      userId: 'ann',
      input: {
        transcript: {
          segments: [
            { start: 0, end: 4.5, text: 'Welcome to the call.', speaker: 'host' },
            { start: 4.5, end: 9, text: 'The bees swarmed twice this spring.', speaker: 'ann' },
          ],
        },
        runId: 'call-7',
        createdAt: '2026-01-02T03:04:05.678Z',
      },
    });
    await a.ok(InsertBlobDocument, {
      userId: 'ann',
      input: { summary: { summary: 'Ann asked about peanut-free recipes.' }, agentId: 'chef', runId: 'run-1' },
    });
    await a.ok(InsertBlobDocument, {
      userId: 'ben',
      input: { code: { language: 'python', content: 'def quick_sort(numbers):\n    return sorted(numbers)\n' } },
    });
    const bees = (
      await a.ok(CreateMemoryDocument, {
        userId: 'ann',
        input: {
          text: 'Keeps bees',
          topic: 'garden',
          subTopic: 'bees',
          tags: ['garden', 'honey'],
          categories: ['hobby'],
          importance: 0.7,
          confidence: 0.9,
          agentId: 'gardener',
          runId: 'run-2',
          title: 'Bees',
          summary: 'two hives',
          metadata: { note: 'from the form' },
          source: 'form',
        },
      })
    ).createMemory.id;
    await a.ok(PatchMemoryDocument, { id: bees, input: { text: 'Keeps two hives of bees', tags: ['garden'] } });
    const gone = (await a.ok(CreateMemoryDocument, { userId: 'ann', input: { text: 'Owns a red bicycle' } }))
      .createMemory.id;
    await a.ok(DeleteMemoryDocument, { id: gone });
    await a.ok(CreateMemoryDocument, {
      userId: 'ben',
      input: { text: 'Writes Python', immutable: true, expiresAt: '2099-01-01T00:00:00.000Z' },
    });
    await source.app.indexer.drain();

    const { createExport } = await a.ok(CreateExportDocument, {});
    let job = createExport;
    for (let i = 0; i < 600 && (job.status === 'PENDING' || job.status === 'RUNNING'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = (await a.ok(GetExportDocument, { id: job.id })).export!;
    }
    expect(job.status).toBe('FINISHED');
    const download = await fetch(new URL(job.downloadPath, source.url), {
      headers: { authorization: `Bearer ${source.adminKey}` },
    });
    exported = await download.text();
    sourceDump = await dump(source);

    target = await startTestApp({ env: ENV });
    const stored = await upload(target, exported);
    expect(stored.status).toBe(201);
    file = ((await stored.json()) as { file: string }).file;
  }, 240_000);
  afterAll(async () => {
    await target?.destroy();
    await source?.destroy();
  });

  it('writes every row of the export into an empty project, and answers the same questions', async () => {
    // What the source holds: five blob types, extraction UPDATE and DELETE, API UPDATE and DELETE, events.
    expect(new Set(sourceDump.blobs!.map((b) => (b as { type: string }).type))).toEqual(
      new Set(['CHAT', 'DOC', 'TRANSCRIPT', 'SUMMARY', 'CODE']),
    );
    const changes = sourceDump.memoryChanges as { kind: string; actor: string }[];
    for (const kind of ['ADD', 'UPDATE', 'DELETE'])
      for (const actor of ['EXTRACTOR', 'API'])
        expect(
          changes.some((c) => c.kind === kind && c.actor === actor),
          `${kind} by ${actor}`,
        ).toBe(true);
    expect(sourceDump.events!.length).toBeGreaterThanOrEqual(3);
    expect(sourceDump.profileConfig).toHaveLength(1);

    const job = await importFile(target, { file });
    expect(job).toMatchObject({ status: 'FINISHED', onConflict: 'FAIL', error: null, skipped: 0 });
    const lines = exported.trim().split('\n').length;
    expect(job.progress).toEqual({ done: lines, total: lines });
    expect(job.written).toBe(lines - 1); // every line but the header is a record

    await target.app.indexer.drain();
    expect(await dump(target)).toEqual(sourceDump);
    expect(await questions(target)).toEqual(await questions(source));
    // The upload is gone once imported; the import is listed.
    expect((await target.admin.ok(ListImportsDocument, {})).imports.edges.map((e) => e.node.id)).toContain(job.id);
  });

  it('FAIL names the first conflicting record and writes nothing; SKIP keeps; OVERWRITE replaces', async () => {
    const again = (await upload(target, exported).then((r) => r.json())) as { file: string };
    const failed = await importFile(target, { file: again.file, onConflict: 'FAIL' });
    expect(failed).toMatchObject({ status: 'FAILED', errorCode: 'BAD_USER_INPUT', written: 0 });
    expect(failed.error).toMatch(/^line 2: the project already holds a custom profile configuration/);

    const user = exported.split('\n').findIndex((line) => line.includes('"type":"user"')) + 1;
    const noConfig = exported
      .split('\n')
      .filter((line) => !line.includes('"type":"profileConfig"'))
      .join('\n');
    const second = (await upload(target, noConfig).then((r) => r.json())) as { file: string };
    const named = await importFile(target, { file: second.file });
    expect(named.error).toBe(
      `line ${user - 1}: the project already holds user "ann" (onConflict: FAIL; SKIP keeps it, OVERWRITE replaces it)`,
    );
    expect(await dump(target)).toEqual(sourceDump);

    // The target drifts: a memory edited, a user's data changed.
    const memoryLine = JSON.parse(exported.split('\n').find((line) => line.includes('"Keeps two hives of bees"'))!);
    await target.admin.ok(PatchMemoryDocument, { id: memoryLine.id, input: { text: 'Keeps three hives' } });
    const drifted = await dump(target);
    expect(drifted).not.toEqual(sourceDump);

    const skipped = await importFile(target, { file: again.file, onConflict: 'SKIP' });
    expect(skipped).toMatchObject({ status: 'FINISHED', written: 0 });
    expect(skipped.skipped).toBe(exported.trim().split('\n').length - 1);
    await target.app.indexer.drain();
    expect(await dump(target)).toEqual(drifted);

    const third = (await upload(target, exported).then((r) => r.json())) as { file: string };
    const overwritten = await importFile(target, { file: third.file, onConflict: 'OVERWRITE' });
    expect(overwritten).toMatchObject({ status: 'FINISHED', skipped: 0 });
    await target.app.indexer.drain();
    expect(await dump(target)).toEqual(sourceDump);
    expect(await questions(target)).toEqual(await questions(source));
  });

  it('refuses ids another project holds: nothing is written there, nothing changes here', async () => {
    const before = await dump(target);
    const { createProject } = await target.admin.ok(CreateProjectDocument, { name: 'copy' });
    const stored = (await upload(target, exported).then((r) => r.json())) as { file: string };
    for (const onConflict of ['FAIL', 'SKIP', 'OVERWRITE'] as const) {
      const job = await importFile(target, { file: stored.file, projectId: createProject.id, onConflict });
      expect(job).toMatchObject({
        status: 'FAILED',
        errorCode: 'BAD_USER_INPUT',
        written: 0,
        projectId: createProject.id,
      });
      expect(job.error).toMatch(/^line \d+: blob [0-9a-f-]{36}: the id is taken outside this project/);
    }
    expect(await dump(target, 'copy')).toMatchObject({ users: [], blobs: [], memories: [], events: [] });
    expect(await dump(target)).toEqual(before);
  });

  it('names the bad line of a malformed file and writes nothing; refuses other versions at once', async () => {
    const fresh = await startTestApp({ env: ENV });
    try {
      const lines = exported.trim().split('\n');
      const broken = [...lines.slice(0, 4), '{"type":"blob",', ...lines.slice(4)].join('\n');
      const stored = (await upload(fresh, broken).then((r) => r.json())) as { file: string };
      const job = await importFile(fresh, { file: stored.file });
      expect(job).toMatchObject({ status: 'FAILED', errorCode: 'BAD_USER_INPUT', written: 0 });
      expect(job.error).toMatch(/^line 5: not JSON/);

      const invalid = [...lines.slice(0, 3), lines[3]!.replace(/"id":"[^"]+"/, '"id":"not-a-uuid"')];
      const storedInvalid = (await upload(fresh, invalid.join('\n')).then((r) => r.json())) as { file: string };
      expect((await importFile(fresh, { file: storedInvalid.file })).error).toMatch(/^line 4: blob id: /);
      expect(await dump(fresh)).toMatchObject({ profileConfig: [], users: [], blobs: [], memories: [] });

      const old = [lines[0]!.replace('"version":2', '"version":1'), ...lines.slice(1)].join('\n');
      const storedOld = (await upload(fresh, old).then((r) => r.json())) as { file: string };
      const refused = await fresh.admin.request(ImportExportDocument, { input: { file: storedOld.file } });
      expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(refused.errors?.[0]?.message).toMatch(/line 1: format version 1 cannot be imported/);
      const missing = await fresh.admin.request(ImportExportDocument, { input: { file: '../admin.key' } });
      expect(missing.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

      const { createProject } = await fresh.admin.ok(CreateProjectDocument, { name: 'tenant' });
      const { createApiKey } = await fresh.admin.ok(CreateApiKeyDocument, { projectId: createProject.id, name: 'app' });
      const tenant = new GraphQLClient(fresh.url, createApiKey.secret);
      const forbidden = await tenant.request(ImportExportDocument, { input: { file: stored.file } });
      expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await upload(fresh, exported, createApiKey.secret)).status).toBe(403);
      expect((await upload(fresh, exported, 'mq_not-a-key')).status).toBe(401);
    } finally {
      await fresh.destroy();
    }
  }, 120_000);
});
