// The dashboard's connection to memql: typed documents from memql/client over
// HTTP (fetch) and graphql-ws (subscriptions), with the key signed in with.

import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import { graphqlUrl, websocketUrl } from '../shared/endpoints.js';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export interface Api {
  request<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R>;
  /** Calls onData for every event until the returned function is called. */
  subscribe<R, V>(document: TypedDocumentNode<R, V>, variables: V, onData: (data: R) => void): () => void;
  /** Connection state of the live feeds, for the header. */
  onConnection(listener: (state: 'connected' | 'closed', reason?: string) => void): () => void;
  close(): void;
}

export function createApi(key: string): Api {
  const authorization = `Bearer ${key}`;
  const ws: Client = createClient({
    url: websocketUrl(),
    connectionParams: { authorization },
    // Reconnect after a network blip or a server restart; a refused key (4401/4403) is final.
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: (event) =>
      !(event && typeof event === 'object' && 'code' in event && [4401, 4403].includes(event.code as number)),
  });
  return {
    async request(document, variables) {
      const response = await fetch(graphqlUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query: print(document), variables }),
      });
      const body = (await response.json()) as {
        data?: unknown;
        errors?: { message: string; extensions?: { code?: string } }[];
      };
      const error = body.errors?.[0];
      if (error) throw new ApiError(error.message, error.extensions?.code);
      return body.data as never;
    },
    subscribe(document, variables, onData) {
      return ws.subscribe(
        { query: print(document), variables: variables as Record<string, unknown> },
        {
          next: (result) => {
            if (result.data) onData(result.data as never);
          },
          error: () => {},
          complete: () => {},
        },
      );
    },
    onConnection(listener) {
      const offConnected = ws.on('connected', () => listener('connected'));
      const offClosed = ws.on('closed', (event) =>
        listener('closed', event && typeof event === 'object' && 'reason' in event ? String(event.reason) : undefined),
      );
      return () => {
        offConnected();
        offClosed();
      };
    },
    close: () => void ws.dispose(),
  };
}
