// The GraphQL operations the benchmarks send, and small typed wrappers.

import type { BenchClient } from '../lib/graphql.js';

export type Mode = 'HYBRID' | 'SEMANTIC' | 'LEXICAL';

export interface ChatMessage {
  role: string;
  content: string;
  name?: string;
}

export async function createUser(client: BenchClient, id: string): Promise<void> {
  await client.request(`mutation ($id: ID!) { createUser(input: { id: $id }) { id } }`, { id });
}

export async function insertChat(
  client: BenchClient,
  userId: string,
  messages: ChatMessage[],
  createdAt?: Date,
): Promise<string> {
  const data = await client.request<{ insertBlob: { blob: { id: string } } }>(
    `mutation ($userId: ID!, $input: BlobInput!) { insertBlob(userId: $userId, input: $input) { blob { id } } }`,
    { userId, input: { chat: { messages }, ...(createdAt ? { createdAt: createdAt.toISOString() } : {}) } },
  );
  return data.insertBlob.blob.id;
}

/** Blob ids of a query's results, best first. */
export async function queryBlobIds(
  client: BenchClient,
  userId: string,
  text: string,
  mode: Mode,
  topK = 10,
): Promise<string[]> {
  const data = await client.request<{ user: { query: { blob: { id: string } }[] } | null }>(
    `query ($userId: ID!, $text: String!, $mode: QueryMode!, $topK: Int!) {
      user(id: $userId) { query(text: $text, mode: $mode, topK: $topK) { score blob { id } hits { ... on MessageHit { index score } } } }
    }`,
    { userId, text, mode, topK },
  );
  return (data.user?.query ?? []).map((m) => m.blob.id);
}

/**
 * Resolves once `blobId` is in the vector index: a SEMANTIC query over the
 * user's data (topK 100: every indexed blob of a small user comes back)
 * returns it. Polls every `intervalMs`; throws after `timeoutMs`.
 */
export async function waitIndexed(
  client: BenchClient,
  userId: string,
  blobId: string,
  options: { intervalMs?: number; timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  for (;;) {
    if ((await queryBlobIds(client, userId, 'indexed', 'SEMANTIC', 100)).includes(blobId)) return;
    if (Date.now() > deadline) throw new Error(`blob ${blobId} of ${userId} was not indexed in time`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}
