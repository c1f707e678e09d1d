// LoCoMo retrieval evaluation through the GraphQL API.
//
//   npm run eval:locomo                                  dev split, all modes
//   npm run eval:locomo -- --data PATH --json OUT.json   any file of the same format
//
// Options: --modes HYBRID,LEXICAL,SEMANTIC  --top-k 10  --concurrency 4
//          --markdown OUT.md (default bench/results/locomo.md; "-" for none)
//          --benchmarks (also replace the LoCoMo section of BENCHMARKS.md)
//
// Starts memql in this process on a fresh data directory (embedded PGlite and
// Chroma, the offline USE-lite embedder unless the environment says
// otherwise), inserts each conversation as one user with one chat blob per
// session (createdAt = the session's date, message name = speaker, blob
// metadata { diaIds } index-aligned with the messages), waits until
// everything is indexed, then asks each question of categories 1-4 through
// User.query in every mode. The ranking of a question is every hit of every
// result, by score. Scores: recall@1/5/10 of the evidence turns and MRR, per
// category and overall, beside a plain BM25 ranking of the raw turns computed
// here (bm25.ts) as the baseline.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { mapConcurrent } from '../lib/graphql.js';
import { commandLine, machineInfo, machineLine } from '../lib/machine.js';
import { latency, replaceSection, table } from '../lib/stats.js';
import { Bm25Index } from './bm25.js';
import { type ApiMode, ask, startLocomoServer } from './api.js';
import { CATEGORY_NAMES, loadLocomo } from './dataset.js';
import { type ModeScores, ScoreTable, scoreQuestion } from './metrics.js';

