// The LoCoMo data through memql's GraphQL API: a server in this process with
// each conversation inserted as one user, and questions asked through
// User.query, answered as a ranking of dia_ids.

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BenchClient, mapConcurrent } from '../lib/graphql.js';
import { type InProcessServer, startInProcess } from '../lib/in-process.js';
import type { Conversation } from './dataset.js';

export type ApiMode = 'HYBRID' | 'LEXICAL' | 'SEMANTIC';

const QUERY = /* GraphQL */ `
  query Ask($userId: ID!, $text: String!, $mode: QueryMode!, $topK: Int!) {
    user(id: $userId) {
      query(text: $text, mode: $mode, topK: $topK) {
        blob { id metadata }
        hits { ... on MessageHit { index score } }
      }
    }
  }
`;

interface AskResult {
  user: {
    query: {
      blob: { id: string; metadata: { diaIds?: string[] } | null };
      hits: { index?: number; score?: number }[];
    }[];
  } | null;
}

export interface LocomoServer {
  server: InProcessServer;
  client: BenchClient;
  insertSeconds: number;
  indexSeconds: number;
}

/**
 * Starts memql (extraction kept out of the way: it is not under test) and
 * inserts every conversation: one user each, one chat blob per session with
 * the session's date as createdAt, message name = speaker, blob metadata
 * { session, diaIds } with diaIds index-aligned with the messages. Resolves
 * once everything is indexed.
 */
export async function startLocomoServer(
  conversations: readonly Conversation[],
  options: { dataDir?: string | undefined } = {},
): Promise<LocomoServer> {
  const server = await startInProcess(
    { MEMQL_BUFFER_TOKENS: '1000000000', MEMQL_BUFFER_IDLE_SECONDS: String(365 * 86_400) },
    options,
  );
  try {
    const client = new BenchClient(server.url, server.adminKey);
    const t0 = performance.now();
    // A kept data directory that already holds these conversations is used as it is.
    const marker = path.join(server.dataDir, 'locomo-conversations.json');
    const ids = JSON.stringify(conversations.map((c) => c.id));
    if ((await readFile(marker, 'utf8').catch(() => null)) !== ids) {
      await mapConcurrent(conversations, 3, (conversation) => insertConversation(client, conversation));
      await server.app.indexer.drain();
      await writeFile(marker, ids);
    }
    const t1 = performance.now();
    await server.app.indexer.drain();
    return { server, client, insertSeconds: (t1 - t0) / 1000, indexSeconds: (performance.now() - t1) / 1000 };
  } catch (error) {
    await server.destroy();
    throw error;
  }
}

async function insertConversation(client: BenchClient, conversation: Conversation): Promise<void> {
  await client.request(`mutation ($id: ID!) { createUser(input: { id: $id }) { id } }`, { id: conversation.id });
  for (const session of conversation.sessions) {
    await client.request(
      `mutation ($userId: ID!, $input: BlobInput!) { insertBlob(userId: $userId, input: $input) { blob { id } } }`,
      {
        userId: conversation.id,
        input: {
          createdAt: session.date.toISOString(),
          metadata: { session: session.number, diaIds: session.turns.map((t) => t.diaId) },
          chat: { messages: session.turns.map((t) => ({ role: 'user', name: t.speaker, content: t.content })) },
        },
      },
    );
  }
}

/**
 * Every hit of every result, best score first (equal scores keep the API's
 * order), as dia_ids with their scores. A failed request is tried up to 7
 * more times, waiting 2-30 s (a loaded machine can time out the embedded
 * database's pool).
 */
export async function ask(
  client: BenchClient,
  userId: string,
  text: string,
  mode: ApiMode,
  topK: number,
): Promise<{ id: string; score: number }[]> {
  let data: AskResult | undefined;
  for (let attempt = 1; !data; attempt++) {
    try {
      data = await client.request<AskResult>(QUERY, { userId, text, mode, topK });
    } catch (error) {
      if (attempt >= 8) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 1_000 * 2 ** attempt)));
    }
  }
  const hits: { id: string; score: number }[] = [];
  for (const match of data.user?.query ?? []) {
    const diaIds = match.blob.metadata?.diaIds ?? [];
    for (const hit of match.hits) {
      const id = hit.index === undefined ? undefined : diaIds[hit.index];
      if (id !== undefined && hit.score !== undefined) hits.push({ id, score: hit.score });
    }
  }
  hits.sort((a, b) => b.score - a.score);
  // A turn found by several chunks counts once, at its best score.
  const seen = new Set<string>();
  return hits.filter((h) => {
    if (seen.has(h.id)) return false;
    seen.add(h.id);
    return true;
  });
}
