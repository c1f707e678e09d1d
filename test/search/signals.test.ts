import { describe, expect, it } from 'vitest';
import type { ScoredChunkId } from '../../src/domain/ports.js';
import { analyseQuestion, applySignals, type Candidate, NO_SIGNALS } from '../../src/domain/search/signals.js';

const day = (iso: string) => new Date(`${iso}T12:00:00Z`);
const at = (blob: string, index: number) => ({ blob, index });
const candidates = new Map<string, Candidate>([
  [
    'maria-paints',
    { speaker: 'Maria', createdAt: day('2023-05-08'), text: 'I painted a lake at sunrise.', place: at('may', 0) },
  ],
  ['tom-paints', { speaker: 'Tom', createdAt: day('2023-05-08'), text: 'I painted my fence.', place: at('may', 1) }],
  [
    'tom-yesterday',
    {
      speaker: 'Tom',
      createdAt: day('2023-07-02'),
      text: 'I went to the pottery class yesterday.',
      place: at('july', 0),
    },
  ],
  [
    'tom-class',
    { speaker: 'Tom', createdAt: day('2023-07-02'), text: 'The pottery class was great fun.', place: at('july', 5) },
  ],
  ['doc', { speaker: null, createdAt: day('2022-01-10'), text: 'Pottery class notes', place: null }],
]);
const ranked = (...ids: string[]): ScoredChunkId[] => ids.map((chunkId, i) => ({ chunkId, score: 10 - i }));
const order = (items: ScoredChunkId[]) => items.map((i) => i.chunkId);

describe('question analysis', () => {
  it('recognises questions about when', () => {
    for (const q of ['When did Tom go to the class?', 'What year did they move?', 'How long ago was the trip?'])
      expect(analyseQuestion(q).asksWhen).toBe(true);
    for (const q of ['What did Tom paint?', 'Where does Maria live?']) expect(analyseQuestion(q).asksWhen).toBe(false);
  });

  it('reads a named month or year as a period, and ignores relative dates', () => {
    expect(analyseQuestion('What did Tom do in May 2023?').period).toEqual({
      start: new Date(Date.UTC(2023, 4, 1)),
      end: new Date(Date.UTC(2023, 5, 1)),
    });
    expect(analyseQuestion('Where did they travel in 2022?').period).toEqual({
      start: new Date(Date.UTC(2022, 0, 1)),
      end: new Date(Date.UTC(2023, 0, 1)),
    });
    expect(analyseQuestion('What did Tom do last week?').period).toBeNull();
    expect(analyseQuestion('What did Tom paint?').period).toBeNull();
  });
});