const API_MODES: readonly ApiMode[] = ['HYBRID', 'LEXICAL', 'SEMANTIC'];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: '../shared/locomo/locomo-dev.json' },
      json: { type: 'string' },
      markdown: { type: 'string', default: 'bench/results/locomo.md' },
      modes: { type: 'string', default: API_MODES.join(',') },
      'top-k': { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '4' },
      benchmarks: { type: 'boolean', default: false },
    },
  });
  const modes = values.modes.split(',').map((m) => m.trim().toUpperCase()) as ApiMode[];
  for (const mode of modes) if (!API_MODES.includes(mode)) throw new Error(`--modes: unknown mode ${mode}`);
  const topK = Number(values['top-k']);
  const concurrency = Number(values.concurrency);
  const started = Date.now();
  const log = (message: string) =>
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}\n`);

  const conversations = await loadLocomo(values.data);
  const questionCount = conversations.reduce((n, c) => n + c.questions.length, 0);
  const turnCount = conversations.reduce((n, c) => n + c.sessions.reduce((m, s) => m + s.turns.length, 0), 0);
  const dropped = conversations.reduce((n, c) => n + c.droppedQuestions, 0);
  log(
    `${conversations.length} conversations, ${turnCount} turns, ${questionCount} questions of categories 1-4 (${dropped} without usable evidence left out)`,
  );

  const results: Record<string, ModeScores> = {};
  const latencies: Record<string, ReturnType<typeof latency>> = {};

  // The baseline needs no server.
  const bm25 = new ScoreTable();
  for (const conversation of conversations) {
    const index = new Bm25Index(
      conversation.sessions.flatMap((s) => s.turns.map((t) => ({ id: t.diaId, text: t.content }))),
    );
    for (const question of conversation.questions) {
      bm25.add(
        question.category,
        scoreQuestion(
          index.search(question.text).map((h) => h.id),
          question.evidence,
        ),
      );
    }
  }
  results.BM25 = bm25.result();

  const { server, client, insertSeconds, indexSeconds } = await startLocomoServer(conversations);
  try {
    log(`inserted through the API in ${insertSeconds.toFixed(1)} s, indexed ${indexSeconds.toFixed(1)} s later`);
    const asks = conversations.flatMap((c) => c.questions.map((q) => ({ userId: c.id, question: q })));
    for (const mode of modes) {
      const table = new ScoreTable();
      const times: number[] = [];
      const t2 = Date.now();
      await mapConcurrent(asks, concurrency, async ({ userId, question }) => {
        const start = performance.now();
        const ranking = await ask(client, userId, question.text, mode, topK);
        times.push(performance.now() - start);
        table.add(
          question.category,
          scoreQuestion(
            ranking.map((h) => h.id),
            question.evidence,
          ),
        );
      });
      results[mode] = table.result();
      latencies[mode] = latency(times);
      log(
        `${mode}: ${asks.length} questions in ${((Date.now() - t2) / 1000).toFixed(1)} s, recall@10 ${results[mode].overall['recall@10'].toFixed(3)}`,
      );
    }
  } finally {
    await server.destroy();
  }

  const ordered = Object.fromEntries([...modes, 'BM25'].filter((m) => results[m]).map((m) => [m, results[m]!]));
  const machine = await machineInfo();
  const markdown = renderMarkdown({
    ordered,
    latencies,
    machine: machineLine(machine),
    command: commandLine('eval:locomo'),
    data: values.data,
    turns: turnCount,
    questions: questionCount,
    dropped,
    topK,
    concurrency,
    seconds: (Date.now() - started) / 1000,
  });
  process.stdout.write(`${markdown}\n`);
  if (values.json) {
    await writeOut(values.json, `${JSON.stringify({ modes: ordered, machine, data: values.data, topK }, null, 2)}\n`);
  }
  if (values.markdown && values.markdown !== '-') await writeOut(values.markdown, `${markdown}\n`);
  if (values.benchmarks) {
    const file = 'BENCHMARKS.md';
    const current = await readFile(file, 'utf8').catch(() => '# Benchmarks\n');
    await writeFile(file, replaceSection(current, 'locomo', markdown));
  }
}

function renderMarkdown(input: {
  ordered: Record<string, ModeScores>;
  latencies: Record<string, ReturnType<typeof latency>>;
  machine: string;
  command: string;
  data: string;
  turns: number;
  questions: number;
  dropped: number;
  topK: number;
  concurrency: number;
  seconds: number;
}): string {
  const f = (x: number) => x.toFixed(3);
  const overall = table(
    [
      'mode',
      'recall@1',
      'recall@5',
      'recall@10',
      'MRR',
      'questions',
      `query p50 / p95 (HTTP, incl. embedding, ${input.concurrency} clients)`,
    ],
    Object.entries(input.ordered).map(([mode, s]) => {
      const l = input.latencies[mode];
      return [
        mode,
        f(s.overall['recall@1']),
        f(s.overall['recall@5']),
        f(s.overall['recall@10']),
        f(s.overall.mrr),
        s.overall.questions,
        l ? `${l.p50.toFixed(1)} / ${l.p95.toFixed(1)} ms` : 'in-script',
      ];
    }),
  );
  const categories = [...new Set(Object.values(input.ordered).flatMap((s) => Object.keys(s.byCategory)))].sort();
  const byCategory = table(
    ['mode', ...categories.map((c) => `${c} ${CATEGORY_NAMES[Number(c)] ?? ''} R@1 / R@5 / R@10 / MRR (n)`)],
    Object.entries(input.ordered).map(([mode, s]) => [
      mode,
      ...categories.map((c) => {
        const x = s.byCategory[c];
        return x
          ? `${f(x['recall@1'])} / ${f(x['recall@5'])} / ${f(x['recall@10'])} / ${f(x.mrr)} (${x.questions})`
          : '';
      }),
    ]),
  );
  return [
    `### LoCoMo retrieval (${path.basename(input.data)})`,
    '',
    `Machine: ${input.machine}.`,
    `Command: \`${input.command}\` (${input.seconds.toFixed(0)} s in all). Embedder: ${process.env.MEMQL_EMBEDDINGS_PROVIDER ?? 'local USE-lite'}.`,
    `${input.turns} turns; ${input.questions} questions of categories 1-4${input.dropped ? ` (${input.dropped} left out: no evidence id names a turn)` : ''}; topK ${input.topK} blobs per query, ranking = all their hits by score. BM25 = plain Okapi BM25 (k1 1.2, b 0.75, Porter stems, English stop words) over the raw turns, computed in the script.`,
    '',
    overall,
    '',
    byCategory,
  ].join('\n');
}

async function writeOut(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, content);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `eval:locomo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
