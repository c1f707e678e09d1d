// Applies prisma/migrations offline, through Prisma's WebAssembly schema
// engine (@prisma/schema-engine-wasm) driving a `pg` connection via
// @prisma/adapter-pg. `applyMigrations` is what `prisma migrate deploy` does
// and keeps the same `_prisma_migrations` table, so the stock CLI stays
// compatible wherever it can download its native engine.
//
// `createMigrationSql` is `prisma migrate diff --from-migrations
// --to-schema --script`: it replays the migrations on a throwaway shadow
// database and prints the SQL that brings them to schema.prisma.

import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as engineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { MigrationList, SchemaContainer, SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { createScratchDatabase } from './scratch-database.js';

/**
 * Where migration progress goes: a pino logger fits, and so does any object
 * with these two methods. Library code never writes to the console.
 */
export interface MigrationLog {
  info(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

const silent: MigrationLog = { info: () => undefined, debug: () => undefined };

/** A migration or diff that the schema engine refused; `cause` holds the engine's error. */
/**
 * The name of the database the URL names when the server says it does not
 * exist (the schema engine's "Database `x` does not exist", PostgreSQL's
 * 3D000 'database "x" does not exist'); null for any other error.
 */
export function missingDatabaseName(error: unknown): string | null {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string') {
      const match = /Database `([^`]+)` does not exist|database "([^"]+)" does not exist/.exec(message);
      if (match) return match[1] ?? match[2] ?? null;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

// ---------------------------------------------------------------- locations

/**
 * The project root: the nearest folder above this module that holds
 * prisma/schema.prisma (works from src/ under tsx and from dist/ after a build).
 */
function findProjectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'prisma', 'schema.prisma'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new MigrationError(`cannot find prisma/schema.prisma above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** Default prisma/migrations folder of this checkout or install. */
export function defaultMigrationsDir(): string {
  return path.join(findProjectRoot(), 'prisma', 'migrations');
}

/** Default prisma/schema.prisma of this checkout or install. */
export function defaultSchemaPath(): string {
  return path.join(findProjectRoot(), 'prisma', 'schema.prisma');
}

// ---------------------------------------------------------------- the wasm engine

let bindingsReady: Promise<void> | null = null;

/**
 * Instantiates schema_engine_bg.wasm once per process. The package's own entry
 * imports the .wasm as an ES module, which Node 20 cannot load, so the module
 * is compiled from its bytes and handed to the JS glue by hand.
 */
function loadEngineBindings(): Promise<void> {
  bindingsReady ??= (async () => {
    const require = createRequire(import.meta.url);
    const glue = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(path.join(path.dirname(glue), 'schema_engine_bg.wasm'));
    const { instance } = await wasmRuntime().instantiate(bytes, {
      './schema_engine_bg.js': withUnrefTimers(engineBindings),
    });
    engineBindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    installPanicRegistry();
  })();
  bindingsReady.catch(() => {
    bindingsReady = null;
  });
  return bindingsReady;
}

/** The global WebAssembly object (the project's `lib` settings type only its namespace). */
interface WasmRuntime {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
}

function wasmRuntime(): WasmRuntime {
  return (globalThis as unknown as { WebAssembly: WasmRuntime }).WebAssembly;
}

/**
 * The engine arms timeouts (setTimeout) that it never clears; left as they
 * are they keep a finished CLI alive for 10 s. Its own work always waits on a
 * database socket too, so unref'd timers change nothing else.
 */
function withUnrefTimers(bindings: object): Record<string, unknown> {
  const imports: Record<string, unknown> = { ...bindings };
  for (const name of Object.keys(imports)) {
    if (!name.startsWith('__wbg_setTimeout_')) continue;
    imports[name] = (callback: () => void, ms: number) => setTimeout(callback, ms >>> 0).unref();
  }
  return imports;
}

/** The engine's Rust panic hook reports the message to this global before it aborts. */
interface PanicRegistry {
  message: string | null;
  set_message(message: string): void;
}

function installPanicRegistry(): void {
  const holder = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry };
  holder.PRISMA_WASM_PANIC_REGISTRY ??= {
    message: null,
    set_message(message: string) {
      this.message = message;
    },
  };
}

function lastPanicMessage(): string | null {
  const holder = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry };
  const message = holder.PRISMA_WASM_PANIC_REGISTRY?.message ?? null;
  if (holder.PRISMA_WASM_PANIC_REGISTRY) holder.PRISMA_WASM_PANIC_REGISTRY.message = null;
  return message;
}

