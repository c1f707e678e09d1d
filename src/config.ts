// The only reader of process.env. Every setting is declared once, in SETTINGS:
// its name (the key), what it accepts (zod), its default and what it does.
// The same declarations parse the environment (loadConfig) and write README's
// configuration table (`npm run config:readme`; test/config/settings.test.ts
// fails when the two differ). Adding a setting: DEVELOPERS.md.

import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_SHARD_TARGET_RECORDS } from './infra/chroma/shard-defaults.js';
import { DEFAULT_RERANK } from './domain/search/rerank.js';
import { HTTP_CLIENT_DEFAULTS } from './infra/http/openai-http.client.js';

/** One environment variable: what it accepts, what it is when unset, what it does. */
export interface SettingDeclaration<S extends z.ZodType = z.ZodType> {
  /** Parses the variable's (non-empty) value; applies the default, or allows it to be unset. */
  readonly schema: S;
  /** README's "default" column: the default value, or what happens while it is unset. */
  readonly defaultText: string;
  /** README's "what it does" column (Markdown, one line, no `|`). */
  readonly description: string;
}

/** A setting with a default value, used when the variable is unset or empty. */
function setting<S extends z.ZodType>(declaration: {
  schema: S;
  default: z.output<S>;
  description: string;
}): SettingDeclaration<z.ZodDefault<S>>;
/** A setting that may stay unset; `unset` says what happens then ('' when nothing needs saying). */
function setting<S extends z.ZodType>(declaration: {
  schema: S;
  unset: string;
  description: string;
}): SettingDeclaration<z.ZodOptional<S>>;
function setting(declaration: {
  schema: z.ZodType;
  default?: unknown;
  unset?: string;
  description: string;
}): SettingDeclaration {
  const { schema, description } = declaration;
  if (declaration.unset === undefined) {
    return {
      schema: schema.default(declaration.default as never),
      defaultText: `\`${String(declaration.default)}\``,
      description,
    };
  }
  return { schema: schema.optional(), defaultText: declaration.unset && `unset: ${declaration.unset}`, description };
}

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL');
const httpUrl = z.string().url();

/** true/false (also 1/0, yes/no, on/off). */
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { message: 'must be true or false' })
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

/** A comma-separated list of browser origins ("https://app.example.com,http://localhost:3000"). */
const originList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  .superRefine((origins, ctx) => {
    for (const origin of origins) {
      let parsed: URL | null = null;
      try {
        parsed = new URL(origin);
      } catch {
        // reported below
      }
      if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin)
        ctx.addIssue({
          code: 'custom',
          message: `"${origin}" is not an origin: write scheme://host[:port], with no path or trailing slash`,
        });
    }
  });

/**
 * A 256-bit key: 64 hex digits, or base64 (standard or URL-safe, padding
 * optional) of exactly 32 bytes. Anything else is refused rather than
 * stretched: a passphrase is not a key.
 */
const encryptionKey = z.string().transform((value, ctx) => {
  const text = value.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(text)
    ? Buffer.from(text, 'hex')
    : /^[A-Za-z0-9+/_-]{43}={0,1}$/.test(text)
      ? Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
      : null;
  if (bytes?.length !== 32) {
    ctx.addIssue({
      code: 'custom',
      message:
        'must be 32 bytes as 64 hex digits or base64 (generate one with ' +
        "`node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\"`)",
    });
    return z.NEVER;
  }
  return bytes;
});

