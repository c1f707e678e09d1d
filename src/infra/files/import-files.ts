// Export files read back for an import, from the export dir: a line at a
// time (readline over a file stream, so memory is one line's), each line
// parsed once, here at the edge, into a typed ImportLine; the first line that
// is not JSON or not what the format promises throws ImportLineError naming
// its number. Uploads (POST /imports) are stored in the same dir as
// import-<uuid>.jsonl, written under .part and renamed when complete.

import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { type ImportFileSource, type ImportLine, ImportLineError } from '../../domain/ports.js';
import { DEFAULT_BLOB_TOKEN_CAP } from '../../domain/profile/default-profile.js';

const UPLOAD = /^import-[0-9a-f-]{36}\.jsonl$/;

const date = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
const uuid = z.uuid();
const json = z.json();
const jsonObject = z.record(z.string(), json);
const scope = { agentId: z.string().nullable(), runId: z.string().nullable() };

const blobContent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('CHAT'),
    messages: z.array(
      z.object({
        role: z.string(),
        content: z.string(),
        name: z.string().nullish(),
        createdAt: date.nullish(),
      }),
    ),
  }),
  z.object({ type: z.literal('DOC'), title: z.string().nullable(), content: z.string() }),
  z.object({
    type: z.literal('TRANSCRIPT'),
    segments: z.array(
      z.object({ start: z.number(), end: z.number(), text: z.string(), speaker: z.string().nullish() }),
    ),
  }),
  z.object({ type: z.literal('SUMMARY'), summary: z.string() }),
  z.object({ type: z.literal('CODE'), language: z.string().nullable(), content: z.string() }),
]);

const snapshot = z.object({
  text: z.string(),
  topic: z.string(),
  subTopic: z.string(),
  categories: z.array(z.string()),
  title: z.string().nullable(),
  summary: z.string().nullable(),
  tags: z.array(z.string()),
  importance: z.number().nullable(),
  confidence: z.number().nullable(),
  source: z.string().nullable(),
  ...scope,
  expiresAt: date.nullable(),
  immutable: z.boolean(),
});

const usage = z.object({ promptTokens: z.number(), completionTokens: z.number(), calls: z.number() }).nullable();

const lineSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('header'),
    format: z.literal('memql-export'),
    version: z.number().int(),
    embedding: z.object({ model: z.string(), dimension: z.number().int() }),
  }),
  z.object({
    type: z.literal('profileConfig'),
    config: z.object({
      strict: z.boolean(),
      blobTokenCap: z.number().int().positive().default(DEFAULT_BLOB_TOKEN_CAP),
      topics: z.array(
        z.object({
          name: z.string(),
          description: z.string(),
          subTopics: z.array(z.object({ name: z.string(), description: z.string(), singleValued: z.boolean() })),
        }),
      ),
    }),
    custom: z.boolean(),
  }),
  z.object({
    type: z.literal('user'),
    id: z.string().min(1).max(128),
    data: jsonObject,
    createdAt: date,
    updatedAt: date,
  }),
  z.object({
    type: z.literal('blob'),
    userId: z.string(),
    id: uuid,
    content: blobContent,
    metadata: jsonObject.nullable(),
    ...scope,
    createdAt: date,
    insertedAt: date,
    extraction: z.enum(['NONE', 'PENDING', 'DONE']),
    storedTokens: z.number().int().nonnegative().nullish(),
  }),
  z.object({
    type: z.literal('event'),
    userId: z.string(),
    id: uuid,
    kind: z.enum(['EXTRACTION', 'BLOBS_FORGOTTEN']).default('EXTRACTION'),
    summary: z.string(),
    tags: z.array(z.string()),
    blobIds: z.array(z.string()),
    usage,
    createdAt: date,
  }),
  z.object({
    type: z.literal('memory'),
    userId: z.string(),
    id: uuid,
    ...snapshot.shape,
    metadata: jsonObject.nullable(),
    createdAt: date,
    updatedAt: date,
    deletedAt: date.nullable(),
    sourceBlobIds: z.array(z.string()),
    history: z.array(
      z.object({
        id: uuid,
        kind: z.enum(['ADD', 'UPDATE', 'DELETE']),
        actor: z.enum(['EXTRACTOR', 'API', 'EXPIRY']),
        before: snapshot.nullable(),
        after: snapshot.nullable(),
        sourceBlobIds: z.array(z.string()),
        eventId: uuid.nullable(),
        createdAt: date,
      }),
    ),
  }),
]);

/** One line of text as the typed line it must be. */
export function parseImportLine(text: string, number: number): ImportLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ImportLineError(number, `not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = lineSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : 'the line';
    const type = typeof (value as { type?: unknown })?.type === 'string' ? `${(value as { type: string }).type} ` : '';
    throw new ImportLineError(number, `${type}${where}: ${issue.message}`);
  }
  const line = parsed.data;
  switch (line.type) {
    case 'header':
    case 'profileConfig':
    case 'user':
      return { ...line, line: number } as ImportLine;
    case 'blob': {
      const { type, userId, insertedAt, extraction, storedTokens, content, ...blob } = line;
      return {
        line: number,
        type,
        userId,
        insertedAt,
        extraction,
        storedTokens: storedTokens ?? null,
        blob: { ...blob, content: content as ImportBlobContent, metadata: blob.metadata as ImportJsonObject },
      };
    }
    case 'event': {
      const { type, userId, ...event } = line;
      return { line: number, type, userId, event };
    }
    case 'memory': {
      const { type, userId, sourceBlobIds, history, ...memory } = line;
      return {
        line: number,
        type,
        userId,
        memory: { ...memory, metadata: memory.metadata as ImportJsonObject },
        sourceBlobIds,
        history,
      };
    }
    default: {
      const unreachable: never = line;
      throw new Error(`unknown line ${JSON.stringify(unreachable)}`);
    }
  }
}

type ImportBlobContent = Extract<ImportLine, { type: 'blob' }>['blob']['content'];
type ImportJsonObject = Extract<ImportLine, { type: 'blob' }>['blob']['metadata'];

export class ImportFiles implements ImportFileSource {
  constructor(readonly dir: string) {}

  private file(name: string): string {
    if (name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`not a file name: ${name}`);
    return path.join(this.dir, name);
  }

  async exists(name: string): Promise<boolean> {
    const info = await stat(this.file(name)).catch(() => null);
    return info?.isFile() ?? false;
  }

  async *lines(name: string): AsyncIterable<ImportLine> {
    const input = createReadStream(this.file(name), { encoding: 'utf8' });
    const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    let number = 0;
    try {
      for await (const text of reader) {
        number += 1;
        yield parseImportLine(text, number);
      }
    } finally {
      reader.close();
      input.destroy();
    }
  }

  async store(chunks: AsyncIterable<Uint8Array>): Promise<{ file: string; bytes: number }> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const name = `import-${randomUUID()}.jsonl`;
    const final = this.file(name);
    const partial = `${final}.part`;
    let bytes = 0;
    try {
      await pipeline(
        Readable.from(chunks),
        async function* count(source: AsyncIterable<Uint8Array>) {
          for await (const chunk of source) {
            bytes += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(partial, { mode: 0o600 }),
      );
      await rename(partial, final);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return { file: name, bytes };
  }

  async removeUpload(name: string): Promise<void> {
    if (!UPLOAD.test(name)) return;
    await rm(this.file(name), { force: true });
  }
}