/**
 * PostgreSQL catalog types the schema engine reads while describing a
 * populated database (`"char"` columns such as pg_class.relkind, and `name`).
 * @prisma/adapter-pg 7.10 rejects `"char"` as an unsupported column type
 * (prisma/orm#27403). They are plain text on the wire, so the migration pool
 * relabels them as `text` in result metadata and parses them as strings. The
 * change is confined to this pool's own `Client` class: the app's pools and
 * pg's global type registry are untouched.
 */
const CATALOG_TEXT_OIDS: ReadonlySet<number> = new Set([18 /* "char" */, 19 /* name */]);
const TEXT_OID = 25;

interface FieldLike {
  dataTypeID: number;
}

function relabelCatalogFields(result: unknown): void {
  const results = Array.isArray(result) ? result : [result];
  for (const one of results) {
    const fields = (one as { fields?: FieldLike[] } | null)?.fields;
    if (!Array.isArray(fields)) continue;
    for (const field of fields) {
      if (CATALOG_TEXT_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    }
  }
}

/** A pg.Client whose query results report `"char"`/`name` columns as text. */
class MigrationClient extends pg.Client {
  // pg's query() has many overloads: pg.Pool calls it with a trailing
  // callback, a checked-out client (transactions) without one.
  override query(...args: unknown[]): never {
    const run = super.query as (...a: unknown[]) => unknown;
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      const callback = last as (error: unknown, result: unknown) => void;
      args[args.length - 1] = (error: unknown, result: unknown) => {
        if (!error) relabelCatalogFields(result);
        callback(error, result);
      };
    }
    const out = run.apply(this, args);
    if (out && typeof (out as Promise<unknown>).then === 'function') {
      return (out as Promise<unknown>).then((result) => {
        relabelCatalogFields(result);
        return result;
      }) as never;
    }
    return out as never;
  }
}

/** PrismaPg's pool config (it brings its own copy of @types/pg). */
type AdapterPoolConfig = Exclude<ConstructorParameters<typeof PrismaPg>[0], string | { totalCount: number }>;

function migrationPoolConfig(url: string): AdapterPoolConfig {
  // One connection: the embedded PGlite server takes one at a time, and the
  // engine applies migrations sequentially anyway. Keep it open while in use.
  return {
    connectionString: url,
    max: 1,
    idleTimeoutMillis: 0,
    Client: MigrationClient as unknown as AdapterPoolConfig['Client'],
  };
}

function adapterFactory(url: string): PrismaPg {
  return new PrismaPg(migrationPoolConfig(url));
}

function logCallback(log: MigrationLog): (line: string) => void {
  return (line: string) => {
    log.debug({ engine: line }, 'schema engine');
  };
}

/**
 * Wraps a factory to remember the adapters it hands out: the engine does not
 * dispose them when freed, and an undisposed adapter keeps its pool (and the
 * process) alive.
 */
class DisposingFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider: SqlMigrationAwareDriverAdapterFactory['provider'];
  readonly adapterName: string;
  private readonly open = new Set<SqlDriverAdapter>();

  constructor(private readonly inner: SqlMigrationAwareDriverAdapterFactory) {
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
  }

  connect(): Promise<SqlDriverAdapter> {
    return this.inner.connect().then((adapter) => this.track(adapter));
  }

  connectToShadowDb(): Promise<SqlDriverAdapter> {
    return this.inner.connectToShadowDb().then((adapter) => this.track(adapter));
  }

  private track(adapter: SqlDriverAdapter): SqlDriverAdapter {
    this.open.add(adapter);
    sendScriptsWhole(adapter);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      if (!this.open.delete(adapter)) return;
      await dispose();
    };
    return adapter;
  }

  /** Disposes what the engine left open, most recent first (shadow databases before the main one). */
  async disposeAll(): Promise<void> {
    for (const adapter of [...this.open].reverse()) await adapter.dispose();
  }
}

/**
 * PrismaPg's executeScript splits a migration on every ";" and sends the
 * pieces one by one, which breaks dollar-quoted bodies (the webhook triggers'
 * plpgsql functions). PostgreSQL takes the whole script as one simple query,
 * run as one implicit transaction: send it so. Errors go through the
 * adapter's own conversion, so the engine reports them as it would have.
 */
