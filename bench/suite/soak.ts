// Soak: a server under a steady mix of legitimate work and abuse for a long
// while (`npm run bench -- --soak`, ten minutes by default). Legitimate
// clients, each with a key of its own, insert chats and docs, create
// memories, search (User.query and searchMemories in every mode) and keep
// subscriptions open; one abusive client sends what issue 12 found could
// hurt a server (nested and aliased bombs, NUL characters, JSON nested 5,000
// deep, oversized and unauthenticated bodies). Reported: server restarts
// (the process exiting), restarts of the embedded Chroma, 5xx answers and
// errors to legitimate requests, how the abuse was answered, latencies, and
// the resident memory of the server and of Chroma sampled over time.

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { BenchClient } from '../lib/graphql.js';
import { findChromaChild, type ServerProcess, vmRssMiB } from '../lib/server-process.js';
import { type Latency, latency, table } from '../lib/stats.js';

export interface SoakOptions {
  seconds: number;
  /** Writers and searchers each (legitimate HTTP clients). */
  clients: number;
  /** Open subscriptions (graphql-ws). */
  subscribers: number;
  /** RSS sampling interval. */
  sampleSeconds: number;
  log: (message: string) => void;
}

export interface SoakResult {
  seconds: number;
  serverExited: string | null;
  chromaRestarts: number;
  legitimate: {
    requests: number;
    errors: number;
    http5xx: number;
    byKind: Record<string, number>;
    errorSamples: string[];
  };
  latency: { write: Latency; search: Latency };
  abuse: { requests: number; http5xx: number; outcomes: Record<string, number> };
  subscriptions: { open: number; events: number; endedEarly: number };
  health: Record<string, number>;
  /** The server's error log lines: message (and error) -> times. */
  serverErrors: Record<string, number>;
  rss: { t: number; server: number; chroma: number | null }[];
}

const WORDS =
  'river kayak tea garden violin chess museum harbour bakery mountain novel bicycle lantern orchard piano canyon meadow'.split(
    ' ',
  );
const sentence = (i: number) =>
  `${Array.from({ length: 8 }, (_, j) => WORDS[(i * 7 + j * 3) % WORDS.length]).join(' ')} number ${i}.`;

/** The documents and requests that once hurt the server (issue 12), each answered by a coded refusal now. */
function abusiveRequests(): { kind: string; body: string; authorized: boolean }[] {
  const nested = (levels: number) => {
    let selection = '{ id }';
    for (let i = 0; i < levels; i++) selection = `{ blobs(first: 100) { edges { node { user ${selection} } } } }`;
    return `{ user(id: "soak-0") ${selection} }`;
  };
  const aliases = Array.from({ length: 10_000 }, (_, i) => `a${i}: query(text: "x")`).join(' ');
  const deepJson = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
  return [
    { kind: 'nested bomb', body: JSON.stringify({ query: nested(4) }), authorized: true },
    { kind: '25 levels', body: JSON.stringify({ query: nested(25) }), authorized: true },
    {
      kind: '10,000 aliases',
      body: JSON.stringify({ query: `{ user(id: "soak-0") { ${aliases} } }` }),
      authorized: true,
    },
    {
      kind: 'NUL in content',
      body: JSON.stringify({
        query:
          'mutation($c: String!) { insertBlob(userId: "soak-0", input: { doc: { content: $c } }) { blob { id } } }',
        variables: { c: 'a\u0000b' },
      }),
      authorized: true,
    },
    {
      kind: 'JSON 5,000 deep',
      body: `{"query":"mutation($d: JSON) { updateUser(id: \\"soak-0\\", input: { data: $d }) { id } }","variables":{"d":${deepJson}}}`,
      authorized: true,
    },
    {
      kind: 'forged cursor',
      body: JSON.stringify({ query: '{ users(after: "eyJpZCI6Im5vdC1hLXV1aWQifQ") { totalCount } }' }),
      authorized: true,
    },
    { kind: 'unauthenticated 10 MB', body: 'x'.repeat(10 * 1024 * 1024), authorized: false },
    {
      kind: 'oversized 20 MB',
      body: JSON.stringify({ query: `{ __typename } #${'x'.repeat(20 * 1024 * 1024)}` }),
      authorized: true,
    },
  ];
}

