// LoCoMo retrieval evaluation through the GraphQL API.
//
//   npm run eval:locomo                                  dev split, all modes
//   npm run eval:locomo -- --data PATH --json OUT.json   any file of the same format
//
// Options: --modes HYBRID,LEXICAL,SEMANTIC  --top-k 10  --concurrency 4
//          --markdown OUT.md (default bench/results/locomo.md; "-" for none)
//          --benchmarks (also replace the LoCoMo section of BENCHMARKS.md)
//          --limit N (with --cv or --qa: only the first N questions of each conversation)
//          --cv (leave-one-conversation-out over the file's conversations: see cv.ts;
//                --markdown default bench/results/locomo-cv.md, --benchmarks the locomo-cv section;
//                --lists FILE keeps the API's deep lists in FILE and reuses them while FILE
//                exists and the server's ranking code is unchanged: for trying settings;
//                --signals speaker,when,period,neighbour,adjacent (default all; none = fusion alone) picks
//                the signals HYBRID's grid tries;
//                --check-api also asks HYBRID through the API at the server's defaults;
//                --data-dir DIR keeps memql's data directory, so a later run skips inserting and
//                embedding the conversations)
//
//          --qa (end to end: the configured LLM answers each question from memql's context and
//                judges the answer, Mem0's LLM-as-judge; see qa.ts. Needs MEMQL_LLM_BASE_URL and
//                MEMQL_LLM_MODEL (MEMQL_LLM_API_KEY); --judge-model M judges with another model
//                of the same endpoint; --context-turns 10; --markdown default bench/results/locomo-qa.md)
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
import {
  type CrossValidated,
  crossValidate,
  FIXED_MODES,
  hybridGrid,
  LIST_DEPTH,
  type QuestionLists,
  renderCrossValidated,
  SIGNAL_NAMES,
  type SignalName,
} from './cv.js';
import { OpenAiChatClient } from '../../src/infra/http/openai-chat.client.js';
import { loadConfig } from '../../src/config.js';
import { type QaResult, runQa } from './qa.js';
import { CATEGORY_NAMES, type Conversation, loadLocomo } from './dataset.js';
import { type ModeScores, ScoreTable, scoreQuestion } from './metrics.js';

const API_MODES: readonly ApiMode[] = ['HYBRID', 'LEXICAL', 'SEMANTIC'];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: '../shared/locomo/locomo-dev.json' },
      json: { type: 'string' },
      markdown: { type: 'string' },
      modes: { type: 'string', default: API_MODES.join(',') },
      'top-k': { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '4' },
      benchmarks: { type: 'boolean', default: false },
      cv: { type: 'boolean', default: false },
      lists: { type: 'string' },
      signals: { type: 'string', default: SIGNAL_NAMES.join(',') },
      'data-dir': { type: 'string' },
      'check-api': { type: 'boolean', default: false },
      qa: { type: 'boolean', default: false },
      'judge-model': { type: 'string' },
      'context-turns': { type: 'string', default: '10' },
      limit: { type: 'string' },
    },
  });
  const markdownFile =
    values.markdown ??
    (values.cv ? 'bench/results/locomo-cv.md' : values.qa ? 'bench/results/locomo-qa.md' : 'bench/results/locomo.md');
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

  const limit = values.limit === undefined ? null : Number(values.limit);
  const limited =
    limit === null ? conversations : conversations.map((c) => ({ ...c, questions: c.questions.slice(0, limit) }));
  if (values.qa) {
    const markdown = await endToEnd({
      conversations: limited,
      data: values.data,
      judgeModel: values['judge-model'],
      contextTurns: Number(values['context-turns']),
      concurrency,
      dataDir: values['data-dir'],
      json: values.json,
      log,
    });
    if (markdownFile !== '-') await writeOut(markdownFile, `${markdown}\n`);
    return;
  }
  if (values.cv) {
    await crossValidation({
      conversations: limited,
      data: values.data,
      json: values.json,
      markdown: markdownFile,
      benchmarks: values.benchmarks,
      lists: values.lists,
      signals: values.signals === 'none' ? [] : (values.signals.split(',').map((x) => x.trim()) as SignalName[]),
      dataDir: values['data-dir'],
      checkApi: values['check-api'],
      log,
      started,
      turnCount,
      concurrency,
    });
    return;
  }

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
  if (markdownFile !== '-') await writeOut(markdownFile, `${markdown}\n`);
  if (values.benchmarks) {
    const file = 'BENCHMARKS.md';
    const current = await readFile(file, 'utf8').catch(() => '# Benchmarks\n');
    await writeFile(file, replaceSection(current, 'locomo', markdown));
  }
}

