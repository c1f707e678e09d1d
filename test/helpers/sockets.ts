// A graphql-ws connection for tests that watch the socket itself: how and
// when the server closes it, subscriptions that the server ends.

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface OpenSocket {
  /** Resolves with the close event once the server closes the socket. */
  closed: Promise<{ code: number; reason: string; at: number }>;
  /** Starts a subscription; `completed` resolves when the server ends it. */
  subscribe(query: string): { completed: Promise<void>; events: unknown[] };
  query(query: string): Promise<unknown>;
  dispose(): Promise<void>;
}

export async function openSocket(wsUrl: string, key: string): Promise<OpenSocket> {
  let onClosed: (event: { code: number; reason: string; at: number }) => void = () => {};
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) => {
    onClosed = resolve;
  });
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    lazy: false,
    // The close is what these tests wait for; it is not an error to print.
    onNonLazyError: () => {},
  });
  client.on('closed', (event) => {
    const { code, reason } = event as { code: number; reason: string };
    onClosed({ code, reason, at: Date.now() });
  });
  await new Promise<void>((resolve, reject) => {
    client.on('connected', () => resolve());
    client.on('closed', (event) => reject(event));
  });
  return {
    closed,
    subscribe(query) {
      const events: unknown[] = [];
      const completed = new Promise<void>((resolve, reject) => {
        client.subscribe({ query }, { next: (value) => events.push(value), error: reject, complete: resolve });
      });
      return { completed, events };
    },
    query: (query) =>
      new Promise((resolve) => {
        client.subscribe({ query }, { next: resolve, error: resolve, complete: () => {} });
      }),
    dispose: () => client.dispose() as Promise<void>,
  };
}
