// Deterministic synthetic conversations for the scale benchmarks: sentences
// of common English function words and a Zipf-distributed vocabulary of
// made-up content words, so full-text search sees realistic document
// frequencies (a few words everywhere, most words rare) and every run loads
// the same text.

/** mulberry32: a small, fast, seedable PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const FUNCTION_WORDS =
  'i you we the a to and of in my it is was that for on with at this have so but just about really'.split(' ');
const SYLLABLES =
  'ka lo mi ne ra su ti vo ba de fi gu ho ja ke ly mo nu pe qui ro sa te un ve wi xo yu za bri cla dro fle gra'.split(
    ' ',
  );
const VOCABULARY_SIZE = 8_000;

const PLACES = [
  'the beach',
  'the museum',
  'work',
  'the farmers market',
  'a concert',
  'the gym',
  'the library',
  'my parents house',
  'a new restaurant',
  'the park',
];
const PEOPLE = [
  'sister',
  'brother',
  'best friend',
  'mother',
  'father',
  'partner',
  'neighbour',
  'coworker',
  'kids',
  'grandmother',
];
const TIMES = [
  'last weekend',
  'yesterday',
  'this morning',
  'last summer',
  'two weeks ago',
  'on Friday',
  'last night',
  'in March',
];
const ACTIVITIES = [
  'had a great time',
  'talked for hours',
  'took lots of photos',
  'tried some new food',
  'got completely lost',
  'laughed a lot',
];
const ACTIVITIES_ING = [
  'painting',
  'hiking in the mountains',
  'baking bread',
  'playing the guitar',
  'reading mystery novels',
  'running along the river',
];
const PLANS = [
  'renew my passport',
  'look for a new apartment',
  'sign up for a pottery class',
  'save money for a trip',
  'fix the old bike',
];
const THINGS = [
  'book',
  'recipe',
  'job offer',
  'painting',
  'camera',
  'garden project',
  'guitar',
  'adoption application',
];
const DONE = ['finished', 'sold', 'started', 'tried', 'sent', 'fixed'];

export class Corpus {
  private readonly random: () => number;
  private readonly vocabulary: string[];
  /** Cumulative Zipf weights (s = 1.05) over the vocabulary. */
  private readonly cumulative: Float64Array;

  constructor(seed: number) {
    this.random = rng(seed);
    const words = new Set<string>();
    const wordRandom = rng(1); // the same vocabulary for every seed
    while (words.size < VOCABULARY_SIZE) {
      const syllables = 2 + Math.floor(wordRandom() * 3);
      let word = '';
      for (let i = 0; i < syllables; i++) word += SYLLABLES[Math.floor(wordRandom() * SYLLABLES.length)];
      words.add(word);
    }
    this.vocabulary = [...words];
    this.cumulative = new Float64Array(VOCABULARY_SIZE);
    let sum = 0;
    for (let i = 0; i < VOCABULARY_SIZE; i++) {
      sum += 1 / (i + 1) ** 1.05;
      this.cumulative[i] = sum;
    }
  }

  contentWord(): string {
    const target = this.random() * this.cumulative[VOCABULARY_SIZE - 1]!;
    let lo = 0;
    let hi = VOCABULARY_SIZE - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return this.vocabulary[lo]!;
  }

  /** 8-18 words, about a third of them function words. */
  sentence(): string {
    const length = 8 + Math.floor(this.random() * 11);
    const words: string[] = [];
    for (let i = 0; i < length; i++) {
      words.push(
        this.random() < 0.35 ? FUNCTION_WORDS[Math.floor(this.random() * FUNCTION_WORDS.length)]! : this.contentWord(),
      );
    }
    const text = words.join(' ');
    return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
  }

  /** A chat turn: one or two sentences. */
  message(): string {
    return this.random() < 0.6 ? this.sentence() : `${this.sentence()} ${this.sentence()}`;
  }

  /** A question of 5-9 content words, as users ask them. */
  question(): string {
    const words = Array.from({ length: 5 + Math.floor(this.random() * 5) }, () => this.contentWord());
    return `What did I say about ${words.join(' ')}?`;
  }

  /**
   * A plain English chat sentence (10-16 words) from templates: the text
   * the USE-lite embedder is timed on (made-up words would split into many
   * more sub-word tokens than real ones and understate it).
   */
  englishSentence(): string {
    const p = <T>(items: readonly T[]) => this.pick(items);
    const templates = [
      () => `I went to ${p(PLACES)} with my ${p(PEOPLE)} ${p(TIMES)} and we ${p(ACTIVITIES)}.`,
      () => `My ${p(PEOPLE)} thinks I should ${p(PLANS)} before ${p(TIMES)}, but I am not sure yet.`,
      () => `Do you remember the ${p(THINGS)} I told you about? I finally ${p(DONE)} it ${p(TIMES)}.`,
      () =>
        `${p(TIMES)[0]!.toUpperCase()}${p(TIMES).slice(1)} was busy because I had to ${p(PLANS)} and help my ${p(PEOPLE)}.`,
      () => `I really love ${p(ACTIVITIES_ING)}, it helps me relax after a long day at ${p(PLACES)}.`,
    ];
    return p(templates)();
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }
}
