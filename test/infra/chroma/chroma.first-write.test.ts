// Chroma 1.0.0 fails a query with "Error creating hnsw segment reader:
// Nothing found on disk" while the first write into a collection is being
// applied (the collection has no HNSW segment yet). The store must retry that
// condition instead of failing the query. The window is a race, so each test
// repeats a first write with queries in a tight loop until the condition has
// been hit, and fails if it never was (the test would prove nothing).

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ChromaClient, ChromaServerError } from 'chromadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VectorQuery, VectorRecord } from '../../../src/domain/ports.js';
import { startChromaServer, type ChromaServer } from '../../../src/infra/chroma/chroma-server.js';
import { ChromaVectorStore } from '../../../src/infra/chroma/chroma.vector-store.js';
import { seededVector } from '../../contracts/vector-store.contract.js';

const DIMENSION = 256;
const RECORDS = 500;
const MAX_TRIALS = 25;
const UNBUILT = /Error creating hnsw segment reader: Nothing found on disk/;

let dataDir: string;
let server: ChromaServer;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'memql-chroma-first-write-'));
  server = await startChromaServer({ dataDir });
});

afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function records(userPk: string): VectorRecord[] {
  return Array.from({ length: RECORDS }, (_, i) => ({
    chunkId: `${userPk}-c${i}`,
    projectId: 'p1',
    userPk,
    blobId: `${userPk}-b${i % 5}`,
    blobType: 'CHAT' as const,
    createdAt: 1_700_000_000 + i,
    vector: seededVector(i + 1, DIMENSION),
  }));
}

function queryFor(userPk: string): VectorQuery {
  return {
    projectId: 'p1',
    userPk,
    vector: seededVector(1, DIMENSION),
    limit: 3,
    types: null,
    since: null,
    until: null,
  };
}

/** Runs `probe` back to back until `write` settles; returns every probe's outcome. */
async function whileWriting<T>(write: Promise<unknown>, probe: () => Promise<T>): Promise<T[]> {
  let writing = true;
  const done = write.finally(() => {
    writing = false;
  });
  const outcomes: T[] = [];
  while (writing) outcomes.push(await probe());
  await done;
  return outcomes;
}

describe('first write into a new Chroma collection', () => {
  it('makes concurrent raw queries fail with "Nothing found on disk" (the condition the store handles)', async () => {
    const url = new URL(server.url);
    const client = new ChromaClient({ host: url.hostname, port: Number(url.port) });
    const rows = records('raw');
    let failures = 0;
    for (let trial = 0; trial < MAX_TRIALS && failures === 0; trial++) {
      const collection = await client.createCollection({
        name: `raw-first-write-${trial}`,
        embeddingFunction: null,
        configuration: { hnsw: { space: 'cosine' } },
      });
      const outcomes = await whileWriting(
        collection.upsert({
          ids: rows.map((r) => r.chunkId),
          embeddings: rows.map((r) => r.vector),
          metadatas: rows.map(() => ({ uk: 'x' })),
        }),
        () =>
          collection.query({ queryEmbeddings: [rows[0]!.vector], nResults: 3, where: { uk: 'x' } }).then(
            () => 'ok',
            // A generic server error (HTTP 500): only its message names the condition.
            (error: Error) =>
              error instanceof ChromaServerError && UNBUILT.test(error.message) ? 'unbuilt' : `other: ${error.message}`,
          ),
      );
      expect(outcomes.filter((outcome) => outcome.startsWith('other'))).toEqual([]);
      failures += outcomes.filter((outcome) => outcome === 'unbuilt').length;
      // Once the write is acknowledged, the collection answers.
      expect((await collection.query({ queryEmbeddings: [rows[0]!.vector], nResults: 3 })).ids[0]).toHaveLength(3);
    }
    expect(failures).toBeGreaterThan(0);
  }, 60_000);

  it.each([
    ['the writing store itself', false],
    ['another store on the same Chroma (no shared locks)', true],
  ])(
    'ChromaVectorStore.query retries it and answers, queried from %s',
    async (_label, separateReader) => {
      const warnings: object[] = [];
      const log = { info: () => undefined, warn: (details: object) => warnings.push(details) };
      const prefix = separateReader ? 'fwsep' : 'fwsame';
      // soloRecords 1: every user's first batch opens a brand-new shard collection.
      const writer = new ChromaVectorStore({ url: server.url, modelTag: 'first-write', prefix, soloRecords: 1, log });
      const reader = separateReader
        ? new ChromaVectorStore({ url: server.url, modelTag: 'first-write', prefix, soloRecords: 1, log })
        : writer;
      await writer.open(DIMENSION);
      await reader.open(DIMENSION);
      const errors: string[] = [];
      for (let trial = 0; trial < MAX_TRIALS && warnings.length === 0; trial++) {
        const userPk = `u${trial}`;
        const outcomes = await whileWriting(writer.upsert(records(userPk)), () =>
          reader.query(queryFor(userPk)).then(
            (hits) => hits.length,
            (error: Error) => {
              errors.push(error.message);
              return -1;
            },
          ),
        );
        expect(errors).toEqual([]);
        // Before the write: nothing; during or after: the complete answer.
        for (const found of outcomes) expect([0, 3]).toContain(found);
        expect(await reader.query(queryFor(userPk))).toHaveLength(3);
      }
      expect(warnings.length).toBeGreaterThan(0);
      expect(warnings[0]).toMatchObject({ retry: 1 });
      await writer.reset();
    },
    60_000,
  );
});
