// The embedded Chroma is supervised: kill -9 of its child process, then
// searches in every mode (User.query, User.searchMemories, searchMemories,
// over HTTP and WebSocket) still answer, lexically, and say so in
// `extensions.notices`; /health says "degraded"; writes made meanwhile are
// indexed by themselves once the restarted Chroma answers, and every mode
// answers as before.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateMemoryDocument, CreateUserDocument, InsertBlobDocument } from '../generated/graphql.js';
import { openSocket } from '../helpers/sockets.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const MODES = ['SEMANTIC', 'LEXICAL', 'HYBRID'] as const;
type Mode = (typeof MODES)[number];

const SEARCH = `query Search($text: String!, $mode: QueryMode) {
  user(id: "ana") {
    query(text: $text, mode: $mode) { blob { id } }
    searchMemories(text: $text, mode: $mode) { memory { id } }
  }
  searchMemories(text: $text, mode: $mode) { memory { id } }
}`;

interface SearchData {
  user: { query: { blob: { id: string } }[]; searchMemories: { memory: { id: string } }[] };
  searchMemories: { memory: { id: string } }[];
}
interface Notice {
  code: string;
  requestedMode: string;
  servedMode: string;
  path: (string | number)[];
  message: string;
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the embedded Chroma dies (kill -9) and comes back', () => {
  let t: TestApp;
  const ids = { blob: '', memory: '', lateBlob: '', lateMemory: '' };

  const search = async (text: string, mode: Mode) => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
      body: JSON.stringify({ query: SEARCH, variables: { text, mode } }),
    });
    const body = (await response.json()) as {
      data: SearchData | null;
      errors?: unknown[];
      extensions?: { notices?: Notice[] };
    };
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    const data = body.data!;
    return {
      status: response.status,
      blobs: data.user.query.map((match) => match.blob.id),
      memories: data.user.searchMemories.map((match) => match.memory.id),
      projectMemories: data.searchMemories.map((match) => match.memory.id),
      notices: body.extensions?.notices ?? [],
    };
  };
  const health = async () => {
    const response = await fetch(t.url.replace(/\/graphql$/, '/health'));
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };

  beforeAll(async () => {
    t = await startTestApp({
      // No extraction during the test: the memories are the ones it creates.
      env: {
        MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
        MEMQL_CHROMA_RESTART_SECONDS: '3',
        MEMQL_BUFFER_IDLE_SECONDS: '3600',
      },
    });
    await t.admin.ok(CreateUserDocument, { input: { id: 'ana' } });
    const inserted = await t.admin.ok(InsertBlobDocument, {
      userId: 'ana',
      input: { doc: { title: 'Trip', content: 'We took the kayak down the river at dawn.' } },
    });
    ids.blob = inserted.insertBlob.blob.id;
    ids.memory = (
      await t.admin.ok(CreateMemoryDocument, { userId: 'ana', input: { text: 'Paddles a kayak on the river' } })
    ).createMemory.id;
    await t.app.indexer.drain();
  }, 120_000);
  afterAll(async () => t?.destroy());

  it('answers every mode from both indexes while Chroma runs', async () => {
    for (const mode of MODES) {
      const answer = await search('kayak river', mode);
      expect(answer.notices, mode).toEqual([]);
      expect([answer.blobs[0], answer.memories[0], answer.projectMemories[0]], mode).toEqual([
        ids.blob,
        ids.memory,
        ids.memory,
      ]);
    }
    expect(await health()).toEqual({ status: 200, body: { status: 'ok', database: 'up', vectorStore: 'up' } });
  });

  it('keeps answering, lexically and saying so, while Chroma is down; then heals by itself', async () => {
    const chroma = t.app.embeddedChroma!;
    const killedPid = chroma.pid!;
    process.kill(killedPid, 'SIGKILL');
    await waitFor('the supervisor to see the death', () => !chroma.up, 5_000);

    expect(await health()).toEqual({
      status: 200,
      body: { status: 'degraded', database: 'up', vectorStore: 'down' },
    });
    const lexical = await search('kayak river', 'LEXICAL');
    expect(lexical).toMatchObject({ blobs: [ids.blob], memories: [ids.memory], projectMemories: [ids.memory] });
    expect(lexical.notices).toEqual([]);
    for (const mode of ['SEMANTIC', 'HYBRID'] as const) {
      const answer = await search('kayak river', mode);
      // The lexical ranking, exactly, and a notice for each search that was degraded.
      expect({ ...answer, notices: [] }, mode).toEqual({ ...lexical, notices: [] });
      const said = answer.notices
        .map((notice) => [notice.path.join('.'), notice.code, notice.requestedMode, notice.servedMode])
        .sort((a, b) => a[0]!.localeCompare(b[0]!));
      expect(said, mode).toEqual([
        ['searchMemories', 'VECTOR_INDEX_UNAVAILABLE', mode, 'LEXICAL'],
        ['user.query', 'VECTOR_INDEX_UNAVAILABLE', mode, 'LEXICAL'],
        ['user.searchMemories', 'VECTOR_INDEX_UNAVAILABLE', mode, 'LEXICAL'],
      ]);
    }

    // The same over a WebSocket.
    const socket = await openSocket(t.wsUrl, t.adminKey);
    try {
      const result = (await socket.query(
        '{ user(id: "ana") { query(text: "kayak river", mode: SEMANTIC) { blob { id } } } }',
      )) as { data: { user: { query: { blob: { id: string } }[] } }; extensions?: { notices?: Notice[] } };
      expect(result.data.user.query.map((match) => match.blob.id)).toEqual([ids.blob]);
      expect(result.extensions?.notices?.map((notice) => notice.code)).toEqual(['VECTOR_INDEX_UNAVAILABLE']);
    } finally {
      await socket.dispose();
    }

    // Writes while the index is down are accepted (the database is the source of truth).
    ids.lateBlob = (
      await t.admin.ok(InsertBlobDocument, {
        userId: 'ana',
        input: { doc: { title: 'Lake', content: 'A canoe crossing on the lake, misty morning.' } },
      })
    ).insertBlob.blob.id;
    ids.lateMemory = (
      await t.admin.ok(CreateMemoryDocument, { userId: 'ana', input: { text: 'Owns a red canoe for the lake' } })
    ).createMemory.id;
    // Still down (the restart waits 3 s): the notices above were not a fluke of timing.
    expect(chroma.up).toBe(false);

    await waitFor('the supervisor to restart Chroma', () => chroma.up, 60_000);
    expect(chroma.restarts).toBe(1);
    expect(chroma.pid).not.toBe(killedPid);
    expect(await health()).toEqual({ status: 200, body: { status: 'ok', database: 'up', vectorStore: 'up' } });

    // Nothing drains the outbox by hand: the indexer resumes on its own.
    await waitFor(
      'the writes made while Chroma was down to be indexed',
      async () => {
        const answer = await search('canoe lake', 'SEMANTIC');
        return answer.blobs.includes(ids.lateBlob) && answer.memories.includes(ids.lateMemory);
      },
      30_000,
    );
    for (const mode of MODES) {
      const answer = await search('canoe lake', mode);
      expect(answer.notices, mode).toEqual([]);
      expect([answer.blobs[0], answer.memories[0], answer.projectMemories[0]], mode).toEqual([
        ids.lateBlob,
        ids.lateMemory,
        ids.lateMemory,
      ]);
    }
  }, 120_000);
});
