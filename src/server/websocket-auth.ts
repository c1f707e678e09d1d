// Where a graphql-ws connection carries its key, and how a refusal closes the
// socket. A browser cannot set headers on a WebSocket, so the key travels in
// the connection_init payload (`authorization` or `Authorization`); other
// clients may send an Authorization header on the upgrade request instead.

import { CloseCode } from 'graphql-ws';

export type ConnectionAuthorization =
  | { kind: 'present'; authorization: string }
  | { kind: 'missing' }
  | { kind: 'malformed'; reason: string };

/** The Authorization value of a connection: connectionParams first, then the upgrade request's header. */
export function connectionAuthorization(
  connectionParams: Readonly<Record<string, unknown>> | undefined,
  upgradeHeader: string | undefined,
): ConnectionAuthorization {
  for (const name of ['authorization', 'Authorization']) {
    const value = connectionParams?.[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string')
      return { kind: 'malformed', reason: `connectionParams.${name} must be a string "Bearer <api key>"` };
    return { kind: 'present', authorization: value };
  }
  return upgradeHeader ? { kind: 'present', authorization: upgradeHeader } : { kind: 'missing' };
}

/** Close codes and reasons (at most 123 bytes) for a connection that is refused. */
export const REFUSAL = {
  missing: {
    code: CloseCode.Unauthorized,
    reason: 'Unauthorized: no API key; send connectionParams { authorization: "Bearer <key>" }',
  },
  malformed: (reason: string) => ({ code: CloseCode.Unauthorized, reason: `Unauthorized: ${reason}`.slice(0, 123) }),
  /** The key was revoked while the connection was open. */
  revoked: { code: CloseCode.Forbidden, reason: 'Forbidden: the API key was revoked' },
  /** The key was sent but is unknown, revoked or not in the "Bearer <key>" form. */
  refused: (message: string) => ({ code: CloseCode.Forbidden, reason: `Forbidden: ${message}`.slice(0, 123) }),
} as const;
