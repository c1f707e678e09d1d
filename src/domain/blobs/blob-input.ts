// Validation of what a client wants stored. Limits are checked before
// anything is written, so an oversized or malformed blob stores nothing.

import { BadInputError } from '../errors.js';
import type { BlobContent, ChatMessage, JsonObject, Scope, TranscriptSegment } from '../types.js';
import { jsonObject, scopeId, validDate } from '../validation.js';

export const BLOB_LIMITS = {
  /** Characters of text in one blob, all messages or segments together. */
  maxTextChars: 1_000_000,
  maxMessages: 1_000,
  maxSegments: 10_000,
  maxMetadataBytes: 64 * 1024,
  maxShortField: 256,
} as const;

/** What the transport hands over: at most one payload set, already typed. */
export interface BlobCommand {
  chat?: { messages: { role: string; content: string; name?: string | null; createdAt?: Date | null }[] } | null;
  doc?: { content: string; title?: string | null } | null;
  transcript?: { segments: { start: number; end: number; text: string; speaker?: string | null }[] } | null;
  summary?: { summary: string } | null;
  code?: { content: string; language?: string | null } | null;
  metadata?: unknown;
  createdAt?: Date | null;
  agentId?: string | null;
  runId?: string | null;
}

export interface ValidBlob extends Scope {
  content: BlobContent;
  metadata: JsonObject | null;
  createdAt: Date | null;
}

export function validateBlob(input: BlobCommand): ValidBlob {
  const given = (['chat', 'doc', 'transcript', 'summary', 'code'] as const).filter(
    (key) => input[key] !== null && input[key] !== undefined,
  );
  if (given.length !== 1) {
    throw new BadInputError(
      'input',
      `give exactly one of chat, doc, transcript, summary, code (got ${given.length === 0 ? 'none' : given.join(', ')})`,
    );
  }
  const content = validateContent(input);
  const textChars = contentLength(content);
  if (textChars > BLOB_LIMITS.maxTextChars) {
    throw new BadInputError(
      `input.${given[0]}`,
      `holds ${textChars} characters of text; the limit is ${BLOB_LIMITS.maxTextChars}`,
    );
  }
  return {
    content,
    metadata: jsonObject('input.metadata', input.metadata, BLOB_LIMITS.maxMetadataBytes),
    createdAt: validDate('input.createdAt', input.createdAt),
    agentId: scopeId('input.agentId', input.agentId),
    runId: scopeId('input.runId', input.runId),
  };
}

function validateContent(input: BlobCommand): BlobContent {
  if (input.chat) return { type: 'CHAT', messages: validateMessages(input.chat.messages) };
  if (input.doc) {
    return {
      type: 'DOC',
      title: optionalShort('input.doc.title', input.doc.title),
      content: nonBlank('input.doc.content', input.doc.content),
    };
  }
  if (input.transcript) return { type: 'TRANSCRIPT', segments: validateSegments(input.transcript.segments) };
  if (input.summary) return { type: 'SUMMARY', summary: nonBlank('input.summary.summary', input.summary.summary) };
  if (input.code) {
    return {
      type: 'CODE',
      language: optionalShort('input.code.language', input.code.language),
      content: nonBlank('input.code.content', input.code.content),
    };
  }
  throw new BadInputError('input', 'give exactly one of chat, doc, transcript, summary, code');
}

function validateMessages(messages: NonNullable<BlobCommand['chat']>['messages']): ChatMessage[] {
  if (messages.length === 0) throw new BadInputError('input.chat.messages', 'must hold at least one message');
  if (messages.length > BLOB_LIMITS.maxMessages) {
    throw new BadInputError(
      'input.chat.messages',
      `holds ${messages.length} messages; the limit is ${BLOB_LIMITS.maxMessages}`,
    );
  }
  return messages.map((message, index) => {
    const field = `input.chat.messages[${index}]`;
    const role = message.role.trim();
    if (role.length < 1 || role.length > 64) throw new BadInputError(`${field}.role`, 'must be 1-64 characters');
    return {
      role,
      content: nonBlank(`${field}.content`, message.content),
      name: optionalShort(`${field}.name`, message.name),
      createdAt: validDate(`${field}.createdAt`, message.createdAt),
    };
  });
}

function validateSegments(segments: NonNullable<BlobCommand['transcript']>['segments']): TranscriptSegment[] {
  if (segments.length === 0) throw new BadInputError('input.transcript.segments', 'must hold at least one segment');
  if (segments.length > BLOB_LIMITS.maxSegments) {
    throw new BadInputError(
      'input.transcript.segments',
      `holds ${segments.length} segments; the limit is ${BLOB_LIMITS.maxSegments}`,
    );
  }
  return segments.map((segment, index) => {
    const field = `input.transcript.segments[${index}]`;
    if (!Number.isFinite(segment.start) || segment.start < 0)
      throw new BadInputError(`${field}.start`, 'must be a number of seconds >= 0');
    if (!Number.isFinite(segment.end) || segment.end < segment.start)
      throw new BadInputError(`${field}.end`, 'must be a number of seconds >= start');
    return {
      start: segment.start,
      end: segment.end,
      text: nonBlank(`${field}.text`, segment.text),
      speaker: optionalShort(`${field}.speaker`, segment.speaker),
    };
  });
}

function nonBlank(field: string, value: string): string {
  if (value.trim().length === 0) throw new BadInputError(field, 'must not be empty');
  return value;
}

function optionalShort(field: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value.length > BLOB_LIMITS.maxShortField)
    throw new BadInputError(field, `must be at most ${BLOB_LIMITS.maxShortField} characters`);
  return value;
}

/** Characters of text the blob holds. */
export function contentLength(content: BlobContent): number {
  switch (content.type) {
    case 'CHAT':
      return content.messages.reduce((sum, message) => sum + message.content.length, 0);
    case 'DOC':
      return content.content.length + (content.title?.length ?? 0);
    case 'TRANSCRIPT':
      return content.segments.reduce((sum, segment) => sum + segment.text.length, 0);
    case 'SUMMARY':
      return content.summary.length;
    case 'CODE':
      return content.content.length;
    default: {
      const unreachable: never = content;
      return unreachable;
    }
  }
}