describe('applySignals', () => {
  it('changes nothing when every boost is off', () => {
    const items = ranked('tom-paints', 'maria-paints');
    expect(applySignals(items, candidates, analyseQuestion('What did Maria paint?'), NO_SIGNALS)).toEqual(items);
  });

  it('raises what the person the question names said', () => {
    const out = applySignals(
      ranked('tom-paints', 'maria-paints'),
      candidates,
      analyseQuestion('What did Maria paint?'),
      {
        ...NO_SIGNALS,
        speaker: 0.5,
      },
    );
    expect(order(out)).toEqual(['maria-paints', 'tom-paints']);
    expect(out[0]!.score).toBeCloseTo(9 * 1.5);
  });

  it('raises chunks that say when, for a question asking when', () => {
    const boosts = { ...NO_SIGNALS, when: 0.5 };
    const items = ranked('tom-class', 'tom-yesterday');
    expect(
      order(applySignals(items, candidates, analyseQuestion('When did Tom go to the pottery class?'), boosts)),
    ).toEqual(['tom-yesterday', 'tom-class']);
    // Not a question about when: the order stays.
    expect(order(applySignals(items, candidates, analyseQuestion('Did Tom like the pottery class?'), boosts))).toEqual([
      'tom-class',
      'tom-yesterday',
    ]);
  });

  it('raises chunks of blobs created within the period the question names', () => {
    const out = applySignals(
      ranked('tom-class', 'doc', 'tom-paints'),
      candidates,
      analyseQuestion('What did Tom do in May 2023?'),
      {
        ...NO_SIGNALS,
        period: 1,
      },
    );
    expect(order(out)[0]).toBe('tom-paints');
  });

  it('keeps items it knows nothing about at their score', () => {
    const out = applySignals(ranked('unknown', 'maria-paints'), candidates, analyseQuestion('What did Maria paint?'), {
      ...NO_SIGNALS,
      speaker: 0.05,
    });
    expect(out).toEqual([
      { chunkId: 'unknown', score: 10 },
      { chunkId: 'maria-paints', score: 9 * 1.05 },
    ]);
  });

  it('lowers a candidate right next to a better one in the same blob, not one further away', () => {
    const boosts = { ...NO_SIGNALS, adjacent: 0.5 };
    // maria-paints (may 0) is next to tom-paints (may 1); tom-class (july 5) is not next to tom-yesterday (july 0).
    const out = applySignals(
      ranked('maria-paints', 'tom-paints', 'tom-yesterday', 'tom-class'),
      candidates,
      analyseQuestion('What did they paint?'),
      boosts,
    );
    expect(out).toEqual([
      { chunkId: 'maria-paints', score: 10 },
      { chunkId: 'tom-yesterday', score: 8 },
      { chunkId: 'tom-class', score: 7 },
      { chunkId: 'tom-paints', score: 4.5 },
    ]);
  });

  it('adds a share of the scores of the candidates just before and after a candidate in its blob', () => {
    // tom-paints (may 1) sits after maria-paints (may 0); tom-yesterday (july 0) and tom-class (july 5) are not neighbours.
    const items = ranked('tom-yesterday', 'maria-paints', 'tom-class', 'tom-paints');
    const scores = new Map(
      applySignals(items, candidates, analyseQuestion('What did they paint?'), { ...NO_SIGNALS, neighbour: 0.5 }).map(
        (item) => [item.chunkId, item.score],
      ),
    );
    expect(scores).toEqual(
      new Map([
        ['maria-paints', 9 + 0.5 * 7],
        ['tom-paints', 7 + 0.5 * 9],
        ['tom-yesterday', 10],
        ['tom-class', 8],
      ]),
    );
    expect(
      order(
        applySignals(items, candidates, analyseQuestion('What did they paint?'), { ...NO_SIGNALS, neighbour: 0.5 }),
      ),
    ).toEqual(['maria-paints', 'tom-paints', 'tom-yesterday', 'tom-class']);
  });

  it('lifts a reply whose question holds the words above a lone better match', () => {
    // 'reply' (b 1) answers 'asks' (b 0), the best match; 'other' matches a little better than the reply alone.
    const places = new Map<string, Candidate>([
      [
        'asks',
        {
          speaker: 'Tom',
          createdAt: day('2023-05-08'),
          text: 'What did you think of the ice cream?',
          place: at('b', 0),
        },
      ],
      [
        'reply',
        { speaker: 'Maria', createdAt: day('2023-05-08'), text: 'Super good, rich and creamy!', place: at('b', 1) },
      ],
      ['other', { speaker: 'Maria', createdAt: day('2023-06-01'), text: 'Ice cream again?', place: at('c', 4) }],
    ]);
    const items = [
      { chunkId: 'asks', score: 1 },
      { chunkId: 'other', score: 0.5 },
      { chunkId: 'reply', score: 0.4 },
    ];
    const question = analyseQuestion('What did Maria think of the ice cream?');
    expect(order(applySignals(items, places, question, NO_SIGNALS))).toEqual(['asks', 'other', 'reply']);
    expect(order(applySignals(items, places, question, { ...NO_SIGNALS, neighbour: 0.2 }))).toEqual([
      'asks',
      'reply',
      'other',
    ]);
  });
});
