// The real @apollo/client against a live memql, set up as the README shows:
// HttpLink + GraphQLWsLink and an InMemoryCache with memql/client's
// possibleTypes, using memql/client's typed documents. Without possibleTypes
// Apollo silently drops `... on ChatBlob` / `... on MessageHit` fields when it
// reads the cache; this test reads every fragment back from the cache alone.

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient } from 'graphql-ws';
import {
  CreateUserDocument,
  FlushDocument,
  InsertBlobDocument,
  MemoryDetailsFragmentDoc,
  ProfileChangedDocument,
  type ProfileChangedSubscription,
  possibleTypes,
  SearchUserDocument,
  UpdateMemoryDocument,
  UserMemoriesDocument,
} from 'memql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('Apollo Client with memql/client', () => {
  let t: TestApp;
  let client: ApolloClient;
  let disposeWs: () => void;

  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } });
    const authorization = `Bearer ${t.adminKey}`;
    const ws = createClient({ url: t.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization } });
    disposeWs = () => void ws.dispose();
    client = new ApolloClient({
      link: ApolloLink.split(
        ({ query }) => {
          const definition = getMainDefinition(query);
          return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
        },
        new GraphQLWsLink(ws),
        new HttpLink({ uri: t.url, headers: { authorization } }),
      ),
      cache: new InMemoryCache({ possibleTypes }),
    });
    await client.mutate({ mutation: CreateUserDocument, variables: { input: { id: 'alex' } } });
    for (const input of [
      {
        chat: {
          messages: [
            { role: 'user', content: 'Morning! Busy week ahead.' },
            { role: 'user', content: 'I am severely allergic to peanuts, so I always check food labels.' },
          ],
        },
      },
      { doc: { title: 'Planning', content: 'The spring marketing budget for peanuts is forty thousand euros.' } },
      { transcript: { segments: [{ start: 0, end: 4.5, speaker: 'Kim', text: 'Peanuts are on the menu today.' }] } },
    ])
      await client.mutate({ mutation: InsertBlobDocument, variables: { userId: 'alex', input } });
    await t.app.indexer.drain();
  });
  afterAll(async () => {
    client?.stop();
    disposeWs?.();
    await t?.destroy();
  });

  it("exports possibleTypes that match the running server's unions and interfaces", async () => {
    const { data } = await t.admin.raw<{
      __schema: { types: { name: string; kind: string; possibleTypes: { name: string }[] | null }[] };
    }>('{ __schema { types { name kind possibleTypes { name } } } }');
    const live = Object.fromEntries(
      data!.__schema.types
        .filter((type) => (type.kind === 'UNION' || type.kind === 'INTERFACE') && !type.name.startsWith('__'))
        .map((type) => [type.name, (type.possibleTypes ?? []).map((member) => member.name).sort()]),
    );
    expect(Object.keys(live).length).toBeGreaterThan(0);
    expect(possibleTypes).toEqual(live);
  });

  it('returns Blob and Hit fragments whole from the network, and again from the cache alone', async () => {
    const variables = { userId: 'alex', text: 'peanuts', topK: 5 };
    const network = await client.query({ query: SearchUserDocument, variables, fetchPolicy: 'network-only' });
    const matches = network.data!.user!.query;
    const byType = new Map(matches.map((match) => [match.blob.__typename, match]));
    expect([...byType.keys()].sort()).toEqual(['ChatBlob', 'DocBlob', 'TranscriptBlob']);

    const chat = byType.get('ChatBlob')!;
    expect(chat.blob).toMatchObject({ type: 'CHAT', messages: [{ role: 'user' }, { role: 'user' }] });
    expect(chat.hits[0]).toMatchObject({ __typename: 'MessageHit', index: 1, role: 'user' });
    expect(byType.get('DocBlob')!.blob).toMatchObject({ title: 'Planning' });
    expect(byType.get('DocBlob')!.hits[0]).toMatchObject({ __typename: 'TextSpanHit', start: 0 });
    expect(byType.get('TranscriptBlob')!.blob).toMatchObject({ segments: [{ speaker: 'Kim', end: 4.5 }] });
    expect(byType.get('TranscriptBlob')!.hits[0]).toMatchObject({
      __typename: 'TimeSpanHit',
      startSeconds: 0,
      endSeconds: 4.5,
    });

    const cached = await client.query({ query: SearchUserDocument, variables, fetchPolicy: 'cache-only' });
    expect(cached.data).toEqual(network.data);
    // Without possibleTypes the cache would have dropped the fields of `... on ChatBlob` and `... on MessageHit`.
    const withoutPossibleTypes = new InMemoryCache();
    withoutPossibleTypes.writeQuery({ query: SearchUserDocument, variables, data: network.data! });
    const lossy = withoutPossibleTypes.readQuery({ query: SearchUserDocument, variables, returnPartialData: true });
    expect(lossy).not.toEqual(network.data);
  });

  it('updates a cached Memory in place after updateMemory', async () => {
    await client.mutate({ mutation: FlushDocument, variables: { userId: 'alex', waitProcess: true } });
    const listed = await client.query({ query: UserMemoriesDocument, variables: { userId: 'alex', first: 20 } });
    const memory = listed.data!.user!.memories.edges[0]!.node;
    expect(memory.text).toMatch(/peanut/i);

    const updated = await client.mutate({
      mutation: UpdateMemoryDocument,
      variables: { id: memory.id, input: { text: 'Allergic to peanuts and cashews' } },
    });
    expect(updated.data!.updateMemory.text).toBe('Allergic to peanuts and cashews');
    const fromCache = await client.query({
      query: UserMemoriesDocument,
      variables: { userId: 'alex', first: 20 },
      fetchPolicy: 'cache-only',
    });
    const inPlace = fromCache.data!.user!.memories.edges.find((edge) => edge.node.id === memory.id)!.node;
    expect(inPlace.text).toBe('Allergic to peanuts and cashews');
    expect(inPlace.history.map((change) => [change.kind, change.actor])).toEqual([
      ['ADD', 'EXTRACTOR'],
      ['UPDATE', 'API'],
    ]);
  });

  it('delivers an UPDATE through a subscription and writes it into the cache', async () => {
    const listed = await client.query({
      query: UserMemoriesDocument,
      variables: { userId: 'alex', first: 20 },
      fetchPolicy: 'cache-only',
    });
    const memory = listed.data!.user!.memories.edges[0]!.node;
    const events: ProfileChangedSubscription[] = [];
    const subscription = client
      .subscribe({ query: ProfileChangedDocument, variables: { userId: 'alex' } })
      .subscribe({ next: (result) => void (result.data && events.push(result.data)) });
    try {
      // Updates until the subscription (registered asynchronously) delivers one; each is a new change.
      const deadline = Date.now() + 20_000;
      let lastText = '';
      for (let n = 1; events.length === 0 && Date.now() < deadline; n++) {
        lastText = `Allergic to peanuts (${n})`;
        await client.mutate({
          mutation: UpdateMemoryDocument,
          variables: { id: memory.id, input: { text: lastText } },
        });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const change = events[0]!.profileChanged;
      expect(change).toMatchObject({ kind: 'UPDATE', actor: 'API', memoryId: memory.id });
      expect(change.after).toMatch(/^Allergic to peanuts \(\d+\)$/);
      expect(change.memory).toMatchObject({ __typename: 'Memory', id: memory.id });
      while (!events.some((event) => event.profileChanged.after === lastText) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      // The Memory the subscription carried is written into the cache under its id.
      const cached = client.readFragment({
        id: client.cache.identify({ __typename: 'Memory', id: memory.id }),
        fragment: MemoryDetailsFragmentDoc,
        fragmentName: 'MemoryDetails',
      });
      expect(cached?.text).toBe(lastText);
    } finally {
      subscription.unsubscribe();
    }
  });
});