/**
 * `--cv`: each question's deep lexical and semantic lists through the API
 * (once), HYBRID's settings re-ranked in memory and chosen by
 * leave-one-conversation-out (cv.ts). Also asks HYBRID through the API with
 * the server's defaults, as a check that the in-memory replica ranks as the
 * server does.
 */
async function crossValidation(input: {
  conversations: Conversation[];
  data: string;
  json: string | undefined;
  markdown: string;
  benchmarks: boolean;
  lists: string | undefined;
  signals: SignalName[];
  dataDir: string | undefined;
  checkApi: boolean;
  log: (message: string) => void;
  started: number;
  turnCount: number;
  concurrency: number;
}): Promise<void> {
  const { conversations, log } = input;
  for (const name of input.signals)
    if (!SIGNAL_NAMES.includes(name)) throw new Error(`--signals: unknown signal ${name} (${SIGNAL_NAMES.join(', ')})`);
  const asks = conversations.flatMap((c) => c.questions.map((question) => ({ conversation: c, question })));
  const saved = input.lists ? await readSavedLists(input.lists, asks.length) : null;
  const { lists, api } = saved
    ? { lists: saved.lists.map((l, i) => ({ ...asks[i]!, ...l })), api: saved.api }
    : await askDeepLists(asks, input.concurrency, log, input.dataDir, input.checkApi);
  if (input.lists && !saved) {
    await writeOut(
      input.lists,
      JSON.stringify({ api, lists: lists.map(({ lexical, semantic }) => ({ lexical, semantic })) }),
    );
  }
  const result = crossValidate(lists, {
    LEXICAL: [FIXED_MODES.LEXICAL],
    SEMANTIC: [FIXED_MODES.SEMANTIC],
    HYBRID: hybridGrid({ signals: input.signals }),
  });
  const f = (x: number) => x.toFixed(3);
  const markdown = renderCrossValidated(result, [
    `### LoCoMo retrieval, leave one conversation out (${path.basename(input.data)})`,
    '',
    `Machine: ${machineLine(await machineInfo())}.`,
    `Command: \`${commandLine('eval:locomo')}\` (${((Date.now() - input.started) / 1000).toFixed(0)} s in all). Embedder: ${process.env.MEMQL_EMBEDDINGS_PROVIDER ?? 'local USE-lite'}.`,
    `${conversations.length} conversations, ${input.turnCount} turns, ${asks.length} questions of categories 1-4. Each row pools the held-out scores of ${conversations.length} folds: a question is ranked with the HYBRID setting that scored best (mean of recall@1, recall@10 and MRR) on the other conversations. Lists ${LIST_DEPTH} deep, as User.query reads them at topK 10. HYBRID's grid: relative score fusion (semantic weight 0.1-1) and weighted RRF (k 10, 60), times the signals ${input.signals.length ? input.signals.join(', ') : '(none)'} (bench/locomo/cv.ts).`,
    api
      ? `HYBRID through the API with the server's defaults (not cross-validated), as a check of the in-memory replica: recall@1 ${f(api.overall['recall@1'])}, recall@10 ${f(api.overall['recall@10'])}, MRR ${f(api.overall.mrr)}.`
      : '',
  ]);
  process.stdout.write(`${markdown}\n`);
  if (input.json) {
    const out: CrossValidated & { apiHybridDefaults: ModeScores | null; data: string } = {
      ...result,
      apiHybridDefaults: api,
      data: input.data,
    };
    await writeOut(input.json, `${JSON.stringify(out, null, 2)}\n`);
  }
  if (input.markdown !== '-') await writeOut(input.markdown, `${markdown}\n`);
  if (input.benchmarks) {
    const current = await readFile('BENCHMARKS.md', 'utf8').catch(() => '# Benchmarks\n');
    await writeFile('BENCHMARKS.md', replaceSection(current, 'locomo-cv', markdown));
  }
}

