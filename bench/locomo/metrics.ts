// Retrieval metrics of the LoCoMo evaluation: recall@k of the evidence turns
// and the reciprocal rank of the first one, averaged per category and overall.

export const RECALL_AT = [1, 5, 10] as const;

export interface Scores {
  'recall@1': number;
  'recall@5': number;
  'recall@10': number;
  mrr: number;
  questions: number;
}

export interface ModeScores {
  overall: Scores;
  byCategory: Record<string, Scores>;
}

/** One question's scores: `ranking` is turn ids best first (duplicates already removed). */
export function scoreQuestion(ranking: readonly string[], evidence: readonly string[]): Omit<Scores, 'questions'> {
  const wanted = new Set(evidence);
  const recall = (k: number) => ranking.slice(0, k).filter((id) => wanted.has(id)).length / wanted.size;
  const first = ranking.findIndex((id) => wanted.has(id));
  return {
    'recall@1': recall(1),
    'recall@5': recall(5),
    'recall@10': recall(10),
    mrr: first < 0 ? 0 : 1 / (first + 1),
  };
}

/** Averages per category and over all questions. */
export class ScoreTable {
  private readonly rows: { category: number; scores: Omit<Scores, 'questions'> }[] = [];

  add(category: number, scores: Omit<Scores, 'questions'>): void {
    this.rows.push({ category, scores });
  }

  result(): ModeScores {
    const byCategory: Record<string, Scores> = {};
    for (const category of [...new Set(this.rows.map((r) => r.category))].sort((a, b) => a - b)) {
      byCategory[String(category)] = average(this.rows.filter((r) => r.category === category).map((r) => r.scores));
    }
    return { overall: average(this.rows.map((r) => r.scores)), byCategory };
  }
}

function average(rows: Omit<Scores, 'questions'>[]): Scores {
  const mean = (key: keyof Omit<Scores, 'questions'>) =>
    rows.length ? rows.reduce((sum, r) => sum + r[key], 0) / rows.length : 0;
  return {
    'recall@1': mean('recall@1'),
    'recall@5': mean('recall@5'),
    'recall@10': mean('recall@10'),
    mrr: mean('mrr'),
    questions: rows.length,
  };
}
