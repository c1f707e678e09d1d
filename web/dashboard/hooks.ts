import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useEffect, useState } from 'react';
import type { Api } from './api.js';

export interface Loaded<R> {
  data: R | undefined;
  error: string | undefined;
  loading: boolean;
}

/**
 * Runs a query, again whenever `refresh` changes. The previous data stays on
 * screen while a refresh is on its way, so a live update changes the page in
 * place instead of blanking it.
 */
export function useQuery<R, V>(
  api: Api,
  document: TypedDocumentNode<R, V>,
  variables: V | null,
  refresh: unknown,
): Loaded<R> {
  const [state, setState] = useState<Loaded<R>>({ data: undefined, error: undefined, loading: variables !== null });
  const key = JSON.stringify(variables);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `variables`
  useEffect(() => {
    if (variables === null) return;
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    api.request(document, variables).then(
      (data) => current && setState({ data, error: undefined, loading: false }),
      (error: unknown) =>
        current && setState((previous) => ({ ...previous, error: (error as Error).message, loading: false })),
    );
    return () => {
      current = false;
    };
  }, [api, document, key, refresh]);
  return state;
}

/** Subscribes while mounted (and while `variables` stay the same). */
export function useSubscription<R, V>(
  api: Api,
  document: TypedDocumentNode<R, V>,
  variables: V | null,
  onData: (data: R) => void,
): void {
  const key = JSON.stringify(variables);
  const [handler] = useState(() => ({ current: onData }));
  handler.current = onData;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `variables`
  useEffect(() => {
    if (variables === null) return;
    return api.subscribe(document, variables, (data) => handler.current(data));
  }, [api, document, key, handler]);
}
