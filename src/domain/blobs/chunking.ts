// Splits a blob into searchable chunks that remember where they came from:
// the message index (chat), the character span (doc, summary, code) or the
// time span (transcript). A hit is built from that locator, so
// `content.slice(start, end)` is always exactly the chunk's text.

import type { BlobContent, ChatMessage, NewChunk } from '../types.js';

/** Chunks aim at this many characters: about two or three sentences. */
const TARGET_CHARS = 400;
/** A single sentence longer than this is cut at white space. */
const MAX_CHARS = 800;

export function chunkBlob(content: BlobContent): NewChunk[] {
  switch (content.type) {
    case 'CHAT':
      return chunkChat(content.messages);
    case 'DOC':
      return textChunks(content.content, content.title ? `${content.title}\n` : '');
    case 'SUMMARY':
      return textChunks(content.summary, '');
    case 'CODE':
      return textChunks(content.content, content.language ? `[${content.language}] ` : '', /\n\s*\n/g);
    case 'TRANSCRIPT':
      return chunkTranscript(content.segments);
    default: {
      const unreachable: never = content;
      return unreachable;
    }
  }
}

/** One chunk per message; a very long message becomes several, all pointing at it. */
function chunkChat(messages: ChatMessage[]): NewChunk[] {
  const chunks: NewChunk[] = [];
  messages.forEach((message, messageIndex) => {
    const speaker = message.name ?? message.role;
    for (const span of splitSpans(message.content, /(?<=[.!?])\s+|\n+/g)) {
      chunks.push({
        ordinal: chunks.length,
        text: span.text,
        searchText: `${speaker}: ${span.text}`,
        locator: { kind: 'message', messageIndex },
      });
    }
  });
  return chunks;
}

function textChunks(text: string, searchPrefix: string, boundary: RegExp = /(?<=[.!?])\s+|\n\s*\n/g): NewChunk[] {
  return splitSpans(text, boundary).map((span, ordinal) => ({
    ordinal,
    text: span.text,
    searchText: searchPrefix + span.text,
    locator: { kind: 'text', start: span.start, end: span.end },
  }));
}

/** Consecutive segments are grouped up to the target size, never across a change of speaker. */
function chunkTranscript(
  segments: { start: number; end: number; text: string; speaker?: string | null }[],
): NewChunk[] {
  const chunks: NewChunk[] = [];
  let group: typeof segments = [];
  const flush = () => {
    const first = group[0];
    const last = group[group.length - 1];
    if (!first || !last) return;
    const text = group.map((segment) => segment.text.trim()).join(' ');
    chunks.push({
      ordinal: chunks.length,
      text,
      searchText: first.speaker ? `${first.speaker}: ${text}` : text,
      locator: { kind: 'time', start: first.start, end: last.end },
    });
    group = [];
  };
  for (const segment of segments) {
    const size = group.reduce((sum, s) => sum + s.text.length + 1, 0);
    const speakerChanged = group.length > 0 && (group[0]?.speaker ?? null) !== (segment.speaker ?? null);
    if (speakerChanged || size + segment.text.length > TARGET_CHARS) flush();
    group.push(segment);
  }
  flush();
  return chunks;
}

export interface Span {
  start: number;
  end: number;
  text: string;
}

/**
 * Cuts `text` at `boundary` into sentences, then packs neighbours into spans
 * of about TARGET_CHARS. Offsets index the original string; spans exclude
 * surrounding white space.
 */
export function splitSpans(text: string, boundary: RegExp): Span[] {
  const pieces: Span[] = [];
  let cursor = 0;
  for (const match of text.matchAll(
    new RegExp(boundary.source, boundary.flags.includes('g') ? boundary.flags : `${boundary.flags}g`),
  )) {
    const index = match.index ?? 0;
    pushTrimmed(pieces, text, cursor, index);
    cursor = index + match[0].length;
  }
  pushTrimmed(pieces, text, cursor, text.length);

  const spans: Span[] = [];
  for (const piece of pieces.flatMap((p) => cutLong(text, p))) {
    const last = spans[spans.length - 1];
    if (last && piece.end - last.start <= TARGET_CHARS) {
      spans[spans.length - 1] = { start: last.start, end: piece.end, text: text.slice(last.start, piece.end) };
    } else {
      spans.push(piece);
    }
  }
  return spans;
}

function pushTrimmed(into: Span[], text: string, from: number, to: number): void {
  let start = from;
  let end = to;
  while (start < end && /\s/.test(text[start] ?? '')) start++;
  while (end > start && /\s/.test(text[end - 1] ?? '')) end--;
  if (end > start) into.push({ start, end, text: text.slice(start, end) });
}

function cutLong(text: string, span: Span): Span[] {
  if (span.end - span.start <= MAX_CHARS) return [span];
  const parts: Span[] = [];
  let start = span.start;
  while (span.end - start > MAX_CHARS) {
    const window = text.slice(start, start + MAX_CHARS);
    const lastSpace = window.search(/\s\S*$/);
    const cut = lastSpace > MAX_CHARS / 2 ? start + lastSpace : graphemeCut(text, start, start + MAX_CHARS);
    pushTrimmed(parts, text, start, cut);
    start = cut;
  }
  pushTrimmed(parts, text, start, span.end);
  return parts;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** How far past the limit a look for the end of a grapheme may reach (emoji sequences, combining marks). */
const GRAPHEME_LOOKAHEAD = 64;

/**
 * The last grapheme boundary at or before `limit` (after `start`), so a cut
 * never splits a surrogate pair, an emoji sequence or a letter from its
 * combining marks; the end of the first grapheme when it alone is longer.
 */
export function graphemeCut(text: string, start: number, limit: number): number {
  let cut = start;
  for (const { index, segment } of graphemes.segment(text.slice(start, limit + GRAPHEME_LOOKAHEAD))) {
    const end = start + index + segment.length;
    if (end > limit) return cut > start ? cut : end;
    cut = end;
  }
  return cut;
}
