import { describe, expect, it } from 'vitest';
import { crossValidate, objective, type QuestionLists, type Setting } from '../../bench/locomo/cv.js';
import type { Conversation } from '../../bench/locomo/dataset.js';

const conversation = (id: string): Conversation => ({ id, sessions: [], questions: [], droppedQuestions: 0 });
const question = (c: Conversation, evidence: string): QuestionLists => ({
  conversation: c,
  question: { text: `where is ${evidence}?`, answer: evidence, category: 1, evidence: [evidence] },
  lexical: [],
  semantic: [],
});

/** A setting that ranks `right` first in the conversations it is good at, and last elsewhere. */
const setting = (label: string, goodAt: readonly string[]): Setting => ({
  label,
  params: { label },
  rank: (l) => {
    const right = l.question.evidence[0]!;
    const wrong = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) => ({ chunkId: `other-${i}`, score: 1 }));
    return goodAt.includes(l.conversation.id)
      ? [{ chunkId: right, score: 2 }, ...wrong]
      : [...wrong, { chunkId: right, score: 0 }];
  },
});

describe('leave-one-conversation-out', () => {
  const [a, b, c] = ['a', 'b', 'c'].map(conversation) as [Conversation, Conversation, Conversation];
  const questions = [question(a, 'x'), question(b, 'y'), question(c, 'z')];

  it('scores each conversation with the setting chosen on the others, never on itself', () => {
    // "good-on-c-only" is perfect on c, "good-on-a-b" on a and b: c must be scored
    // with the setting chosen on a and b, which fails on c.
    const result = crossValidate(questions, {
      HYBRID: [setting('good-on-c-only', ['c']), setting('good-on-a-b', ['a', 'b'])],
    });
    const folds = Object.fromEntries(result.folds.HYBRID!.map((f) => [f.heldOut, f]));
    expect(folds.c!.chosen).toBe('good-on-a-b');
    expect(folds.c!.heldOutScores['recall@10']).toBe(0);
    // Held out a: chosen on b (good-on-a-b is perfect there) and c: a tie broken by the grid's order.
    expect(folds.a!.heldOutScores['recall@1']).toBe(folds.a!.chosen === 'good-on-a-b' ? 1 : 0);
    // The pooled table is the average of the held-out scores, not of the best setting per conversation.
    const pooled = result.modes.HYBRID!.overall;
    const heldOut = result.folds.HYBRID!.map((f) => f.heldOutScores['recall@1']);
    expect(pooled['recall@1']).toBeCloseTo(heldOut.reduce((x, y) => x + y, 0) / 3);
    expect(pooled['recall@1']).toBeLessThan(1);
    expect(result.chosenOnAll.HYBRID!.label).toBe('good-on-a-b');
  });

  it('chooses by the mean of recall@1, recall@10 and MRR', () => {
    expect(objective([{ 'recall@1': 1, 'recall@5': 1, 'recall@10': 1, mrr: 1 }])).toBe(1);
    expect(objective([{ 'recall@1': 0, 'recall@5': 1, 'recall@10': 1, mrr: 0.5 }])).toBeCloseTo(0.5);
  });
});
