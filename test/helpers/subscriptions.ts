// A real graphql-ws client for the tests: subscribe, then take events one by
// one (each with its own timeout) or look at everything received so far.

import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface LiveSubscription<T> {
  /** Resolves with the next event (waiting up to timeoutMs). */
  next(timeoutMs?: number): Promise<T>;
  /** Resolves with the next n events. */
  take(n: number, timeoutMs?: number): Promise<T[]>;
  /** Everything received and not yet taken. */
  pending(): T[];
  close(): Promise<void>;
}

export async function subscribe<T, V>(
  wsUrl: string,
  apiKey: string,
  document: TypedDocumentNode<T, V>,
  variables?: V,
): Promise<LiveSubscription<T>> {
  const client: Client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${apiKey}` },
    retryAttempts: 0,
    lazy: false,
  });
  const buffer: T[] = [];
  const waiters: ((value: T) => void)[] = [];
  let failure: unknown = null;
  const failWaiters: ((error: unknown) => void)[] = [];

  await new Promise<void>((resolve, reject) => {
    const offConnected = client.on('connected', () => {
      offConnected();
      resolve();
    });
    client.on('closed', (event) => reject(event));
  });

  client.subscribe<T>(
    { query: print(document), variables: variables as Record<string, unknown> | undefined },
    {
      next: (value) => {
        if (value.errors?.length) {
          failure = value.errors;
          for (const fail of failWaiters.splice(0)) fail(value.errors);
          return;
        }
        const data = value.data as T;
        const waiter = waiters.shift();
        if (waiter) {
          failWaiters.shift();
          waiter(data);
        } else buffer.push(data);
      },
      error: (error) => {
        failure = error;
        for (const fail of failWaiters.splice(0)) fail(error);
      },
      complete: () => {},
    },
  );
  // The server registers the subscription asynchronously; give it a round trip.
  await new Promise((resolve) => setTimeout(resolve, 150));

  const next = (timeoutMs = 15_000) =>
    new Promise<T>((resolve, reject) => {
      if (failure) return reject(failure);
      const buffered = buffer.shift();
      if (buffered !== undefined) return resolve(buffered);
      const timer = setTimeout(() => reject(new Error(`no subscription event within ${timeoutMs} ms`)), timeoutMs);
      waiters.push((value) => {
        clearTimeout(timer);
        resolve(value);
      });
      failWaiters.push((error) => {
        clearTimeout(timer);
        reject(error);
      });
    });

  return {
    next,
    take: async (n, timeoutMs) => {
      const values: T[] = [];
      for (let i = 0; i < n; i++) values.push(await next(timeoutMs));
      return values;
    },
    pending: () => [...buffer],
    close: () => client.dispose() as Promise<void>,
  };
}
