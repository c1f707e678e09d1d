// How blobs become chunks (src/domain/blobs/chunking.ts): spans that index
// the original text exactly, message and time locators, long input.

import { describe, expect, it } from 'vitest';
import { chunkBlob, splitSpans } from '../../../src/domain/blobs/chunking.js';
import type { NewChunk } from '../../../src/domain/types.js';

const SENTENCE_BOUNDARY = /(?<=[.!?])\s+|\n\s*\n/g;

/** Every text chunk's span, sliced from the source, is its text; spans are ordered and disjoint. */
function expectExactSpans(source: string, chunks: NewChunk[]): void {
  let previousEnd = 0;
  chunks.forEach((chunk, i) => {
    expect(chunk.ordinal).toBe(i);
    if (chunk.locator.kind !== 'text') throw new Error(`chunk ${i} has a ${chunk.locator.kind} locator`);
    expect(source.slice(chunk.locator.start, chunk.locator.end)).toBe(chunk.text);
    expect(chunk.locator.start).toBeGreaterThanOrEqual(previousEnd);
    expect(chunk.text).toBe(chunk.text.trim());
    previousEnd = chunk.locator.end;
  });
}

function sentences(count: number, words = 12): string {
  return Array.from(
    { length: count },
    (_, i) => `Sentence ${i} ${Array.from({ length: words }, (_, w) => `word${w}`).join(' ')}.`,
  ).join(' ');
}

describe('splitSpans', () => {
  it('packs short sentences together up to about 400 characters', () => {
    const text = sentences(20);
    const spans = splitSpans(text, SENTENCE_BOUNDARY);
    expect(spans.length).toBeGreaterThan(1);
    for (const span of spans) {
      expect(span.end - span.start).toBeLessThanOrEqual(400);
      expect(text.slice(span.start, span.end)).toBe(span.text);
    }
    // Nothing but white space is left out.
    const covered = spans.map((span) => span.text).join(' ');
    expect(covered.replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));
  });

  it('cuts a sentence longer than 800 characters at white space', () => {
    const long = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' '); // ~1,400 characters, no full stop
    const spans = splitSpans(long, SENTENCE_BOUNDARY);
    expect(spans.length).toBeGreaterThan(1);
    for (const span of spans) {
      expect(span.end - span.start).toBeLessThanOrEqual(800);
      expect(span.text).toMatch(/^w\d+( w\d+)*$/); // never inside a word
    }
  });

  it('cuts a run without white space at 800 characters', () => {
    const run = 'x'.repeat(2_000);
    const spans = splitSpans(run, SENTENCE_BOUNDARY);
    expect(spans.map((span) => span.end - span.start)).toEqual([800, 800, 400]);
  });

  it('returns nothing for white space only, and trims around the text', () => {
    expect(splitSpans('  \n\n  ', SENTENCE_BOUNDARY)).toEqual([]);
    expect(splitSpans('  Hello there.  ', SENTENCE_BOUNDARY)).toEqual([{ start: 2, end: 14, text: 'Hello there.' }]);
  });
});