/** Every setting, in the order README lists them. */
export const SETTINGS = {
  PORT: setting({
    schema: z.coerce.number().int().min(0).max(65535),
    default: 8019,
    description: 'HTTP and WebSocket port',
  }),
  HOST: setting({ schema: z.string().min(1), default: '0.0.0.0', description: 'interface to listen on' }),
  MEMQL_DATA_DIR: setting({
    schema: z.string().min(1),
    default: './.memql',
    description: 'embedded database, embedded Chroma data, generated admin key',
  }),
  DATABASE_URL: setting({
    schema: postgresUrl,
    unset: 'embedded PGlite',
    description:
      'a real PostgreSQL (`postgresql://…`); migrations are applied at start; a database that does not exist stops start-up (exit code 2) with a message naming DATABASE_URL',
  }),
  DATABASE_POOL_MAX: setting({
    schema: z.coerce.number().int().min(1).max(200),
    default: 10,
    description: 'connections to a real PostgreSQL (the embedded server takes one)',
  }),
  CHROMA_URL: setting({
    schema: httpUrl,
    unset: 'embedded Chroma child process',
    description: 'an external Chroma server',
  }),
  MEMQL_CHROMA_RESTART_SECONDS: setting({
    schema: z.coerce.number().min(0.05).max(600),
    default: 1,
    description:
      'pause before restarting the embedded Chroma after its process died, doubling after each failed attempt (at most 60 s); ' +
      'meanwhile searches answer lexically and `/health` says `degraded`',
  }),
  MEMQL_VECTOR_QUERY_TIMEOUT_SECONDS: setting({
    schema: z.coerce.number().min(0.1).max(600),
    default: 10,
    description:
      'a vector query Chroma has not answered by then (a hung server) is given up: the search answers lexically, as when Chroma is down',
  }),
  MEMQL_VECTOR_SHARD_RECORDS: setting({
    schema: z.coerce.number().int().min(100).max(1_000_000),
    default: DEFAULT_SHARD_TARGET_RECORDS,
    description:
      'records a shared Chroma shard holds before new users go to another; a user with as many gets a shard ' +
      'of its own (see *Vector partitioning*)',
  }),
  MEMQL_ADMIN_KEY: setting({
    schema: z.string().min(24, 'must be at least 24 characters'),
    unset: 'generated once, kept in the data dir',
    description: 'the admin key (at least 24 characters)',
  }),
  MEMQL_ENCRYPTION_KEY: setting({
    schema: encryptionKey,
    unset: 'nothing is encrypted by memql',
    description:
      'turns on encryption at rest: the key-encryption key (32 random bytes as 64 hex digits or base64) that ' +
      "wraps each user's data key; a new database only (see SECURITY.md, *Data at rest*)",
  }),
  MEMQL_NEW_ENCRYPTION_KEY: setting({
    schema: encryptionKey,
    unset: 'no rotation',
    description:
      '`memql rotate-encryption-key` only: the key-encryption key that replaces `MEMQL_ENCRYPTION_KEY` (same format)',
  }),
  MEMQL_MAX_DEPTH: setting({
    schema: z.coerce.number().int().min(2).max(1000),
    default: 15,
    description:
      'deepest nesting of fields an operation may have (fragments add none; introspection excepted); see *Limits*',
  }),
  MEMQL_MAX_ALIASES: setting({
    schema: z.coerce.number().int().min(0).max(100_000),
    default: 30,
    description: 'aliases an operation may use',
  }),
  MEMQL_MAX_DIRECTIVES: setting({
    schema: z.coerce.number().int().min(0).max(100_000),
    default: 50,
    description: 'directives an operation may use',
  }),
  MEMQL_MAX_TOKENS: setting({
    schema: z.coerce.number().int().min(100).max(10_000_000),
    default: 20_000,
    description: 'tokens (names, punctuation, literals) a document may have; parsing stops there',
  }),
  MEMQL_MAX_COST: setting({
    schema: z.coerce.number().int().min(1),
    default: 50_000,
    description: 'cost an operation may have: lists multiply by `first`/`topK`, searches and mutations cost more',
  }),
  MEMQL_COST_PER_SECOND: setting({
    schema: z.coerce.number().min(0),
    default: 50_000,
    description: "each API key's cost budget: points per second (`0`: no budget)",
  }),
  MEMQL_COST_BURST: setting({
    schema: z.coerce.number().int().min(1),
    default: 500_000,
    description: 'cost points a key may spend at once (at least `MEMQL_MAX_COST`)',
  }),
  MEMQL_RATE_LIMIT_PER_SECOND: setting({
    schema: z.coerce.number().min(0),
    default: 100,
    description: 'requests (and WebSocket operations) per second and API key (`0`: no limit)',
  }),
  MEMQL_RATE_LIMIT_BURST: setting({
    schema: z.coerce.number().int().min(1),
    default: 1000,
    description: 'requests a key may make at once after a pause',
  }),
  MEMQL_REQUEST_DEADLINE_SECONDS: setting({
    schema: z.coerce.number().min(0.1),
    default: 60,
    description: 'an operation still running after this is stopped with `TIMEOUT` (writes already made stay)',
  }),
  MEMQL_MAX_BODY_BYTES: setting({
    schema: z.coerce.number().int().min(1024),
    default: 16 * 1024 * 1024,
    description: 'largest request body (and WebSocket message) of a request with a valid key',
  }),
  MEMQL_UNAUTHENTICATED_BODY_BYTES: setting({
    schema: z.coerce.number().int().min(0),
    default: 16 * 1024,
    description:
      'a request without a valid key is answered before its body is read; a body up to this size is drained, a larger one closes the connection',
  }),
  MEMQL_MAX_RESPONSE_BYTES: setting({
    schema: z.coerce.number().int().min(1024),
    default: 32 * 1024 * 1024,
    description: 'largest answer; a bigger one stops with `RESPONSE_TOO_LARGE`',
  }),
  MEMQL_EMBEDDINGS_BASE_URL: setting({
    schema: httpUrl,
    unset: 'offline USE-lite (512 dims)',
    description: 'any OpenAI-compatible `/embeddings` endpoint',
  }),
  MEMQL_EMBEDDINGS_API_KEY: setting({ schema: z.string().min(1), unset: '', description: 'its key (never logged)' }),
  MEMQL_EMBEDDINGS_MODEL: setting({
    schema: z.string().min(1),
    unset: '',
    description: 'model name (required with the base URL)',
  }),
  MEMQL_EMBEDDINGS_DIMENSION: setting({
    schema: z.coerce.number().int().min(1).max(8192),
    unset: 'discovered (`hashing`: 512)',
    description: 'output dimension',
  }),
  MEMQL_EMBEDDINGS_PROVIDER: setting({
    schema: z.enum(['local', 'openai', 'hashing']),
    unset: '`local`, or `openai` with a base URL',
    description: '`hashing`: a fast deterministic feature-hashing embedder (not pretrained; for benchmarks at scale)',
  }),
  MEMQL_LLM_BASE_URL: setting({
    schema: httpUrl,
    unset: 'offline rule-based extractor',
    description: 'any OpenAI-compatible `/chat/completions` endpoint',
  }),
  MEMQL_LLM_API_KEY: setting({ schema: z.string().min(1), unset: '', description: 'its key (never logged)' }),
  MEMQL_LLM_MODEL: setting({
    schema: z.string().min(1),
    unset: '',
    description: 'model name (required with the base URL)',
  }),
  MEMQL_LLM_TIMEOUT_MS: setting({
    schema: z.coerce.number().int().min(100),
    default: HTTP_CLIENT_DEFAULTS.timeoutMs,
    description: 'limit of one request to the LLM, in ms (a request that times out is retried)',
  }),
  MEMQL_LLM_MAX_RETRIES: setting({
    schema: z.coerce.number().int().min(0).max(10),
    default: HTTP_CLIENT_DEFAULTS.maxRetries,
    description: 'retries of a call (408, 409, 429, 5xx, timeouts, network errors, invalid output)',
  }),
  MEMQL_RERANK_BASE_URL: setting({
    schema: httpUrl,
    unset: 'no reranking',
    description:
      'API root of a `/rerank` endpoint (Cohere, Jina, text-embeddings-inference, vLLM): reorders the best candidates of `User.query` and `searchMemories` (their `rerank` argument)',
  }),
  MEMQL_RERANK_API_KEY: setting({ schema: z.string().min(1), unset: '', description: 'its key (never logged)' }),
  MEMQL_RERANK_MODEL: setting({
    schema: z.string().min(1),
    unset: '',
    description: 'reranker model name (required with the base URL)',
  }),
  MEMQL_RERANK_TIMEOUT_MS: setting({
    schema: z.coerce.number().int().min(50),
    default: 2_000,
    description:
      'limit of one rerank request, in ms; past it (or on any error) the first ranking is returned and `extensions.notices` says so',
  }),
  MEMQL_RERANK_CANDIDATES: setting({
    schema: z.coerce.number().int().min(1).max(200),
    default: DEFAULT_RERANK.candidates,
    description: 'best candidates sent to the reranker (chunks for `User.query`, memories for `searchMemories`)',
  }),
  MEMQL_BUFFER_TOKENS: setting({
    schema: z.coerce.number().int().min(1),
    default: 1024,
    description: 'pending tokens that trigger processing',
  }),
  MEMQL_BUFFER_IDLE_SECONDS: setting({
    schema: z.coerce.number().min(0.05),
    default: 60,
    description: 'idle time after the last insert that triggers processing',
  }),
  MEMQL_PROCESSING_LEASE_SECONDS: setting({
    schema: z.coerce.number().min(0.5),
    default: 300,
    description: 'how long a batch may run before another worker may take it over (crash recovery)',
  }),
  MEMQL_INDEXER_LEASE_SECONDS: setting({
    schema: z.coerce.number().min(1).max(3600),
    default: 60,
    description:
      'of several processes sharing a database, one drains the index outbox into Chroma, renewing a lease this long; another takes over when it lapses',
  }),
  MEMQL_EXPIRY_SWEEP_SECONDS: setting({
    schema: z.coerce.number().min(0.05),
    default: 60,
    description:
      'seconds between sweeps that delete expired memories (with a history entry); reads hide them at `expiresAt` already',
  }),
  MEMQL_EXPORT_DIR: setting({
    schema: z.string().min(1),
    unset: '`<MEMQL_DATA_DIR>/exports`',
    description: 'where export files (JSON Lines, `createExport`) are written',
  }),
  MEMQL_EXPORT_RETENTION_HOURS: setting({
    schema: z.coerce.number().min(0.001),
    default: 168,
    description: 'exports (rows and files) older than this are deleted, at start and every hour',
  }),
  REDIS_URL: setting({
    schema: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
    unset: 'in-memory pubsub',
    description: 'Redis for subscriptions across server processes',
  }),
  SHADOW_DATABASE_URL: setting({
    schema: postgresUrl,
    unset: 'a throwaway embedded PGlite',
    description:
      '`npm run migrate:diff` only: a PostgreSQL server where `CREATE DATABASE` is allowed (shadow database)',
  }),
  MEMQL_CORS_ORIGINS: setting({
    schema: originList,
    unset: 'none',
    description:
      'browser origins allowed to call the API from another origin, comma-separated ' +
      '(`https://app.example.com,http://localhost:5173`); see *From a browser*',
  }),
  MEMQL_GRAPHIQL: setting({
    schema: flag,
    default: true,
    description:
      'serves GraphiQL at `GET /graphql` (from a browser) and `/graphiql`, and the dashboard at `/dashboard`; ' +
      '`false` turns both off (every operation still needs a key)',
  }),
  MEMQL_SHUTDOWN_SECONDS: setting({
    schema: z.coerce.number().min(1).max(3600),
    default: 30,
    description:
      'how long a stop (SIGTERM, SIGINT) waits for work in progress; what is left (indexing, extraction) resumes from the outbox on the next start',
  }),
  MEMQL_METRICS_PORT: setting({
    schema: z.coerce.number().int().min(0).max(65535),
    unset: 'only `GET /metrics` on the API port, with the admin key',
    description:
      'also serves the Prometheus metrics at `/metrics` on this port (on `HOST`), without a key: keep it reachable by Prometheus only',
  }),
  MEMQL_WEBHOOKS_ALLOW_PRIVATE: setting({
    schema: flag,
    default: false,
    description:
      "lets webhooks target loopback and private addresses (refused by default: a webhook must not reach into the server's own network)",
  }),
  MEMQL_WEBHOOKS_MAX_ATTEMPTS: setting({
    schema: z.coerce.number().int().min(1).max(100),
    default: 10,
    description: 'attempts of a webhook delivery before it is marked `FAILED`',
  }),
  MEMQL_WEBHOOKS_RETRY_SECONDS: setting({
    schema: z.coerce.number().min(0.05).max(3600),
    default: 10,
    description: 'wait before the first retry of a delivery; it doubles with each attempt, up to an hour',
  }),
  MEMQL_WEBHOOKS_TIMEOUT_SECONDS: setting({
    schema: z.coerce.number().min(0.1).max(300),
    default: 10,
    description: 'limit of one webhook request; a slower answer counts as a failed attempt',
  }),
  MEMQL_URL: setting({
    schema: httpUrl,
    unset: '`http://127.0.0.1:$PORT/graphql`',
    description: 'the `memql` command only: the GraphQL endpoint of the server it administers (`--url`)',
  }),
  MEMQL_KEY: setting({
    schema: z.string().min(1),
    unset: "`MEMQL_ADMIN_KEY`, else the data dir's `admin.key`",
    description: 'the `memql` command only: the API key it sends (`--key-file`)',
  }),
  LOG_LEVEL: setting({
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    description: 'pino level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent` (mutes)',
  }),
};

