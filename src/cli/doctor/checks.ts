// The checks of `memql doctor`: each tries one part of the set-up the way
// the server uses it and says, when it fails, what to change. A check never
// throws; it answers ok, warn (works, but worth knowing), fail or skip.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createChatClient, createEmbedder } from '../../app.js';
import type { Config } from '../../config.js';
import { startChromaServer } from '../../infra/chroma/chroma-server.js';
import { EmbeddedPostgresLockedError, startEmbeddedPostgres } from '../../infra/prisma/embedded-postgres.js';
import { defaultMigrationsDir, readMigrations } from '../../infra/prisma/migrate.js';
import type { Logger } from '../../lib/logger.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  check: string;
  status: CheckStatus;
  /** What was found, or what is wrong and what to do about it. */
  detail: string;
}

/** What the running server (if any) said on GET /health. */
export interface ServerHealth {
  reachable: boolean;
  status?: number;
  body?: { database?: string; vectorStore?: string };
}

const TIMEOUT_MS = 5_000;

function reason(error: unknown): string {
  const err = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.code ?? err.cause?.message ?? err.message ?? String(error);
}

export async function serverHealth(graphqlUrl: string): Promise<ServerHealth> {
  try {
    const response = await fetch(new URL('/health', graphqlUrl), { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = (await response.json().catch(() => ({}))) as ServerHealth['body'];
    return { reachable: true, status: response.status, body };
  } catch {
    return { reachable: false };
  }
}

export function checkServer(url: string, health: ServerHealth): CheckResult {
  if (!health.reachable)
    return {
      check: 'server',
      status: 'warn',
      detail: `no memql server answers at ${url} (not started, or --url / MEMQL_URL points elsewhere); keys, projects and users commands need one`,
    };
  if (health.status === 200) return { check: 'server', status: 'ok', detail: `serving at ${url}` };
  return {
    check: 'server',
    status: 'fail',
    detail: `${url} answers /health with ${health.status}: database ${health.body?.database ?? '?'}, vector store ${health.body?.vectorStore ?? '?'}`,
  };
}

/** Connects, reads the server version and compares applied migrations with prisma/migrations. */
async function inspectDatabase(url: string): Promise<{ version: string; pending: string[]; unknown: string[] }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: TIMEOUT_MS });
  await client.connect();
  try {
    const version = String((await client.query<{ v: string }>('SHOW server_version')).rows[0]?.v ?? '?');
    const table = await client.query<{ t: string | null }>(
      "SELECT to_regclass('public._prisma_migrations')::text AS t",
    );
    const applied = table.rows[0]?.t
      ? (
          await client.query<{ name: string }>(
            'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
          )
        ).rows.map((row) => row.name)
      : [];
    const known = (await readMigrations(defaultMigrationsDir())).migrationDirectories.map((m) => m.path);
    return {
      version,
      pending: known.filter((name) => !applied.includes(name)),
      unknown: applied.filter((name) => !known.includes(name)),
    };
  } finally {
    await client.end();
  }
}

function describeDatabase(where: string, found: Awaited<ReturnType<typeof inspectDatabase>>): CheckResult {
  if (found.unknown.length)
    return {
      check: 'database',
      status: 'fail',
      detail: `${where}: PostgreSQL ${found.version}, but it has migrations this code does not know (${found.unknown.join(', ')}): a newer memql wrote it; run that version`,
    };
  if (found.pending.length)
    return {
      check: 'database',
      status: 'warn',
      detail: `${where}: PostgreSQL ${found.version}; ${found.pending.length} migration(s) not applied yet (${found.pending.join(', ')}): the server applies them at start, or run npm run migrate`,
    };
  return { check: 'database', status: 'ok', detail: `${where}: PostgreSQL ${found.version}, schema up to date` };
}

function databaseFailure(error: unknown, url: string): string {
  const code = (error as { code?: string }).code;
  const target = new URL(url);
  const at = `${target.hostname}:${target.port || 5432}${target.pathname}`;
  switch (code) {
    case 'ECONNREFUSED':
      return `nothing listens at ${at}: start PostgreSQL, or fix the host and port in DATABASE_URL`;
    case 'ENOTFOUND':
      return `the host in DATABASE_URL (${target.hostname}) does not resolve`;
    case '28P01':
    case '28000':
      return `PostgreSQL at ${at} refused the login: check the user and password in DATABASE_URL`;
    case '3D000':
      return `the database ${target.pathname.slice(1)} does not exist on ${target.hostname}: create it (CREATE DATABASE), or fix DATABASE_URL`;
    default:
      return `cannot use ${at}: ${reason(error)}`;
  }
}

export async function checkDatabase(config: Config, health: ServerHealth): Promise<CheckResult> {
  if (config.database.kind === 'external') {
    try {
      return describeDatabase('DATABASE_URL', await inspectDatabase(config.database.url));
    } catch (error) {
      return { check: 'database', status: 'fail', detail: databaseFailure(error, config.database.url) };
    }
  }
  const dataDir = path.join(config.dataDir, 'pg');
  if (!existsSync(dataDir))
    return {
      check: 'database',
      status: 'warn',
      detail: `no embedded database yet in ${dataDir}: the first npm start creates it (or set DATABASE_URL)`,
    };
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  try {
    embedded = await startEmbeddedPostgres({ dataDir });
  } catch (error) {
    if (error instanceof EmbeddedPostgresLockedError) {
      if (health.reachable && health.body?.database === 'up')
        return {
          check: 'database',
          status: 'ok',
          detail: `embedded (${dataDir}), served by the running server (process ${error.pid}), which reports it up`,
        };
      return { check: 'database', status: 'fail', detail: `${error.message}; that process does not answer /health` };
    }
    return {
      check: 'database',
      status: 'fail',
      detail: `the embedded database in ${dataDir} does not open: ${reason(error)}`,
    };
  }
  try {
    return describeDatabase(`embedded (${dataDir})`, await inspectDatabase(embedded.url));
  } catch (error) {
    return { check: 'database', status: 'fail', detail: `the embedded database in ${dataDir}: ${reason(error)}` };
  } finally {
    await embedded.stop();
  }
}