export async function runSoak(server: ServerProcess, options: SoakOptions): Promise<SoakResult> {
  const { log } = options;
  const admin = new BenchClient(server.url, server.adminKey);
  const clients = options.clients;
  // A key per client, as separate applications would have: rate limits are per key.
  const { projects } = await admin.request<{ projects: { id: string; name: string }[] }>('{ projects { id name } }');
  const projectId = projects.find((project) => project.name === 'default')!.id;
  const keys: string[] = [];
  for (let i = 0; i <= 2 * clients + 1; i++) {
    const { createApiKey } = await admin.request<{ createApiKey: { secret: string } }>(
      'mutation($p: ID!, $name: String!) { createApiKey(projectId: $p, name: $name) { secret } }',
      { p: projectId, name: `soak-${i}` },
    );
    keys.push(createApiKey.secret);
  }
  const users = Array.from({ length: 20 }, (_, i) => `soak-${i}`);
  for (const id of users) await admin.request('mutation($id: ID!) { createUser(input: { id: $id }) { id } }', { id });

  const deadline = Date.now() + options.seconds * 1000;
  const legit = {
    requests: 0,
    errors: 0,
    http5xx: 0,
    byKind: {} as Record<string, number>,
    errorSamples: [] as string[],
  };
  const writeMs: number[] = [];
  const searchMs: number[] = [];
  const send = async (
    key: string,
    kind: string,
    query: string,
    variables: Record<string, unknown>,
    samples: number[],
  ) => {
    const started = performance.now();
    legit.requests++;
    legit.byKind[kind] = (legit.byKind[kind] ?? 0) + 1;
    try {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
      if (response.status >= 500) legit.http5xx++;
      if (body.errors?.length || response.status >= 400) {
        legit.errors++;
        if (legit.errorSamples.length < 10)
          legit.errorSamples.push(
            `${kind}: HTTP ${response.status} ${body.errors?.[0]?.extensions?.code} ${body.errors?.[0]?.message}`,
          );
      } else samples.push(performance.now() - started);
    } catch (error) {
      legit.errors++;
      if (legit.errorSamples.length < 10) legit.errorSamples.push(`${kind}: ${(error as Error).message}`);
    }
  };

  const writer = async (c: number) => {
    const key = keys[c]!;
    for (let i = 0; Date.now() < deadline; i++) {
      const userId = users[(c * 31 + i) % users.length]!;
      const text = sentence(c * 100_000 + i);
      switch (i % 3) {
        case 0:
          await send(
            key,
            'insertBlob chat',
            'mutation($u: ID!, $m: [ChatMessageInput!]!) { insertBlob(userId: $u, input: { chat: { messages: $m } }) { blob { id } } }',
            {
              u: userId,
              m: [
                { role: 'user', content: `I love ${text}` },
                { role: 'assistant', content: 'Noted.' },
              ],
            },
            writeMs,
          );
          break;
        case 1:
          await send(
            key,
            'insertBlob doc',
            'mutation($u: ID!, $c: String!) { insertBlob(userId: $u, input: { doc: { title: "note", content: $c } }) { blob { id } } }',
            { u: userId, c: `${text} ${'😀 emoji and 𠀀 text '.repeat(20)}` },
            writeMs,
          );
          break;
        default:
          await send(
            key,
            'createMemory',
            'mutation($u: ID!, $t: String!) { createMemory(userId: $u, input: { text: $t, tags: ["soak"] }) { id } }',
            { u: userId, t: `Likes ${text}` },
            writeMs,
          );
      }
    }
  };
  const MODES = ['SEMANTIC', 'LEXICAL', 'HYBRID'] as const;
  const SEARCHES = [
    [
      'User.query',
      'query($u: ID!, $t: String!, $m: QueryMode) { user(id: $u) { query(text: $t, mode: $m, topK: 5) { score hits { __typename } } } }',
    ],
    [
      'searchMemories',
      'query($u: ID!, $t: String!, $m: QueryMode) { user(id: $u) { searchMemories(text: $t, mode: $m, topK: 5) { score memory { text } } } }',
    ],
  ] as const;
  const searcher = async (c: number) => {
    const key = keys[clients + c]!;
    for (let i = 0; Date.now() < deadline; i++) {
      const userId = users[(c * 17 + i) % users.length]!;
      const mode = MODES[i % 3]!;
      const text = WORDS.slice(i % 10, (i % 10) + 3).join(' ');
      const [kind, query] = SEARCHES[i % 2]!;
      await send(key, kind, query, { u: userId, t: text, m: mode }, searchMs);
    }
  };

  const abuse = { requests: 0, http5xx: 0, outcomes: {} as Record<string, number> };
  const abusive = async () => {
    const requests = abusiveRequests();
    const key = keys[2 * clients]!;
    for (let i = 0; Date.now() < deadline; i++) {
      const request = requests[i % requests.length]!;
      abuse.requests++;
      let outcome: string;
      try {
        const response = await fetch(server.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(request.authorized ? { authorization: `Bearer ${key}` } : {}),
          },
          body: request.body,
        });
        const text = await response.text();
        if (response.status >= 500) abuse.http5xx++;
        const code = /"code":"([A-Z_]+)"/.exec(text)?.[1] ?? '';
        outcome = `${request.kind}: ${response.status}${code ? ` ${code}` : ''}`;
      } catch (error) {
        // The server may close a connection whose body it refuses to read: that is an answer too.
        outcome = `${request.kind}: connection closed (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message})`;
      }
      abuse.outcomes[outcome] = (abuse.outcomes[outcome] ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const subscriptions = { open: 0, events: 0, endedEarly: 0 };
  const ws = createClient({
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${keys[2 * clients + 1]}` },
    retryAttempts: 0,
  });
  const unsubscribes = users.slice(0, options.subscribers).map((userId) => {
    subscriptions.open++;
    return ws.subscribe(
      { query: 'subscription($u: ID!) { profileChanged(userId: $u) { id kind } }', variables: { u: userId } },
      {
        next: () => {
          subscriptions.events++;
        },
        error: () => {
          if (Date.now() < deadline) subscriptions.endedEarly++;
        },
        complete: () => {
          if (Date.now() < deadline) subscriptions.endedEarly++;
        },
      },
    );
  });

  // Monitor: RSS, health, the server process and its Chroma child.
  const rss: SoakResult['rss'] = [];
  const health: Record<string, number> = {};
  let serverExited: string | null = null;
  let chromaPid = server.chroma?.pid ?? null;
  let chromaRestarts = 0;
  const started = Date.now();
  const monitor = async () => {
    while (Date.now() < deadline) {
      const t = Math.round((Date.now() - started) / 1000);
      const serverRss = await vmRssMiB(server.pid).catch(() => Number.NaN);
      if (Number.isNaN(serverRss)) serverExited ??= `gone at ${t} s`;
      let chromaRss: number | null = null;
      if (chromaPid !== null) {
        chromaRss = await vmRssMiB(chromaPid).catch(() => null);
        if (chromaRss === null) {
          const child = await findChromaChild(server.pid).catch(() => null);
          if (child && child.pid !== chromaPid) {
            chromaRestarts++;
            chromaPid = child.pid;
            chromaRss = await vmRssMiB(child.pid).catch(() => null);
          }
        }
      }
      rss.push({ t, server: serverRss, chroma: chromaRss });
      const status = await fetch(server.url.replace(/\/graphql$/, '/health'))
        .then(async (response) => ((await response.json()) as { status: string }).status)
        .catch(() => 'no answer');
      health[status] = (health[status] ?? 0) + 1;
      log(
        `soak ${t}s: ${legit.requests} requests, ${legit.errors} errors, RSS ${serverRss.toFixed(0)} MiB (Chroma ${chromaRss?.toFixed(0) ?? '-'})`,
      );
      await new Promise((resolve) => setTimeout(resolve, options.sampleSeconds * 1000));
    }
  };

  await Promise.all([
    monitor(),
    abusive(),
    ...Array.from({ length: clients }, (_, c) => writer(c)),
    ...Array.from({ length: clients }, (_, c) => searcher(c)),
  ]);
  for (const unsubscribe of unsubscribes) unsubscribe();
  await ws.dispose();
  return {
    seconds: (Date.now() - started) / 1000,
    serverExited,
    chromaRestarts,
    legitimate: legit,
    latency: { write: latency(writeMs), search: latency(searchMs) },
    abuse,
    subscriptions,
    health,
    serverErrors: Object.fromEntries([
      ...server.errorLogs.reduce((counts, entry) => {
        const err = entry.err as { message?: string } | undefined;
        const key = `${String(entry.msg)}${err?.message ? `: ${err.message.slice(0, 160)}` : ''}`;
        return counts.set(key, (counts.get(key) ?? 0) + 1);
      }, new Map<string, number>()),
    ]),
    rss,
  };
}

export function renderSoak(result: SoakResult, context: { machine: string; command: string }): string {
  const mib = (value: number | null) => (value === null || Number.isNaN(value) ? '-' : value.toFixed(0));
  const every = Math.max(1, Math.ceil(result.rss.length / 12));
  const samples = result.rss.filter((_, i) => i % every === 0 || i === result.rss.length - 1);
  const first = result.rss[1] ?? result.rss[0];
  const last = result.rss[result.rss.length - 1];
  const { legitimate: legit } = result;
  return [
    '### Soak (`npm run bench -- --soak`)',
    '',
    `${context.machine}. Command: \`${context.command}\`. ${result.seconds.toFixed(0)} s.`,
    '',
    table(
      ['figure', 'value'],
      [
        ['server restarts (process exited)', result.serverExited ?? '0'],
        ['embedded Chroma restarts', result.chromaRestarts],
        ['legitimate requests', legit.requests],
        ['of them 5xx', legit.http5xx],
        ['of them answered with an error', legit.errors],
        [
          'write latency p50 / p95',
          `${result.latency.write.p50.toFixed(0)} / ${result.latency.write.p95.toFixed(0)} ms`,
        ],
        [
          'search latency p50 / p95',
          `${result.latency.search.p50.toFixed(0)} / ${result.latency.search.p95.toFixed(0)} ms`,
        ],
        ['abusive requests (5xx)', `${result.abuse.requests} (${result.abuse.http5xx})`],
        [
          'subscriptions open / events / ended early',
          `${result.subscriptions.open} / ${result.subscriptions.events} / ${result.subscriptions.endedEarly}`,
        ],
        [
          '/health answers',
          Object.entries(result.health)
            .map(([status, n]) => `${status} ${n}`)
            .join(', '),
        ],
        [
          'server RSS first sample -> last (max)',
          `${mib(first?.server ?? null)} -> ${mib(last?.server ?? null)} MiB (${mib(Math.max(...result.rss.map((r) => r.server)))})`,
        ],
        ['Chroma RSS first sample -> last', `${mib(first?.chroma ?? null)} -> ${mib(last?.chroma ?? null)} MiB`],
      ],
    ),
    '',
    'Legitimate requests by kind: ' +
      Object.entries(legit.byKind)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ') +
      '.',
    legit.errorSamples.length ? `\nErrors seen: ${legit.errorSamples.map((e) => `\`${e}\``).join('; ')}.` : '',
    Object.keys(result.serverErrors).length
      ? `\nThe server's error log: ${Object.entries(result.serverErrors)
          .map(([message, n]) => `\`${message.replaceAll('`', "'")}\` (${n})`)
          .join('; ')}.`
      : "\nThe server's error log is empty.",
    '',
    'How the abuse was answered:',
    '',
    table(
      ['request: answer', 'times'],
      Object.entries(result.abuse.outcomes).sort(([a], [b]) => a.localeCompare(b)),
    ),
    '',
    'Resident memory over time (MiB):',
    '',
    table(
      ['second', 'server', 'Chroma'],
      samples.map((sample) => [sample.t, mib(sample.server), mib(sample.chroma)]),
    ),
  ].join('\n');
}