type SettingName = keyof typeof SETTINGS;
type EnvShape = { [K in SettingName]: (typeof SETTINGS)[K]['schema'] };

const envSchema = z.object(
  Object.fromEntries(Object.entries(SETTINGS).map(([name, declared]) => [name, declared.schema])) as EnvShape,
);

/** The parsed environment: one typed field per setting. */
export type Env = z.infer<typeof envSchema>;

/** The comments around README's configuration table: what lies between them is generated. */
export const SETTINGS_TABLE_MARKERS = {
  start: '<!-- settings: generated from src/config.ts by `npm run config:readme`; edit the declarations there -->',
  end: '<!-- /settings -->',
} as const;

/** `markdown` with the text between the settings markers replaced by `table`; throws when a marker is missing. */
export function replaceSettingsTable(markdown: string, table: string): string {
  const { start, end } = SETTINGS_TABLE_MARKERS;
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`README.md: the settings markers are missing (${start} ... ${end})`);
  return `${markdown.slice(0, from + start.length)}\n${table}\n${markdown.slice(to)}`;
}

/** README's configuration table, rendered from SETTINGS. */
export function settingsTable(): string {
  const rows = Object.entries(SETTINGS).map(
    ([name, declared]) => `| \`${name}\` | ${declared.defaultText} | ${declared.description} |`,
  );
  return ['| variable | default | what it does |', '| --- | --- | --- |', ...rows].join('\n');
}