function sendScriptsWhole(adapter: SqlDriverAdapter): void {
  const pg = adapter as unknown as { underlyingDriver?: () => unknown; onError?: (error: unknown) => never };
  const driver = pg.underlyingDriver?.() as { query?: (sql: string) => Promise<unknown> } | undefined;
  const convert = pg.onError;
  if (typeof driver?.query !== 'function' || typeof convert !== 'function') return;
  adapter.executeScript = async (script: string) => {
    try {
      await driver.query!(script);
    } catch (error) {
      convert.call(adapter, error);
    }
  };
}

async function withEngine<T>(
  inner: SqlMigrationAwareDriverAdapterFactory,
  schemaFiles: SchemaContainer[] | null,
  log: MigrationLog,
  run: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await loadEngineBindings();
  const factory = new DisposingFactory(inner);
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  const datamodels = schemaFiles ? schemaFiles.map((f): [string, string] => [f.path, f.content]) : undefined;
  let engine: SchemaEngine;
  try {
    engine = await engineBindings.SchemaEngine.new({ datamodels }, logCallback(log), bound);
  } catch (error) {
    await factory.disposeAll();
    throw engineError('cannot start the schema engine', error);
  }
  try {
    return await run(engine);
  } catch (error) {
    throw engineError('schema engine failed', error);
  } finally {
    engine.free();
    await factory.disposeAll();
  }
}

function engineError(context: string, error: unknown): MigrationError {
  if (error instanceof MigrationError) return error;
  const panic = lastPanicMessage();
  const detail = panic ?? (error instanceof Error ? error.message : String(error));
  return new MigrationError(`${context}: ${detail}`, { cause: error });
}

// ---------------------------------------------------------------- files

const LOCKFILE = 'migration_lock.toml';
const MIGRATION_FILE = 'migration.sql';

/** Reads a migrations folder into the engine's shape (what the CLI's listMigrations does). */
export async function readMigrations(migrationsDir: string): Promise<MigrationList> {
  const baseDir = path.resolve(migrationsDir);
  const lockfilePath = path.join(baseDir, LOCKFILE);
  const lockfile = existsSync(lockfilePath) ? await readFile(lockfilePath, 'utf8') : null;
  const entries = existsSync(baseDir) ? await readdir(baseDir, { withFileTypes: true }) : [];
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => {
      const file = path.join(baseDir, name, MIGRATION_FILE);
      const content = await readFile(file, 'utf8').then(
        (value) => ({ tag: 'ok' as const, value }),
        (error: unknown) => ({ tag: 'error' as const, value: error instanceof Error ? error.message : String(error) }),
      );
      return { path: name, migrationFile: { path: MIGRATION_FILE, content } };
    }),
  );
  return { baseDir, lockfile: { path: LOCKFILE, content: lockfile }, shadowDbInitScript: '', migrationDirectories };
}

async function readSchema(schemaPath: string): Promise<SchemaContainer> {
  return { path: path.resolve(schemaPath), content: await readFile(schemaPath, 'utf8') };
}

const NO_FILTER = { externalTables: [], externalEnums: [] };

// ---------------------------------------------------------------- apply

export interface ApplyMigrationsOptions {
  /** postgresql:// URL of the database to migrate (an embedded PGlite server's URL works too). */
  url: string;
  /** Folder of `<timestamp>_<name>/migration.sql` directories. Default: the project's prisma/migrations. */
  migrationsDir?: string;
  /** Default: silent. */
  log?: MigrationLog;
}

/**
 * Applies every migration not yet recorded in `_prisma_migrations`, in name
 * order, each in its own transaction; a no-op when the database is current.
 * Uses one connection, closed before returning. Throws MigrationError (with
 * the engine's message) when a migration fails or one already applied was
 * edited; the failed migration stays marked failed, as with `migrate deploy`.
 */
export async function applyMigrations(options: ApplyMigrationsOptions): Promise<{ applied: string[] }> {
  const log = options.log ?? silent;
  const migrationsList = await readMigrations(options.migrationsDir ?? defaultMigrationsDir());
  if (migrationsList.migrationDirectories.length === 0) {
    throw new MigrationError(`no migrations found in ${migrationsList.baseDir}`);
  }
  const { appliedMigrationNames } = await withEngine(adapterFactory(options.url), null, log, (engine) =>
    engine.applyMigrations({ migrationsList, filters: NO_FILTER }),
  );
  if (appliedMigrationNames.length > 0) {
    log.info({ applied: appliedMigrationNames }, `applied ${appliedMigrationNames.length} database migration(s)`);
  } else {
    log.debug({ migrations: migrationsList.migrationDirectories.length }, 'database schema is up to date');
  }
  return { applied: appliedMigrationNames };
}