async function chromaVersion(url: string): Promise<string> {
  const base = url.replace(/\/+$/, '');
  const heartbeat = await fetch(`${base}/api/v2/heartbeat`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!heartbeat.ok) throw new Error(`/api/v2/heartbeat answered HTTP ${heartbeat.status}`);
  const version = await fetch(`${base}/api/v2/version`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  return version.ok ? String(await version.json()) : '?';
}

export async function checkVectorStore(config: Config, health: ServerHealth): Promise<CheckResult> {
  if (config.chroma.kind === 'external') {
    try {
      return {
        check: 'vector store',
        status: 'ok',
        detail: `Chroma ${await chromaVersion(config.chroma.url)} at CHROMA_URL`,
      };
    } catch (error) {
      return {
        check: 'vector store',
        status: 'fail',
        detail: `Chroma at ${config.chroma.url} does not answer (${reason(error)}): start it, or fix CHROMA_URL`,
      };
    }
  }
  if (health.reachable && health.body?.vectorStore === 'up')
    return { check: 'vector store', status: 'ok', detail: 'embedded Chroma, run by the server, which reports it up' };
  // Not served right now: start the embedded Chroma once, in a scratch folder, to see that it runs here.
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'memql-doctor-'));
  try {
    const chroma = await startChromaServer({ dataDir: scratch, startTimeoutMs: 20_000 });
    try {
      return {
        check: 'vector store',
        status: 'ok',
        detail: `embedded Chroma ${await chromaVersion(chroma.url)} starts`,
      };
    } finally {
      await chroma.stop();
    }
  } catch (error) {
    return {
      check: 'vector store',
      status: 'fail',
      detail: `the embedded Chroma does not start here (${reason(error)}); run a Chroma server and set CHROMA_URL`,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function checkEmbedder(config: Config, log: Logger): Promise<CheckResult> {
  const where =
    config.embeddings.provider === 'openai'
      ? `${config.embeddings.model} at MEMQL_EMBEDDINGS_BASE_URL`
      : config.embeddings.provider === 'hashing'
        ? 'the hashing embedder'
        : 'the offline USE-lite model';
  try {
    const started = performance.now();
    const embedder = await createEmbedder(config.embeddings, log);
    try {
      const [vector] = await embedder.embed(['memql doctor checks the embedder']);
      if (vector?.length !== embedder.dimension)
        return {
          check: 'embedder',
          status: 'fail',
          detail: `${where} returned ${vector?.length ?? 0} numbers, not the ${embedder.dimension} expected: fix MEMQL_EMBEDDINGS_DIMENSION`,
        };
      const ms = Math.round(performance.now() - started);
      return {
        check: 'embedder',
        status: 'ok',
        detail: `${where}: ${embedder.model}, ${embedder.dimension} dimensions (${ms} ms)`,
      };
    } finally {
      await embedder.close();
    }
  } catch (error) {
    return { check: 'embedder', status: 'fail', detail: `${where}: ${(error as Error).message}` };
  }
}

export async function checkLlm(config: Config, log: Logger): Promise<CheckResult> {
  if (config.llm.provider === 'rule-based')
    return {
      check: 'llm',
      status: 'skip',
      detail: 'MEMQL_LLM_BASE_URL unset: the offline rule-based extractor extracts',
    };
  const client = createChatClient({ ...config.llm, timeoutMs: Math.min(config.llm.timeoutMs, 20_000) }, log);
  try {
    const started = performance.now();
    const answer = await client.complete(
      [{ role: 'user', content: 'Answer with the JSON object {"ok": true} and nothing else.' }],
      { maxAttempts: 1 },
    );
    const ms = Math.round(performance.now() - started);
    const tokens = answer.usage ? `, ${answer.usage.promptTokens + answer.usage.completionTokens} tokens` : '';
    return {
      check: 'llm',
      status: 'ok',
      detail: `${config.llm.model} at ${client.endpoint} answers (${ms} ms${tokens})`,
    };
  } catch (error) {
    const status = (error as { status?: number | null }).status;
    const hint =
      status === 401 || status === 403
        ? ': the endpoint refused the key (MEMQL_LLM_API_KEY)'
        : status === 404
          ? ': no such model or path (MEMQL_LLM_MODEL, MEMQL_LLM_BASE_URL: it usually ends in /v1)'
          : '';
    return { check: 'llm', status: 'fail', detail: `${(error as Error).message}${hint}` };
  }
}

export async function checkRedis(config: Config): Promise<CheckResult> {
  if (!config.redisUrl)
    return {
      check: 'redis',
      status: 'skip',
      detail: 'REDIS_URL unset: events and rate limits stay inside one server process',
    };
  const redis = new Redis(config.redisUrl, {
    lazyConnect: true,
    connectTimeout: TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const pong = await redis.ping();
    const info = await redis.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
    return { check: 'redis', status: 'ok', detail: `Redis ${version} at REDIS_URL answers ${pong}` };
  } catch (error) {
    return {
      check: 'redis',
      status: 'fail',
      detail: `Redis at REDIS_URL does not answer (${reason(error)}): start it, or fix REDIS_URL`,
    };
  } finally {
    redis.disconnect();
  }
}