export type EmbeddingsConfig =
  | { provider: 'local' }
  | { provider: 'hashing'; dimension: number }
  | { provider: 'openai'; baseUrl: string; apiKey: string | undefined; model: string; dimension: number | undefined };

export type LlmConfig =
  | { provider: 'rule-based' }
  | {
      provider: 'openai';
      baseUrl: string;
      apiKey: string | undefined;
      model: string;
      timeoutMs: number;
      maxRetries: number;
    };

export interface LimitsConfig {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
  costPerSecond: number;
  costBurst: number;
  requestsPerSecond: number;
  requestBurst: number;
  deadlineMs: number;
  maxResponseBytes: number;
  maxBodyBytes: number;
  unauthenticatedBodyBytes: number;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  database: { kind: 'embedded' } | { kind: 'external'; url: string; poolMax: number };
  chroma: { kind: 'embedded'; restartMs: number } | { kind: 'external'; url: string };
  vectorShardRecords: number;
  vectorQueryTimeoutMs: number;
  adminKey: string | undefined;
  /** The key-encryption key of encryption at rest (32 bytes); undefined: off. */
  encryptionKey: Buffer | undefined;
  /** `memql rotate-encryption-key` only: the key that replaces encryptionKey. */
  newEncryptionKey: Buffer | undefined;
  /** What one operation may ask for, and how much each key may ask (src/server/operation-limits.ts, rate-limit.ts). */
  limits: LimitsConfig;
  embeddings: EmbeddingsConfig;
  llm: LlmConfig;
  /** The optional reranker; null: none. */
  rerank: RerankConfig | null;
  buffer: { tokenThreshold: number; idleMs: number; leaseMs: number };
  expirySweepMs: number;
  exports: { dir: string; retentionMs: number };
  /** How long the indexer lease lasts unless renewed (one process drains the outbox). */
  indexerLeaseMs: number;
  redisUrl: string | undefined;
  shadowDatabaseUrl: string | undefined;
  /** Origins allowed by CORS (exact matches); empty: none. */
  corsOrigins: string[];
  /** Serve the browser pages (GraphiQL, dashboard). */
  graphiql: boolean;
  /** How long stopping may wait for work in progress. */
  shutdownMs: number;
  /** A port of its own for /metrics (no key); undefined: only on the API port, for the admin key. */
  metricsPort: number | undefined;
  webhooks: { allowPrivate: boolean; maxAttempts: number; retryBaseMs: number; timeoutMs: number };
  /** The memql command: the server it talks to and the key it sends (falls back to the admin key). */
  cli: { url: string; key: string | undefined };
  logLevel: Env['LOG_LEVEL'];
}