/** `--qa`: the end-to-end J score (qa.ts) with the LLM the environment configures. */
async function endToEnd(input: {
  conversations: Conversation[];
  data: string;
  judgeModel: string | undefined;
  contextTurns: number;
  concurrency: number;
  dataDir: string | undefined;
  json: string | undefined;
  log: (message: string) => void;
}): Promise<string> {
  const { llm } = loadConfig(process.env);
  if (llm.provider !== 'openai')
    throw new Error(
      '--qa needs an LLM: set MEMQL_LLM_BASE_URL and MEMQL_LLM_MODEL (and MEMQL_LLM_API_KEY if it needs one)',
    );
  const chat = (model: string) =>
    new OpenAiChatClient({
      baseUrl: llm.baseUrl,
      apiKey: llm.apiKey,
      model,
      timeoutMs: llm.timeoutMs,
      maxRetries: llm.maxRetries,
    });
  const answerer = chat(llm.model);
  const judge = input.judgeModel ? chat(input.judgeModel) : answerer;
  const { server, client } = await startLocomoServer(input.conversations, { dataDir: input.dataDir });
  let result: QaResult;
  try {
    result = await runQa(input.conversations, {
      memql: client,
      answerer,
      judge,
      contextTurns: input.contextTurns,
      concurrency: input.concurrency,
      onRow: (_row, done, total) => {
        if (done % 50 === 0 || done === total) input.log(`${done}/${total} questions answered and judged`);
      },
    });
  } finally {
    await server.destroy();
  }
  const f = (x: number) => x.toFixed(3);
  const markdown = [
    `### LoCoMo end to end, LLM-as-judge (${path.basename(input.data)})`,
    '',
    `Machine: ${machineLine(await machineInfo())}.`,
    `Command: \`${commandLine('eval:locomo')}\`. Answers: ${answerer.model}; judge: ${judge.model}; context: the best ${input.contextTurns} messages of User.query (HYBRID), with their dates and speakers. Embedder: ${process.env.MEMQL_EMBEDDINGS_PROVIDER ?? 'local USE-lite'}.`,
    '',
    table(
      ['', 'J', 'questions'],
      [
        ...Object.entries(result.byCategory).map(([c, x]) => [
          `${c} ${CATEGORY_NAMES[Number(c)] ?? ''}`,
          f(x.j),
          x.questions,
        ]),
        ['overall', f(result.overall.j), result.overall.questions],
      ],
    ),
  ].join('\n');
  process.stdout.write(`${markdown}\n`);
  if (input.json) await writeOut(input.json, `${JSON.stringify(result, null, 2)}\n`);
  return markdown;
}

interface SavedLists {
  api: ModeScores | null;
  lists: Pick<QuestionLists, 'lexical' | 'semantic'>[];
}

async function readSavedLists(file: string, questions: number): Promise<SavedLists | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  const saved = JSON.parse(text) as SavedLists;
  if (saved.lists.length !== questions) throw new Error(`--lists ${file}: saved for another data file`);
  return saved;
}

/** Each question's deep lexical and semantic lists, and HYBRID at the server's defaults, through the API. */
async function askDeepLists(
  asks: { conversation: Conversation; question: Conversation['questions'][number] }[],
  concurrency: number,
  log: (message: string) => void,
  dataDir: string | undefined,
  checkApi: boolean,
): Promise<{ lists: QuestionLists[]; api: ModeScores | null }> {
  const { server, client, insertSeconds, indexSeconds } = await startLocomoServer(
    asks.map((a) => a.conversation).filter((c, i, all) => all.indexOf(c) === i),
    { dataDir },
  );
  const apiHybrid = new ScoreTable();
  try {
    log(`inserted through the API in ${insertSeconds.toFixed(1)} s, indexed ${indexSeconds.toFixed(1)} s later`);
    const top = (hits: { id: string; score: number }[]) =>
      hits.slice(0, LIST_DEPTH).map((h) => ({ chunkId: h.id, score: h.score }));
    // topK 100 blobs: every hit of the deep lists comes back.
    let asked = 0;
    const lists = await mapConcurrent(asks, concurrency, async ({ conversation, question }) => {
      // One request at a time per question: `concurrency` requests in flight in all.
      const lexical = await ask(client, conversation.id, question.text, 'LEXICAL', 100);
      const semantic = await ask(client, conversation.id, question.text, 'SEMANTIC', 100);
      if (checkApi) {
        const hybrid = await ask(client, conversation.id, question.text, 'HYBRID', 10);
        apiHybrid.add(
          question.category,
          scoreQuestion(
            hybrid.map((h) => h.id),
            question.evidence,
          ),
        );
      }
      if (++asked % 100 === 0) log(`${asked}/${asks.length} questions asked`);
      return { conversation, question, lexical: top(lexical), semantic: top(semantic) };
    });
    log(`${asks.length} questions asked (deep lexical and semantic lists, and HYBRID at the server's defaults)`);
    return { lists, api: checkApi ? apiHybrid.result() : null };
  } finally {
    await server.destroy();
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
