// Words and lexemes as PostgreSQL's `english` text search configuration
// makes them, closely enough for the in-memory chunk repository: runs of
// letters and digits, lower-cased, stop words dropped (PostgreSQL's
// english.stop list), Porter2 stems (the Snowball English stemmer that
// PostgreSQL uses). Hyphenated words and URLs are split more simply than by
// PostgreSQL's parser.

import { stem } from 'porter2';

/** PostgreSQL 15 tsearch_data/english.stop. */
const STOP_WORDS = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers ' +
    'herself it its itself they them their theirs themselves what which who whom this that these those am is ' +
    'are was were be been being have has had having do does did doing a an the and but if or because as until ' +
    'while of at by for with about against between into through during before after above below to from up ' +
    'down in out on off over under again further then once here there when where why how all any both each few ' +
    'more most other some such no nor not only own same so than too very s t can will just don should now'
  ).split(' '),
);

/** The lexemes of `text`, in order, with repeats (a tsvector's positions). */
export function lexemes(text: string): string[] {
  const words =
    text
      .normalize('NFC')
      .toLowerCase()
      .match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
  return words.filter((word) => !STOP_WORDS.has(word)).map((word) => (/^[a-z]+$/.test(word) ? stem(word) : word));
}
