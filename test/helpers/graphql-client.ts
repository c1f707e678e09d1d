// A real HTTP client for the tests: POSTs typed documents to the server.

import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

export interface GraphQLResponse<T> {
  status: number;
  headers: Headers;
  data: T | null;
  errors: GraphQLErrorShape[] | undefined;
  extensions?: Record<string, unknown> | undefined;
}

export class GraphQLClient {
  constructor(
    readonly url: string,
    readonly apiKey: string | null,
    /** Extra request headers (X-Request-Id, say). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}

  withKey(apiKey: string | null): GraphQLClient {
    return new GraphQLClient(this.url, apiKey, this.headers);
  }

  withHeaders(headers: Record<string, string>): GraphQLClient {
    return new GraphQLClient(this.url, this.apiKey, { ...this.headers, ...headers });
  }

  async request<T, V>(document: TypedDocumentNode<T, V>, variables?: V): Promise<GraphQLResponse<T>> {
    return this.raw<T>(print(document), variables as Record<string, unknown> | undefined);
  }

  async raw<T>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...this.headers };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    const response = await fetch(this.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as {
      data?: T | null;
      errors?: GraphQLErrorShape[];
      extensions?: Record<string, unknown>;
    };
    return {
      status: response.status,
      headers: response.headers,
      data: body.data ?? null,
      errors: body.errors,
      extensions: body.extensions,
    };
  }

  /** The data of a request that must succeed; throws with the errors otherwise. */
  async ok<T, V>(document: TypedDocumentNode<T, V>, variables?: V): Promise<T> {
    const result = await this.request(document, variables);
    if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result.data;
  }

  /** The single error of a request that must fail. */
  async fails<T, V>(document: TypedDocumentNode<T, V>, variables?: V): Promise<GraphQLErrorShape & { status: number }> {
    const result = await this.request(document, variables);
    const error = result.errors?.[0];
    if (!error) throw new Error(`expected an error, got data ${JSON.stringify(result.data)}`);
    return { ...error, status: result.status };
  }
}
