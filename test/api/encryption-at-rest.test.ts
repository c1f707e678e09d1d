// Encryption at rest (MEMQL_ENCRYPTION_KEY) through the API: nothing the
// user wrote is stored in clear (read back from the raw tables once the
// server is stopped, as a dump would see them), every read answers
// plaintext, every search mode still finds things, restarts need the same
// key, and deleteUser shreds what the user leaves behind.

import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { KeyEncryptionKey, TextCipher } from '../../src/infra/prisma/encryption/envelope.js';
import { startEmbeddedPostgres } from '../../src/infra/prisma/embedded-postgres.js';
import { createLogger } from '../../src/lib/logger.js';
import { runMemql } from '../helpers/memql-cli.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

const KEK = randomBytes(32);
const OTHER_KEK = randomBytes(32);
const ENV = {
  MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
  MEMQL_BUFFER_IDLE_SECONDS: '3600',
  MEMQL_BUFFER_TOKENS: '100000',
  MEMQL_WEBHOOKS_ALLOW_PRIVATE: 'true',
  MEMQL_WEBHOOKS_RETRY_SECONDS: '0.05',
  MEMQL_WEBHOOKS_MAX_ATTEMPTS: '100',
};

/** Words that appear only in what the tests write: none may be found in a table outside the tsvectors. */
const SECRET_WORDS = ['zephyrine', 'vegetarian', 'quartermaster', 'obsidian', 'porcelain', 'marmoset', 'armadillo'];

/** Every table as JSON text (the full-text vectors and embeddings left out: they are documented as in clear). */
async function dumpTables(t: TestApp): Promise<{ tables: Record<string, string>; vectors: string }> {
  let stopEmbedded: (() => Promise<void>) | null = null;
  let url = t.env.DATABASE_URL;
  if (!url) {
    const server = await startEmbeddedPostgres({ dataDir: path.join(t.dataDir, 'pg') });
    url = server.url;
    stopEmbedded = () => server.stop();
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const names = (
      await client.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      )
    ).rows.map((row) => row.name);
    const tables: Record<string, string> = {};
    for (const name of names) {
      const { rows } = await client.query<{ dump: string }>(
        `SELECT coalesce(json_agg(to_jsonb(x) - 'searchTsv' - 'embedding'), '[]')::text AS dump FROM "${name}" x`,
      );
      tables[name] = rows[0]!.dump;
    }
    const { rows } = await client.query<{ vectors: string }>(
      `SELECT coalesce(string_agg("searchTsv"::text, ' '), '') AS vectors FROM (SELECT "searchTsv" FROM "Chunk" UNION ALL SELECT "searchTsv" FROM "Memory") v`,
    );
    return { tables, vectors: rows[0]!.vectors };
  } finally {
    await client.end();
    await stopEmbedded?.();
  }
}

async function startReceiver() {
  const received: { type: string; data: Record<string, unknown> }[] = [];
  let accepting = true;
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (!accepting) {
      response.writeHead(503).end();
      return;
    }
    received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    response.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    setAccepting: (value: boolean) => {
      accepting = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function configFor(t: TestApp, encryptionKey: Buffer | null) {
  const { MEMQL_ENCRYPTION_KEY: _dropped, ...env } = t.env;
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    MEMQL_DATA_DIR: t.dataDir,
    LOG_LEVEL: 'silent',
    ...env,
    ...(encryptionKey ? { MEMQL_ENCRYPTION_KEY: encryptionKey.toString('base64') } : {}),
  });
}