describe('chunkBlob', () => {
  it('makes one chunk per chat message, with the speaker in the searched text', () => {
    const chunks = chunkBlob({
      type: 'CHAT',
      messages: [
        { role: 'user', content: 'I moved to Porto.' },
        { role: 'assistant', content: 'How do you like it?', name: 'bot' },
      ],
    });
    expect(chunks).toEqual([
      {
        ordinal: 0,
        text: 'I moved to Porto.',
        searchText: 'user: I moved to Porto.',
        locator: { kind: 'message', messageIndex: 0 },
      },
      {
        ordinal: 1,
        text: 'How do you like it?',
        searchText: 'bot: How do you like it?',
        locator: { kind: 'message', messageIndex: 1 },
      },
    ]);
  });

  it('splits a long message into several chunks that all point at it', () => {
    const long = sentences(40);
    const chunks = chunkBlob({
      type: 'CHAT',
      messages: [
        { role: 'user', content: 'Short one.' },
        { role: 'user', content: long },
        { role: 'assistant', content: 'Ok.' },
      ],
    });
    const ofLong = chunks.filter((c) => c.locator.kind === 'message' && c.locator.messageIndex === 1);
    expect(ofLong.length).toBeGreaterThan(3);
    expect(chunks.map((c) => c.ordinal)).toEqual(chunks.map((_, i) => i));
    for (const chunk of ofLong) {
      expect(long).toContain(chunk.text);
      expect(chunk.text.length).toBeLessThanOrEqual(400);
    }
    expect(chunks.at(-1)).toMatchObject({ text: 'Ok.', locator: { kind: 'message', messageIndex: 2 } });
  });

  it('gives doc chunks exact character spans and the title as search context', () => {
    const content = `Intro paragraph here.\n\n${sentences(15)}\n\nLast words!`;
    const chunks = chunkBlob({ type: 'DOC', title: 'Notes', content });
    expectExactSpans(content, chunks);
    expect(chunks.every((chunk) => chunk.searchText === `Notes\n${chunk.text}`)).toBe(true);
    expect(chunks.at(-1)!.text.endsWith('Last words!')).toBe(true);
  });

  it('keeps offsets exact around unicode, white space runs and a missing title', () => {
    const content = '  Café olé 🎉 is great.   東京は日本の首都です。 Next: done?  Yes!\n\n\n  Bye.  ';
    const chunks = chunkBlob({ type: 'DOC', title: null, content });
    expectExactSpans(content, chunks);
    expect(chunks.every((chunk) => chunk.searchText === chunk.text)).toBe(true);
  });

  it('spans a summary and code; code splits at blank lines and carries its language', () => {
    const summary = sentences(12);
    expectExactSpans(summary, chunkBlob({ type: 'SUMMARY', summary }));
    const code = Array.from({ length: 30 }, (_, i) => `function f${i}() {\n  return ${i}; // done. next\n}`).join(
      '\n\n',
    );
    const chunks = chunkBlob({ type: 'CODE', language: 'ts', content: code });
    expectExactSpans(code, chunks);
    expect(chunks.length).toBeGreaterThan(1);
    // Full stops inside code do not split it: every chunk holds whole functions.
    for (const chunk of chunks) {
      expect(chunk.text.startsWith('function')).toBe(true);
      expect(chunk.text.endsWith('}')).toBe(true);
      expect(chunk.searchText).toBe(`[ts] ${chunk.text}`);
    }
  });

  it('groups transcript segments up to the target size, never across speakers, with time spans', () => {
    const chunks = chunkBlob({
      type: 'TRANSCRIPT',
      segments: [
        { start: 0, end: 2, text: 'Hello everyone.', speaker: 'Ann' },
        { start: 2, end: 4, text: ' Welcome back. ', speaker: 'Ann' },
        { start: 4, end: 5, text: 'Hi Ann.', speaker: 'Bob' },
        ...Array.from({ length: 12 }, (_, i) => ({
          start: 5 + i,
          end: 6 + i,
          text: `Bob talks about part ${i} of the plan at some length, explaining details.`,
          speaker: 'Bob',
        })),
      ],
    });
    expect(chunks[0]).toEqual({
      ordinal: 0,
      text: 'Hello everyone. Welcome back.',
      searchText: 'Ann: Hello everyone. Welcome back.',
      locator: { kind: 'time', start: 0, end: 4 },
    });
    expect(chunks[1]!.searchText.startsWith('Bob: Hi Ann.')).toBe(true);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks.slice(1)) {
      expect(chunk.text.length).toBeLessThanOrEqual(400 + 80);
      expect(chunk.searchText.startsWith('Bob: ')).toBe(true);
    }
    const last = chunks.at(-1)!;
    expect(last.locator).toMatchObject({ kind: 'time', end: 17 });
    // Consecutive chunks cover consecutive time.
    for (let i = 1; i < chunks.length; i++) {
      const previous = chunks[i - 1]!.locator as { end: number };
      expect((chunks[i]!.locator as { start: number }).start).toBe(previous.end);
    }
  });

  it('leaves the speaker out of a transcript chunk without one', () => {
    const [chunk] = chunkBlob({ type: 'TRANSCRIPT', segments: [{ start: 1.5, end: 3.25, text: 'No speaker.' }] });
    expect(chunk).toMatchObject({ searchText: 'No speaker.', locator: { kind: 'time', start: 1.5, end: 3.25 } });
  });
});
