// biome-ignore-all lint/suspicious/noAssignInExpressions: the Porter stemmer's steps read as in the paper: match, then test the stem.
// The baseline of the LoCoMo evaluation: plain Okapi BM25 over the raw turns
// of one conversation, computed in memory and independent of memql. Tokens
// are lower-cased alphanumeric runs, minus PostgreSQL's English stop words,
// Porter-stemmed: the same text normalisation the `english` full-text
// configuration applies, so the baseline and LEXICAL differ only in ranking.

/** PostgreSQL's tsearch_data/english.stop (the Snowball English list). */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its itself ' +
    'they them their theirs themselves what which who whom this that these those am is are was were be been being have has had having ' +
    'do does did doing a an the and but if or because as until while of at by for with about against between into through during before ' +
    'after above below to from up down in out on off over under again further then once here there when where why how all any both each ' +
    'few more most other some such no nor not only own same so than too very s t can will just don should now'
  ).split(' '),
);

export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const match of text.toLowerCase().matchAll(/[a-z0-9]+/g)) {
    const word = match[0];
    if (ENGLISH_STOP_WORDS.has(word)) continue;
    tokens.push(porterStem(word));
  }
  return tokens;
}

export interface Bm25Options {
  k1: number;
  b: number;
}

/** An Okapi BM25 index over a fixed list of documents. */
export class Bm25Index<Id> {
  private readonly docs: { id: Id; tf: Map<string, number>; length: number }[];
  private readonly df = new Map<string, number>();
  private readonly avgLength: number;

  constructor(
    documents: readonly { id: Id; text: string }[],
    private readonly options: Bm25Options = { k1: 1.2, b: 0.75 },
  ) {
    this.docs = documents.map(({ id, text }) => {
      const tokens = tokenize(text);
      const tf = new Map<string, number>();
      for (const token of tokens) tf.set(token, (tf.get(token) ?? 0) + 1);
      for (const term of tf.keys()) this.df.set(term, (this.df.get(term) ?? 0) + 1);
      return { id, tf, length: tokens.length };
    });
    this.avgLength = this.docs.reduce((sum, d) => sum + d.length, 0) / Math.max(1, this.docs.length);
  }

  /** Every document with a positive score, best first (ties keep document order). */
  search(query: string): { id: Id; score: number }[] {
    const terms = [...new Set(tokenize(query))];
    const n = this.docs.length;
    const { k1, b } = this.options;
    const scored: { id: Id; score: number; order: number }[] = [];
    this.docs.forEach((doc, order) => {
      let score = 0;
      for (const term of terms) {
        const f = doc.tf.get(term);
        if (!f) continue;
        const df = this.df.get(term) ?? 0;
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        score += (idf * f * (k1 + 1)) / (f + k1 * (1 - b + (b * doc.length) / this.avgLength));
      }
      if (score > 0) scored.push({ id: doc.id, score, order });
    });
    scored.sort((x, y) => y.score - x.score || x.order - y.order);
    return scored.map(({ id, score }) => ({ id, score }));
  }
}

// ---------------------------------------------------------------- Porter (1980) stemmer

const STEP2: Record<string, string> = {
  ational: 'ate',
  tional: 'tion',
  enci: 'ence',
  anci: 'ance',
  izer: 'ize',
  bli: 'ble',
  alli: 'al',
  entli: 'ent',
  eli: 'e',
  ousli: 'ous',
  ization: 'ize',
  ation: 'ate',
  ator: 'ate',
  alism: 'al',
  iveness: 'ive',
  fulness: 'ful',
  ousness: 'ous',
  aliti: 'al',
  iviti: 'ive',
  biliti: 'ble',
  logi: 'log',
};
const STEP3: Record<string, string> = {
  icate: 'ic',
  ative: '',
  alize: 'al',
  iciti: 'ic',
  ical: 'ic',
  ful: '',
  ness: '',
};
const C = '[^aeiou]';
const V = '[aeiouy]';
const CS = `${C}[^aeiouy]*`;
const VS = `${V}[aeiou]*`;
const MGR0 = new RegExp(`^(${CS})?${VS}${CS}`);
const MEQ1 = new RegExp(`^(${CS})?${VS}${CS}(${VS})?$`);
const MGR1 = new RegExp(`^(${CS})?${VS}${CS}${VS}${CS}`);
const S_V = new RegExp(`^(${CS})?${V}`);

/** Martin Porter's stemming algorithm, after his reference JavaScript version. */
export function porterStem(input: string): string {
  if (input.length < 3) return input;
  let w = input;
  const firstY = w[0] === 'y';
  if (firstY) w = `Y${w.slice(1)}`;

  // Step 1a
  if (/^(.+?)(ss|i)es$/.test(w)) w = w.replace(/^(.+?)(ss|i)es$/, '$1$2');
  else if (/^(.+?)([^s])s$/.test(w)) w = w.replace(/^(.+?)([^s])s$/, '$1$2');

  // Step 1b
  let m: RegExpExecArray | null;
  if ((m = /^(.+?)eed$/.exec(w))) {
    if (MGR0.test(m[1]!)) w = w.slice(0, -1);
  } else if ((m = /^(.+?)(ed|ing)$/.exec(w))) {
    const stem = m[1]!;
    if (S_V.test(stem)) {
      w = stem;
      if (/(at|bl|iz)$/.test(w)) w += 'e';
      else if (/([^aeiouylsz])\1$/.test(w)) w = w.slice(0, -1);
      else if (new RegExp(`^${CS}${V}[^aeiouwxy]$`).test(w)) w += 'e';
    }
  }

  // Step 1c
  if ((m = /^(.+?)y$/.exec(w)) && S_V.test(m[1]!)) w = `${m[1]}i`;

  // Step 2
  if (
    (m =
      /^(.+?)(ational|tional|enci|anci|izer|bli|alli|entli|eli|ousli|ization|ation|ator|alism|iveness|fulness|ousness|aliti|iviti|biliti|logi)$/.exec(
        w,
      ))
  ) {
    if (MGR0.test(m[1]!)) w = m[1]! + STEP2[m[2]!]!;
  }

  // Step 3
  if ((m = /^(.+?)(icate|ative|alize|iciti|ical|ful|ness)$/.exec(w))) {
    if (MGR0.test(m[1]!)) w = m[1]! + STEP3[m[2]!]!;
  }

  // Step 4
  if ((m = /^(.+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)$/.exec(w))) {
    if (MGR1.test(m[1]!)) w = m[1]!;
  } else if ((m = /^(.+?)(s|t)(ion)$/.exec(w))) {
    const stem = m[1]! + m[2]!;
    if (MGR1.test(stem)) w = stem;
  }

  // Step 5
  if ((m = /^(.+?)e$/.exec(w))) {
    const stem = m[1]!;
    if (MGR1.test(stem) || (MEQ1.test(stem) && !new RegExp(`^${CS}${V}[^aeiouwxy]$`).test(stem))) w = stem;
  }
  if (/ll$/.test(w) && MGR1.test(w)) w = w.slice(0, -1);

  if (firstY) w = `y${w.slice(1)}`;
  return w;
}