// ---------------------------------------------------------------- diff

export interface CreateMigrationSqlOptions {
  /** Default: the project's prisma/migrations. */
  migrationsDir?: string;
  /** Default: the project's prisma/schema.prisma. */
  schemaPath?: string;
  /**
   * A PostgreSQL server on which throwaway shadow databases may be created
   * (CREATE DATABASE rights). Default: an embedded PGlite in a temporary
   * folder, started for the call and removed afterwards.
   */
  shadowServerUrl?: string;
  log?: MigrationLog;
}

/**
 * The SQL that takes a database built by the migrations to the state
 * schema.prisma describes; '' when they already agree. Nothing is written.
 */
export async function createMigrationSql(options: CreateMigrationSqlOptions = {}): Promise<string> {
  const log = options.log ?? silent;
  const migrationsList = await readMigrations(options.migrationsDir ?? defaultMigrationsDir());
  const schema = await readSchema(options.schemaPath ?? defaultSchemaPath());
  return diffSchemas({
    from: migrationsList.migrationDirectories.length > 0 ? { tag: 'migrations', ...migrationsList } : { tag: 'empty' },
    to: { tag: 'schemaDatamodel', files: [schema] },
    shadowServerUrl: options.shadowServerUrl,
    log,
  });
}

export type DiffTarget = Parameters<SchemaEngine['diff']>[0]['from'];

/**
 * Any engine diff as an executable script (`prisma migrate diff --script`).
 * A `migrations` target is replayed on a shadow database (see
 * CreateMigrationSqlOptions.shadowServerUrl); `empty` and `schemaDatamodel`
 * need no database.
 */
export async function diffSchemas(options: {
  from: DiffTarget;
  to: DiffTarget;
  shadowServerUrl?: string;
  log?: MigrationLog;
}): Promise<string> {
  const log = options.log ?? silent;
  const factory = options.shadowServerUrl
    ? new ServerShadowFactory(options.shadowServerUrl, log)
    : new EmbeddedShadowFactory(log);
  try {
    const result = await withEngine(factory, null, log, (engine) =>
      engine.diff({ from: options.from, to: options.to, script: true, exitCode: null, filters: NO_FILTER }),
    );
    return normalizeScript(result.stdout ?? '');
  } finally {
    if (factory instanceof EmbeddedShadowFactory) await factory.close();
  }
}

/** The engine prints "-- This is an empty migration." for no change; call that ''. */
function normalizeScript(script: string): string {
  const meaningful = script.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('--'));
  return meaningful.length === 0 ? '' : script;
}

/**
 * Shadow databases as throwaway databases on a PostgreSQL server
 * (PrismaPg's own connectToShadowDb leaks its admin connection and drops the
 * database before closing the pool that uses it).
 */
class ServerShadowFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@prisma/adapter-pg';

  constructor(
    private readonly url: string,
    private readonly log: MigrationLog,
  ) {}

  connect(): Promise<SqlDriverAdapter> {
    return adapterFactory(this.url).connect();
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const shadow = await createScratchDatabase(this.url, 'prisma_migrate_shadow_db_');
    this.log.debug({ database: shadow.name }, 'created a shadow database');
    const adapter = await adapterFactory(shadow.url).connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await shadow.drop();
    };
    return adapter;
  }
}

/**
 * Adapter factory whose databases are embedded PGlite servers in temporary
 * folders: one for the engine's main connection and a fresh one per shadow
 * database. Everything is stopped and deleted by close().
 */
class EmbeddedShadowFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@prisma/adapter-pg';
  private readonly started: { stop(): Promise<void> }[] = [];

  constructor(private readonly log: MigrationLog) {}

  private async fresh(): Promise<SqlDriverAdapter> {
    const dir = await mkdtemp(path.join(tmpdir(), 'memql-shadow-'));
    const server = await startEmbeddedPostgres({ dataDir: dir });
    this.started.push({
      stop: async () => {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    });
    this.log.debug({ dir }, 'started an embedded shadow database');
    return adapterFactory(server.url).connect();
  }

  connect(): Promise<SqlDriverAdapter> {
    return this.fresh();
  }

  connectToShadowDb(): Promise<SqlDriverAdapter> {
    return this.fresh();
  }

  async close(): Promise<void> {
    for (const part of this.started.splice(0).reverse()) await part.stop();
  }
}