export interface RerankConfig {
  baseUrl: string;
  apiKey: string | undefined;
  model: string;
  timeoutMs: number;
  candidates: number;
}

export class ConfigError extends Error {}

function rerankConfig(e: Env): RerankConfig | null {
  if (!e.MEMQL_RERANK_BASE_URL) return null;
  if (!e.MEMQL_RERANK_MODEL) throw new ConfigError('MEMQL_RERANK_MODEL: required with MEMQL_RERANK_BASE_URL');
  return {
    baseUrl: e.MEMQL_RERANK_BASE_URL,
    apiKey: e.MEMQL_RERANK_API_KEY,
    model: e.MEMQL_RERANK_MODEL,
    timeoutMs: e.MEMQL_RERANK_TIMEOUT_MS,
    candidates: e.MEMQL_RERANK_CANDIDATES,
  };
}

/** Parses the environment; throws ConfigError naming every bad setting. An empty variable counts as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.MEMQL_DATA_DIR),
    database: e.DATABASE_URL
      ? { kind: 'external', url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX }
      : { kind: 'embedded' },
    chroma: e.CHROMA_URL
      ? { kind: 'external', url: e.CHROMA_URL }
      : { kind: 'embedded', restartMs: Math.round(e.MEMQL_CHROMA_RESTART_SECONDS * 1000) },
    vectorShardRecords: e.MEMQL_VECTOR_SHARD_RECORDS,
    vectorQueryTimeoutMs: Math.round(e.MEMQL_VECTOR_QUERY_TIMEOUT_SECONDS * 1000),
    adminKey: e.MEMQL_ADMIN_KEY,
    encryptionKey: e.MEMQL_ENCRYPTION_KEY,
    newEncryptionKey: e.MEMQL_NEW_ENCRYPTION_KEY,
    limits: limitsConfig(e),
    embeddings: embeddingsConfig(e),
    llm: llmConfig(e),
    rerank: rerankConfig(e),
    buffer: {
      tokenThreshold: e.MEMQL_BUFFER_TOKENS,
      idleMs: Math.round(e.MEMQL_BUFFER_IDLE_SECONDS * 1000),
      leaseMs: Math.round(e.MEMQL_PROCESSING_LEASE_SECONDS * 1000),
    },
    expirySweepMs: Math.round(e.MEMQL_EXPIRY_SWEEP_SECONDS * 1000),
    exports: {
      dir: path.resolve(e.MEMQL_EXPORT_DIR ?? path.join(e.MEMQL_DATA_DIR, 'exports')),
      retentionMs: Math.round(e.MEMQL_EXPORT_RETENTION_HOURS * 3_600_000),
    },
    indexerLeaseMs: Math.round(e.MEMQL_INDEXER_LEASE_SECONDS * 1000),
    redisUrl: e.REDIS_URL,
    shadowDatabaseUrl: e.SHADOW_DATABASE_URL,
    corsOrigins: e.MEMQL_CORS_ORIGINS ?? [],
    graphiql: e.MEMQL_GRAPHIQL,
    shutdownMs: Math.round(e.MEMQL_SHUTDOWN_SECONDS * 1000),
    metricsPort: e.MEMQL_METRICS_PORT,
    webhooks: {
      allowPrivate: e.MEMQL_WEBHOOKS_ALLOW_PRIVATE,
      maxAttempts: e.MEMQL_WEBHOOKS_MAX_ATTEMPTS,
      retryBaseMs: Math.round(e.MEMQL_WEBHOOKS_RETRY_SECONDS * 1000),
      timeoutMs: Math.round(e.MEMQL_WEBHOOKS_TIMEOUT_SECONDS * 1000),
    },
    cli: { url: e.MEMQL_URL ?? `http://127.0.0.1:${e.PORT}/graphql`, key: e.MEMQL_KEY ?? e.MEMQL_ADMIN_KEY },
    logLevel: e.LOG_LEVEL,
  };
}

/**
 * For entry points (the server, the CLIs): the configuration, or the
 * problems on stderr and exit code 2.
 */
