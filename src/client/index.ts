// memql/client: what an app needs to talk to memql with a typed client.
//
// - possibleTypes: the members of Blob and Hit, for Apollo Client's
//   InMemoryCache (without it, `... on ChatBlob` and `... on MessageHit`
//   fields are dropped when results are read back from the cache).
// - Typed documents (TypedDocumentNode) for the common operations, with
//   their result and variable types, for any client that accepts them
//   (Apollo Client, urql, graphql-request, graphql-ws).
//
// Generated from schema.graphql and src/client/operations/*.graphql by
// `npm run codegen`; a test fails when the committed files are out of date
// and another checks possibleTypes against the running server's schema.

import generatedPossibleTypes from './generated/possible-types.js';

export * from './generated/operations.js';

/** `new InMemoryCache({ possibleTypes })`: every union and interface with its member types. */
export const possibleTypes: Record<string, string[]> = generatedPossibleTypes.possibleTypes;
