// A synthetic export file (format version 2), a line at a time: `users`
// users (a doc blob each when `blobs`), `memories` memories spread over them,
// each with its ADD change. For imports at sizes no API-built project
// reaches quickly (bench/import-rate.ts, test/api/import-crash.test.ts).

import { randomUUID } from 'node:crypto';
import { BLANK_MEMORY_CONTENT } from '../fakes/memory-record.js';

export function* syntheticExportLines(options: { users: number; memories: number; blobs: boolean }): Generator<string> {
  const at = '2026-01-01T00:00:00.000Z';
  const line = (record: object) => JSON.stringify(record);
  yield line({ type: 'header', format: 'memql-export', version: 2, embedding: { model: 'hashing', dimension: 512 } });
  yield line({ type: 'profileConfig', config: { strict: false, topics: [] }, custom: false });
  for (let u = 0; u < options.users; u++) {
    const userId = `u${u}`;
    yield line({ type: 'user', id: userId, data: { u }, createdAt: at, updatedAt: at });
    if (options.blobs)
      yield line({
        type: 'blob',
        userId,
        id: randomUUID(),
        content: {
          type: 'DOC',
          title: `notes of ${userId}`,
          content: `User ${u} keeps notes about tea, bees and chess.`,
        },
        metadata: null,
        agentId: null,
        runId: null,
        createdAt: at,
        insertedAt: at,
        extraction: 'NONE',
      });
    for (let m = u; m < options.memories; m += options.users) {
      const content = {
        ...BLANK_MEMORY_CONTENT,
        text: `Memory ${m} of ${userId}: likes green tea number ${m % 97}`,
        topic: 'interests',
        subTopic: 'food',
      };
      yield line({
        type: 'memory',
        userId,
        id: randomUUID(),
        ...content,
        metadata: null,
        createdAt: at,
        updatedAt: at,
        deletedAt: null,
        sourceBlobIds: [],
        history: [
          {
            id: randomUUID(),
            kind: 'ADD',
            actor: 'API',
            before: null,
            after: content,
            sourceBlobIds: [],
            eventId: null,
            createdAt: at,
          },
        ],
      });
    }
  }
}