export function loadConfigOrExit(program: string, env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${program}: ${error.message}\n`);
    process.exit(2);
  }
}

function limitsConfig(e: Env): LimitsConfig {
  if (e.MEMQL_COST_PER_SECOND > 0 && e.MEMQL_COST_BURST < e.MEMQL_MAX_COST)
    throw new ConfigError(
      `MEMQL_COST_BURST: ${e.MEMQL_COST_BURST} is below MEMQL_MAX_COST (${e.MEMQL_MAX_COST}); an operation under the limit could never run`,
    );
  return {
    maxDepth: e.MEMQL_MAX_DEPTH,
    maxAliases: e.MEMQL_MAX_ALIASES,
    maxDirectives: e.MEMQL_MAX_DIRECTIVES,
    maxTokens: e.MEMQL_MAX_TOKENS,
    maxCost: e.MEMQL_MAX_COST,
    costPerSecond: e.MEMQL_COST_PER_SECOND,
    costBurst: e.MEMQL_COST_BURST,
    requestsPerSecond: e.MEMQL_RATE_LIMIT_PER_SECOND,
    requestBurst: e.MEMQL_RATE_LIMIT_BURST,
    deadlineMs: Math.round(e.MEMQL_REQUEST_DEADLINE_SECONDS * 1000),
    maxResponseBytes: e.MEMQL_MAX_RESPONSE_BYTES,
    maxBodyBytes: e.MEMQL_MAX_BODY_BYTES,
    unauthenticatedBodyBytes: e.MEMQL_UNAUTHENTICATED_BODY_BYTES,
  };
}

function embeddingsConfig(e: Env): EmbeddingsConfig {
  const provider = e.MEMQL_EMBEDDINGS_PROVIDER ?? (e.MEMQL_EMBEDDINGS_BASE_URL ? 'openai' : 'local');
  switch (provider) {
    case 'local':
      return { provider };
    case 'hashing':
      return { provider, dimension: e.MEMQL_EMBEDDINGS_DIMENSION ?? 512 };
    case 'openai':
      if (!e.MEMQL_EMBEDDINGS_BASE_URL)
        throw new ConfigError('MEMQL_EMBEDDINGS_BASE_URL: required when MEMQL_EMBEDDINGS_PROVIDER=openai');
      if (!e.MEMQL_EMBEDDINGS_MODEL)
        throw new ConfigError('MEMQL_EMBEDDINGS_MODEL: required with MEMQL_EMBEDDINGS_BASE_URL');
      return {
        provider,
        baseUrl: e.MEMQL_EMBEDDINGS_BASE_URL,
        apiKey: e.MEMQL_EMBEDDINGS_API_KEY,
        model: e.MEMQL_EMBEDDINGS_MODEL,
        dimension: e.MEMQL_EMBEDDINGS_DIMENSION,
      };
    default: {
      const unreachable: never = provider;
      throw new ConfigError(`MEMQL_EMBEDDINGS_PROVIDER: unknown provider ${String(unreachable)}`);
    }
  }
}

function llmConfig(e: Env): LlmConfig {
  if (!e.MEMQL_LLM_BASE_URL) return { provider: 'rule-based' };
  if (!e.MEMQL_LLM_MODEL) throw new ConfigError('MEMQL_LLM_MODEL: required with MEMQL_LLM_BASE_URL');
  return {
    provider: 'openai',
    baseUrl: e.MEMQL_LLM_BASE_URL,
    apiKey: e.MEMQL_LLM_API_KEY,
    model: e.MEMQL_LLM_MODEL,
    timeoutMs: e.MEMQL_LLM_TIMEOUT_MS,
    maxRetries: e.MEMQL_LLM_MAX_RETRIES,
  };
}
