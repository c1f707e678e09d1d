// The API is served by the same server as the pages: same origin, /graphql
// over HTTP and WebSocket.

export function graphqlUrl(): string {
  return new URL('/graphql', location.href).href;
}

export function websocketUrl(): string {
  return graphqlUrl().replace(/^http/, 'ws');
}