describe('encryption at rest', () => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const gql = async <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    const result = await t.admin.raw<T>(query, variables);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await startTestApp({ env: { ...ENV, MEMQL_ENCRYPTION_KEY: KEK.toString('hex') } });
  });
  afterAll(async () => {
    await t?.destroy();
    await receiver?.close();
  });

  let docId = '';
  let memoryId = '';

  it('answers plaintext on every read and finds things in every search mode', async () => {
    await gql(
      'mutation ($url: String!) { createWebhook(url: $url, events: [MEMORY_CHANGED, EVENT_PROCESSED], secret: "whsec_test_0123456789abcdef") { id } }',
      { url: receiver.url },
    );
    await gql('mutation { createUser(input: { id: "zoe" }) { id } }');
    const chat = await gql<{ insertBlob: { event: { summary: string; changes: { after: string | null }[] } | null } }>(
      `mutation ($messages: [ChatMessageInput!]!) {
         insertBlob(userId: "zoe", input: { chat: { messages: $messages } }, waitProcess: true) {
           event { summary changes { after } }
         }
       }`,
      {
        messages: [
          { role: 'user', content: "Hi, I'm Zephyrine. I'm vegetarian and I live in Lisbon." },
          { role: 'assistant', content: 'Nice to meet you, Zephyrine.' },
        ],
      },
    );
    const extracted = chat.insertBlob.event!.changes.map((c) => c.after ?? '').join(' | ');
    expect(extracted).toMatch(/vegetarian/i);
    const doc = await gql<{ insertBlob: { blob: { id: string } } }>(
      `mutation { insertBlob(userId: "zoe", input: { doc: { title: "Ship log", content: "The quartermaster hid the obsidian compass under the lighthouse stairs." } }) { blob { id } } }`,
    );
    docId = doc.insertBlob.blob.id;
    const created = await gql<{ createMemory: { id: string } }>(
      `mutation { createMemory(userId: "zoe", input: { text: "Collects porcelain marmosets", title: "Marmoset hobby", summary: "Owns forty porcelain marmosets" }) { id } }`,
    );
    memoryId = created.createMemory.id;
    await gql(
      `mutation ($id: ID!) { updateMemory(id: $id, input: { text: "Collects porcelain armadillos" }) { id } }`,
      {
        id: memoryId,
      },
    );
    await t.app.indexer.drain();

    // Reads: the blob, the user's blobs, the memory with its history, lists, profile, events, context.
    const blob = await gql<{ blob: { title: string; content: string } }>(
      'query ($id: ID!) { blob(id: $id) { ... on DocBlob { title content } } }',
      { id: docId },
    );
    expect(blob.blob).toEqual({
      title: 'Ship log',
      content: 'The quartermaster hid the obsidian compass under the lighthouse stairs.',
    });
    const listed = await gql<{ user: { blobs: { edges: { node: { messages?: { content: string }[] } }[] } } }>(
      '{ user(id: "zoe") { blobs { edges { node { ... on ChatBlob { messages { content } } } } } } }',
    );
    expect(listed.user.blobs.edges[0]!.node.messages![0]!.content).toBe(
      "Hi, I'm Zephyrine. I'm vegetarian and I live in Lisbon.",
    );
    const memory = await gql<{
      memory: {
        text: string;
        title: string;
        summary: string;
        history: { kind: string; before: string | null; after: string | null }[];
      };
    }>('query ($id: ID!) { memory(id: $id) { text title summary history { kind before after } } }', { id: memoryId });
    expect(memory.memory).toMatchObject({
      text: 'Collects porcelain armadillos',
      title: 'Marmoset hobby',
      summary: 'Owns forty porcelain marmosets',
    });
    expect(memory.memory.history.map((h) => [h.kind, h.before, h.after])).toEqual([
      ['ADD', null, 'Collects porcelain marmosets'],
      ['UPDATE', 'Collects porcelain marmosets', 'Collects porcelain armadillos'],
    ]);
    const all = await gql<{
      user: {
        memories: { edges: { node: { text: string } }[] };
        profile: { entries: { text: string }[] }[];
        events: { edges: { node: { summary: string } }[] };
      };
    }>(
      '{ user(id: "zoe") { memories { edges { node { text } } } profile { entries { text } } events { edges { node { summary } } } } }',
    );
    const texts = all.user.memories.edges.map((e) => e.node.text);
    expect(texts).toContain('Collects porcelain armadillos');
    expect(texts.join(' ')).toMatch(/vegetarian/i);
    expect(all.user.profile.flatMap((p) => p.entries.map((e) => e.text)).join(' ')).toMatch(/vegetarian/i);
    expect(all.user.events.edges[0]!.node.summary).toBe(chat.insertBlob.event!.summary);
    const context = await gql<{ user: { context: { text: string } } }>(
      '{ user(id: "zoe") { context(query: "armadillos") { text } } }',
    );
    expect(context.user.context.text).toMatch(/porcelain armadillos/);

    // Every search mode, on blobs (hits are the stored chunk text) and on memories.
    for (const mode of ['LEXICAL', 'SEMANTIC', 'HYBRID']) {
      const found = await gql<{
        user: { query: { blob: { id: string; content?: string }; hits: { text?: string }[] }[] };
      }>(
        'query ($mode: QueryMode) { user(id: "zoe") { query(text: "obsidian compass quartermaster", mode: $mode) { blob { id ... on DocBlob { content } } hits { ... on TextSpanHit { text } } } } }',
        { mode },
      );
      expect(found.user.query[0]?.blob.id, mode).toBe(docId);
      expect(found.user.query[0]!.blob.content).toMatch(/obsidian compass/);
      expect(found.user.query[0]!.hits[0]!.text).toMatch(/obsidian compass/);
      const memories = await gql<{ user: { searchMemories: { memory: { id: string; text: string } }[] } }>(
        'query ($mode: QueryMode) { user(id: "zoe") { searchMemories(text: "porcelain armadillos", mode: $mode) { memory { id text } } } }',
        { mode },
      );
      expect(memories.user.searchMemories[0]?.memory, mode).toEqual({
        id: memoryId,
        text: 'Collects porcelain armadillos',
      });
    }

    // Webhooks receive the plaintext the triggers copied sealed.
    const changed = await waitFor(
      'the UPDATE delivery',
      async () => receiver.received.find((e) => e.type === 'memory.changed' && e.data.kind === 'UPDATE'),
      60_000,
    );
    expect(changed.data).toMatchObject({
      before: expect.objectContaining({ text: 'Collects porcelain marmosets', title: 'Marmoset hobby' }),
      after: expect.objectContaining({ text: 'Collects porcelain armadillos' }),
    });
    const processed = await waitFor(
      'the event delivery',
      async () => receiver.received.find((e) => e.type === 'event.processed'),
      60_000,
    );
    expect(processed.data.summary).toBe(chat.insertBlob.event!.summary);
  });

  it('refuses text.contains, naming it, since memory text is stored encrypted', async () => {
    const result = await t.admin.raw(
      '{ user(id: "zoe") { memories(filter: { OR: [{ tags: { contains: "x" } }, { text: { contains: "porcelain" } }] }) { totalCount } } }',
    );
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'filter.OR[1].text.contains',
    });
    expect(result.errors?.[0]?.message).toMatch(/encryption at rest/);
  });

  it('stores no plaintext: blobs, chunks, memories, history, events and webhook payloads are sealed', async () => {
    await t.app.indexer.drain();
    await t.stop();
    const { tables, vectors } = await dumpTables(t);
    for (const [table, dump] of Object.entries(tables))
      for (const word of SECRET_WORDS) expect(dump.toLowerCase(), `${word} in ${table}`).not.toContain(word);
    for (const table of ['Blob', 'Chunk', 'Memory', 'MemoryChange', 'MemoryEvent', 'WebhookDelivery'])
      expect(tables[table], table).toContain('mqe1:');
    // What stays in clear, as documented: the full-text vectors' lexemes (stemmed words, without their order).
    expect(vectors).toContain("'obsidian'");
    t = await startTestApp({ reuse: t });
  }, 240_000);

  it('restarts with the same key, and refuses another key or none with a message', async () => {
    const blob = await gql<{ blob: { content: string } }>(
      'query ($id: ID!) { blob(id: $id) { ... on DocBlob { content } } }',
      {
        id: docId,
      },
    );
    expect(blob.blob.content).toMatch(/obsidian compass/);
    await t.stop();
    await expect(buildApp(configFor(t, OTHER_KEK), createLogger('silent'))).rejects.toThrow(
      /MEMQL_ENCRYPTION_KEY is not the key this database was encrypted with/,
    );
    await expect(buildApp(configFor(t, null), createLogger('silent'))).rejects.toThrow(
      /this database is encrypted at rest: set MEMQL_ENCRYPTION_KEY/,
    );
    t = await startTestApp({ reuse: t });
    expect(
      (await gql<{ memory: { text: string } }>('query ($id: ID!) { memory(id: $id) { text } }', { id: memoryId }))
        .memory.text,
    ).toBe('Collects porcelain armadillos');
  }, 240_000);

  it('deleteUser shreds: what the user left in the database cannot be decrypted, even with the KEK', async () => {
    // Deliveries of the user's changes wait (the receiver is down) while the user is deleted.
    receiver.setAccepting(false);
    await gql('mutation { createUser(input: { id: "shredded" }) { id } }');
    await gql(
      'mutation { createMemory(userId: "shredded", input: { text: "Hides the marmoset key under the porcelain vase" }) { id } }',
    );
    await gql('mutation { deleteUser(id: "shredded") }');
    await t.stop();
    const { tables } = await dumpTables(t);
    const deliveries = JSON.parse(tables.WebhookDelivery!) as { payload: { data: Record<string, unknown> } }[];
    const left = deliveries.filter((d) => d.payload.data.userId === 'shredded');
    const sealed = left.map((d) => d.payload.data.after).filter((v): v is string => typeof v === 'string');
    expect(sealed.length).toBeGreaterThan(0);
    expect(sealed.every((value) => value.startsWith('mqe1:'))).toBe(true);
    // Every data key still in the database, unwrapped with the KEK: none opens what the deleted user left.
    const kek = new KeyEncryptionKey(KEK);
    const users = JSON.parse(tables.User!) as { pk: string; dataKey: string | null }[];
    const ciphers = users
      .filter((user) => user.dataKey)
      .map((user) => new TextCipher(kek.unwrap(Buffer.from(user.dataKey!.replace(/^\\x/, ''), 'hex'), user.pk)));
    expect(ciphers.length).toBeGreaterThan(0);
    for (const value of sealed)
      for (const cipher of ciphers) expect(() => cipher.open(value)).toThrow(/cannot be decrypted/);

    // Restarted, the deliveries of the deleted user are not sent: they fail, saying why.
    t = await startTestApp({ reuse: t });
    receiver.setAccepting(true);
    const failed = await waitFor(
      'the shredded deliveries to fail',
      async () => {
        const { webhooks } = await gql<{ webhooks: { deliveries: { state: string; lastError: string | null }[] }[] }>(
          '{ webhooks { deliveries(state: FAILED) { state lastError } } }',
        );
        const list = webhooks.flatMap((w) => w.deliveries);
        return list.length >= left.length ? list : null;
      },
      60_000,
    );
    expect(failed.every((d) => /crypto-shredding/.test(d.lastError ?? ''))).toBe(true);
    expect(receiver.received.some((e) => e.data.userId === 'shredded')).toBe(false);
  }, 240_000);

  it('rotates the key-encryption key with memql rotate-encryption-key', async () => {
    await t.stop();
    const NEW_KEK = randomBytes(32);
    const env = {
      MEMQL_DATA_DIR: t.dataDir,
      ...(t.env.DATABASE_URL ? { DATABASE_URL: t.env.DATABASE_URL } : {}),
      MEMQL_ENCRYPTION_KEY: KEK.toString('base64'),
    };
    const missing = await runMemql(['rotate-encryption-key'], env);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/MEMQL_NEW_ENCRYPTION_KEY: required/) });
    const rotated = await runMemql(['rotate-encryption-key'], {
      ...env,
      MEMQL_NEW_ENCRYPTION_KEY: NEW_KEK.toString('hex'),
    });
    expect(rotated.stderr).toMatch(/re-wrapped \d+ data keys/);
    expect(rotated).toMatchObject({ code: 0 });
    expect(Number(rotated.stdout.trim())).toBeGreaterThanOrEqual(1);
    const again = await runMemql(['rotate-encryption-key'], {
      ...env,
      MEMQL_NEW_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    });
    expect(again).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/not the key this database was encrypted with/),
    });

    await expect(buildApp(configFor(t, KEK), createLogger('silent'))).rejects.toThrow(/not the key this database/);
    t = await startTestApp({
      reuse: { dataDir: t.dataDir, env: { ...t.env, MEMQL_ENCRYPTION_KEY: NEW_KEK.toString('hex') } },
    });
    const { memory } = await gql<{ memory: { text: string; history: { after: string | null }[] } }>(
      'query ($id: ID!) { memory(id: $id) { text history { after } } }',
      { id: memoryId },
    );
    expect(memory).toEqual({
      text: 'Collects porcelain armadillos',
      history: [{ after: 'Collects porcelain marmosets' }, { after: 'Collects porcelain armadillos' }],
    });
  }, 240_000);

  it('exports in plaintext, and refuses an import (it would write the file in clear), writing nothing', async () => {
    const { createExport } = await gql<{ createExport: { id: string } }>('mutation { createExport { id } }');
    const finished = await waitFor(
      'the export',
      async () => {
        const { export: job } = await gql<{ export: { status: string; downloadPath: string } }>(
          'query ($id: ID!) { export(id: $id) { status downloadPath } }',
          { id: createExport.id },
        );
        return job.status === 'FINISHED' || job.status === 'FAILED' ? job : null;
      },
      120_000,
    );
    expect(finished.status).toBe('FINISHED');
    const file = await (
      await fetch(new URL(finished.downloadPath, t.url), { headers: { authorization: `Bearer ${t.adminKey}` } })
    ).text();
    expect(file).toContain('Collects porcelain armadillos');
    expect(file).not.toContain('mqe1:');

    const stored = await fetch(new URL('/imports', t.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminKey}` },
      body: file,
    });
    expect(stored.status).toBe(201);
    const { importExport } = await gql<{ importExport: { id: string } }>(
      'mutation ($file: String!) { importExport(input: { file: $file, onConflict: OVERWRITE }) { id } }',
      { file: ((await stored.json()) as { file: string }).file },
    );
    const job = await waitFor(
      'the import',
      async () => {
        const { import: found } = await gql<{ import: { status: string; error: string | null; written: number } }>(
          'query ($id: ID!) { import(id: $id) { status error written } }',
          { id: importExport.id },
        );
        return found.status === 'FINISHED' || found.status === 'FAILED' ? found : null;
      },
      120_000,
    );
    expect(job).toMatchObject({ status: 'FAILED', written: 0 });
    expect(job.error).toMatch(/not available with encryption at rest/);
  }, 240_000);

  it('refuses to turn encryption on for a database that holds data in clear', async () => {
    const plain = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_ENCRYPTION_KEY: '' } });
    try {
      await plain.admin.raw('mutation { createUser(input: { id: "p" }) { id } }');
      await plain.admin.raw('mutation { createMemory(userId: "p", input: { text: "Stored in clear" }) { id } }');
      await plain.stop();
      await expect(buildApp(configFor(plain, KEK), createLogger('silent'))).rejects.toThrow(
        /already holds blobs or memories stored without encryption/,
      );
    } finally {
      await plain.destroy();
    }
  }, 240_000);

  it('refuses a key that is not 32 bytes of hex or base64, naming the setting', () => {
    for (const bad of ['short', 'a'.repeat(63), Buffer.alloc(16).toString('base64'), 'correct horse battery staple'])
      expect(() => loadConfig({ MEMQL_ENCRYPTION_KEY: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ MEMQL_ENCRYPTION_KEY: 'short' })).toThrow(/MEMQL_ENCRYPTION_KEY: must be 32 bytes/);
    expect(loadConfig({ MEMQL_ENCRYPTION_KEY: KEK.toString('hex') }).encryptionKey).toEqual(KEK);
    expect(loadConfig({ MEMQL_ENCRYPTION_KEY: KEK.toString('base64url') }).encryptionKey).toEqual(KEK);
  });
});
