// How HYBRID's fusion was chosen: deep SEMANTIC and LEXICAL rankings of every
// LoCoMo question through the API, fused here with each candidate method
// and weight (src/domain/search/fusion.ts), scored like the evaluation.
//
//   npx tsx bench/locomo/fusion-sweep.ts [--data PATH] [--depth 100]
//
// `depth` is how many candidates each list contributes (User.query asks each
// search for candidateCount(topK) = 100 at topK 10). Fusion is applied to
// turns rather than chunks: LoCoMo turns are one chunk each.

import { parseArgs } from 'node:util';
import type { ScoredChunkId } from '../../src/domain/ports.js';
import { reciprocalRankFusion, relativeScoreFusion } from '../../src/domain/search/fusion.js';
import { mapConcurrent } from '../lib/graphql.js';
import { table } from '../lib/stats.js';
import { ask, startLocomoServer } from './api.js';
import { loadLocomo } from './dataset.js';
import { ScoreTable, scoreQuestion } from './metrics.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: '../shared/locomo/locomo-dev.json' },
      depth: { type: 'string', default: '100' },
    },
  });
  const depth = Number(values.depth);
  const conversations = await loadLocomo(values.data);
  const { server, client } = await startLocomoServer(conversations);
  const asks = conversations.flatMap((c) => c.questions.map((q) => ({ userId: c.id, question: q })));
  let lists: { semantic: ScoredChunkId[]; lexical: ScoredChunkId[] }[];
  try {
    // topK 100 blobs: every candidate's hit comes back.
    lists = await mapConcurrent(asks, 4, async ({ userId, question }) => {
      const [semantic, lexical] = await Promise.all([
        ask(client, userId, question.text, 'SEMANTIC', 100),
        ask(client, userId, question.text, 'LEXICAL', 100),
      ]);
      const top = (hits: { id: string; score: number }[]) =>
        hits.slice(0, depth).map((h) => ({ chunkId: h.id, score: h.score }));
      return { semantic: top(semantic), lexical: top(lexical) };
    });
  } finally {
    await server.destroy();
  }

  const rows: (string | number)[][] = [];
  const evaluate = (label: string, fuse: (l: (typeof lists)[number]) => ScoredChunkId[]) => {
    const scores = new ScoreTable();
    asks.forEach(({ question }, i) => {
      scores.add(
        question.category,
        scoreQuestion(
          fuse(lists[i]!).map((x) => x.chunkId),
          question.evidence,
        ),
      );
    });
    const { overall, byCategory } = scores.result();
    rows.push([
      label,
      ...[
        overall['recall@1'],
        overall['recall@5'],
        overall['recall@10'],
        overall.mrr,
        byCategory['1']?.['recall@10'] ?? Number.NaN,
      ].map((x) => x.toFixed(3)),
    ]);
  };
  evaluate('LEXICAL alone', (l) => l.lexical);
  evaluate('SEMANTIC alone', (l) => l.semantic);
  for (const k of [10, 30, 60]) {
    for (const weight of [1, 0.5, 0.25]) {
      evaluate(`reciprocal rank, k ${k}, semantic weight ${weight}`, (l) =>
        reciprocalRankFusion([{ items: l.semantic, weight }, { items: l.lexical }], { k }),
      );
    }
  }
  for (const weight of [1, 0.5, 0.3, 0.25, 0.2, 0.15, 0.1]) {
    evaluate(`relative score, semantic weight ${weight}`, (l) =>
      relativeScoreFusion([{ items: l.semantic, weight }, { items: l.lexical }]),
    );
  }
  process.stdout.write(
    `${table([`fusion (depth ${depth})`, 'recall@1', 'recall@5', 'recall@10', 'MRR', 'multi-hop recall@10'], rows)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `fusion-sweep failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
