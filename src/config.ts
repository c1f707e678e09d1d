// The only reader of process.env. Every setting is parsed and validated once
// here; a bad value stops the start with a message naming the setting.

import path from 'node:path';
import { z } from 'zod';

const optionalUrl = z.string().url().optional();

const schema = z.object({
  /** HTTP and WebSocket port. Default 8019. */
  PORT: z.coerce.number().int().min(0).max(65535).default(8019),
  /** Interface to listen on. Default 0.0.0.0 (all). */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Where the embedded database, the embedded Chroma and the generated admin key live. Default ./.memql. */
  MEMQL_DATA_DIR: z.string().min(1).default('./.memql'),
  /** A real PostgreSQL instead of the embedded PGlite. Unset: embedded. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /** Connections to a real PostgreSQL (the embedded server takes exactly one). Default 10. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** An external Chroma server instead of the embedded child process. Unset: embedded. */
  CHROMA_URL: optionalUrl,
  /** Records a shared Chroma shard collection holds before new users go to another (see docs/vector-partitioning.md). Default 2500. */
  MEMQL_VECTOR_SHARD_RECORDS: z.coerce.number().int().min(100).max(1_000_000).optional(),
  /** Admin key. Unset on the embedded default: generated on first start, kept in the data dir and printed once. */
  MEMQL_ADMIN_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  /** Embeddings: any OpenAI-compatible /embeddings endpoint. Unset: the offline USE-lite model. */
  MEMQL_EMBEDDINGS_BASE_URL: optionalUrl,
  MEMQL_EMBEDDINGS_API_KEY: z.string().min(1).optional(),
  MEMQL_EMBEDDINGS_MODEL: z.string().min(1).optional(),
  MEMQL_EMBEDDINGS_DIMENSION: z.coerce.number().int().min(1).max(8192).optional(),
  /** Use the fast deterministic hashing embedder instead (benchmarks at scale, tests). Not pretrained. */
  MEMQL_EMBEDDINGS_PROVIDER: z.enum(['local', 'openai', 'hashing']).optional(),
  /** LLM extraction: any OpenAI-compatible /chat/completions endpoint. Unset: the offline rule-based extractor. */
  MEMQL_LLM_BASE_URL: optionalUrl,
  MEMQL_LLM_API_KEY: z.string().min(1).optional(),
  MEMQL_LLM_MODEL: z.string().min(1).optional(),
  MEMQL_LLM_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  MEMQL_LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  /** Buffer: tokens pending before a user's buffer is processed. Default 1024. */
  MEMQL_BUFFER_TOKENS: z.coerce.number().int().min(1).default(1024),
  /** Buffer: idle seconds after the last insert before pending blobs are processed. Default 60. */
  MEMQL_BUFFER_IDLE_SECONDS: z.coerce.number().min(0.05).default(60),
  /** Seconds a worker holds a user's batch; after a crash the batch is retried once this expires. Default 300. */
  MEMQL_PROCESSING_LEASE_SECONDS: z.coerce.number().min(0.5).default(300),
  /** Redis for cross-process subscriptions. Unset: in-memory pubsub (one process). */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** `npm run migrate:diff` only: a PostgreSQL server where CREATE DATABASE is allowed, for the shadow database. Unset: a throwaway embedded PGlite. */
  SHADOW_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /** Log level: fatal, error, warn, info, debug, trace, silent. Default info. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof schema>;

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

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  database: { kind: 'embedded' } | { kind: 'external'; url: string; poolMax: number };
  chroma: { kind: 'embedded' } | { kind: 'external'; url: string };
  vectorShardRecords: number | undefined;
  adminKey: string | undefined;
  embeddings: EmbeddingsConfig;
  llm: LlmConfig;
  buffer: { tokenThreshold: number; idleMs: number; leaseMs: number };
  redisUrl: string | undefined;
  shadowDatabaseUrl: string | undefined;
  logLevel: Env['LOG_LEVEL'];
}

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError naming every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = schema.safeParse(cleaned);
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
    chroma: e.CHROMA_URL ? { kind: 'external', url: e.CHROMA_URL } : { kind: 'embedded' },
    vectorShardRecords: e.MEMQL_VECTOR_SHARD_RECORDS,
    adminKey: e.MEMQL_ADMIN_KEY,
    embeddings: embeddingsConfig(e),
    llm: llmConfig(e),
    buffer: {
      tokenThreshold: e.MEMQL_BUFFER_TOKENS,
      idleMs: Math.round(e.MEMQL_BUFFER_IDLE_SECONDS * 1000),
      leaseMs: Math.round(e.MEMQL_PROCESSING_LEASE_SECONDS * 1000),
    },
    redisUrl: e.REDIS_URL,
    shadowDatabaseUrl: e.SHADOW_DATABASE_URL,
    logLevel: e.LOG_LEVEL,
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
