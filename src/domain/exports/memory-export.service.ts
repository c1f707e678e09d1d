// Structured exports (Mem0's memory export): a user's memories written into
// a caller's JSON Schema. The schema is checked when the export is created
// (BAD_USER_INPUT naming the path inside it); the job is a row, so it
// survives a restart and resumes. A StructuredFiller (an LLM, or the offline
// filler) proposes a value; it is validated against the schema, and an LLM
// is asked again with the problems until the value validates or the
// attempts run out. Only a valid value is FINISHED.

import { isUuid } from '../../lib/ids.js';
import { BadInputError } from '../errors.js';
import { parseMemoryFilter } from '../memory/memory-filter.js';
import type { MemoryKeyset } from '../memory/memory-page.js';
import type {
  JsonSchemaValidator,
  Log,
  MemoryExportRecord,
  MemoryExportRepository,
  MemoryRepository,
  ProfileConfigRepository,
  SchemaProblem,
  StructuredFiller,
} from '../ports.js';
import { DEFAULT_PROFILE_CONFIG } from '../profile/default-profile.js';
import type { JsonObject, JsonValue, MemoryRecord, TokenUsage, UserRecord, Viewer } from '../types.js';

export interface MemoryExportCommand {
  schema: unknown;
  instructions?: string | null;
  filter?: unknown;
}

export const MEMORY_EXPORT_LIMITS = {
  /** Characters of the schema as JSON. */
  maxSchemaChars: 65_536,
  maxInstructionsChars: 4_000,
  /** Memories handed to the filler, most recently updated kept. */
  maxMemories: 500,
  /** Attempts of a filler that can give a different answer (an LLM). */
  maxAttempts: 3,
} as const;

export interface MemoryExportOptions {
  leaseMs: number;
}

export class MemoryExportService {
  private readonly running = new Map<string, Promise<MemoryExportRecord | null>>();
  private stopped = false;

  constructor(
    private readonly deps: {
      exports: MemoryExportRepository;
      memories: MemoryRepository;
      profileConfigs: ProfileConfigRepository;
      validator: JsonSchemaValidator;
      filler: StructuredFiller;
      log: Log;
    },
    private readonly options: MemoryExportOptions = { leaseMs: 10 * 60_000 },
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Checks the request, stores the job and starts it; with `wait`, answers once it is done. */
  async create(user: UserRecord, command: MemoryExportCommand, wait = false): Promise<MemoryExportRecord> {
    const schema = this.checkSchema(command.schema);
    const instructions = command.instructions?.trim() ? command.instructions : null;
    if (instructions && instructions.length > MEMORY_EXPORT_LIMITS.maxInstructionsChars)
      throw new BadInputError('instructions', `at most ${MEMORY_EXPORT_LIMITS.maxInstructionsChars} characters`);
    parseMemoryFilter(command.filter);
    const filter = command.filter === undefined || command.filter === null ? null : toJson(command.filter);
    const job = await this.deps.exports.create({
      projectId: user.projectId,
      userPk: user.pk,
      schema,
      instructions,
      filter,
    });
    const run = this.start(job.id);
    return wait ? ((await run) ?? job) : job;
  }

  find(viewer: Viewer, id: string): Promise<MemoryExportRecord | null> {
    return isUuid(id) ? this.deps.exports.findById(viewer.projectId, id) : Promise.resolve(null);
  }

  /** Runs the jobs a stopped process left (PENDING, or RUNNING under an expired lease). */
  async resume(): Promise<number> {
    const ids = await this.deps.exports.unfinished(this.clock(), 100);
    for (const id of ids) void this.start(id);
    return ids.length;
  }

  /** Waits for the jobs in flight; starts no new one. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(this.running.values());
  }

  private start(id: string): Promise<MemoryExportRecord | null> {
    const existing = this.running.get(id);
    if (existing) return existing;
    if (this.stopped) return Promise.resolve(null);
    const run = this.run(id)
      .catch((error: unknown) => {
        this.deps.log.error({ err: error, exportId: id }, 'memory export failed unexpectedly');
        return null;
      })
      .finally(() => this.running.delete(id));
    this.running.set(id, run);
    return run;
  }

  private async run(id: string): Promise<MemoryExportRecord | null> {
    const job = await this.deps.exports.claim(id, this.options.leaseMs, this.clock());
    if (!job) return null; // another process has it, or it is done
    const finish = (outcome: {
      status: 'FINISHED' | 'FAILED';
      result: JsonValue | null;
      errors: string[];
      usage: TokenUsage | null;
      attempts: number;
    }) => this.deps.exports.finish(id, { ...outcome, finishedAt: this.clock() });

    const [memories, config] = await Promise.all([this.memoriesOf(job), this.deps.profileConfigs.get(job.projectId)]);
    const maxAttempts = this.deps.filler.retries ? MEMORY_EXPORT_LIMITS.maxAttempts : 1;
    let usage: TokenUsage | null = null;
    let previous: { value: unknown; problems: SchemaProblem[] } | null = null;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      let value: unknown;
      try {
        const answer = await this.deps.filler.fill({
          schema: job.schema,
          instructions: job.instructions,
          memories,
          profile: config ?? DEFAULT_PROFILE_CONFIG,
          previous,
        });
        value = answer.value;
        usage = addUsage(usage, answer.usage);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.deps.log.warn({ exportId: id, attempt, error: message }, 'memory export: the filler failed');
        return finish({ status: 'FAILED', result: null, errors: [message], usage, attempts: attempt });
      }
      const problems = this.deps.validator.validate(job.schema, value);
      if (problems.length === 0)
        return finish({ status: 'FINISHED', result: toJson(value), errors: [], usage, attempts: attempt });
      previous = { value, problems };
    }
    return finish({
      status: 'FAILED',
      result: null,
      errors: (previous?.problems ?? []).map(describeProblem),
      usage,
      attempts: maxAttempts,
    });
  }

  private checkSchema(input: unknown): JsonObject {
    if (input === null || typeof input !== 'object' || Array.isArray(input))
      throw new BadInputError('schema', 'must be a JSON Schema object');
    const text = JSON.stringify(input);
    if (text.length > MEMORY_EXPORT_LIMITS.maxSchemaChars)
      throw new BadInputError('schema', `at most ${MEMORY_EXPORT_LIMITS.maxSchemaChars} characters as JSON`);
    const schema = JSON.parse(text) as JsonObject;
    const problems = this.deps.validator.checkSchema(schema);
    if (problems.length > 0) {
      const first = problems[0]!;
      throw new BadInputError(`schema${first.path.replace(/\//g, '.')}`, problems.map(describeProblem).join('; '));
    }
    return schema;
  }

  /** The memories the export's filter selects, oldest first (the most recently updated kept past the cap). */
  private async memoriesOf(job: MemoryExportRecord): Promise<MemoryRecord[]> {
    const selection = parseMemoryFilter(job.filter ?? undefined);
    const order = { field: 'updatedAt', direction: 'desc' } as const;
    const items: MemoryRecord[] = [];
    let after: MemoryKeyset | null = null;
    while (items.length < MEMORY_EXPORT_LIMITS.maxMemories) {
      const page = await this.deps.memories.list(job.userPk, selection, { first: 100, after, order }, this.clock());
      items.push(...page.items);
      const last = page.items.at(-1);
      if (!page.hasNextPage || !last) break;
      after = { value: last.updatedAt, id: last.id };
    }
    return items
      .slice(0, MEMORY_EXPORT_LIMITS.maxMemories)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  }
}

export function describeProblem(problem: SchemaProblem): string {
  return `${problem.path || '/'}: ${problem.message}`;
}

function addUsage(total: TokenUsage | null, usage: TokenUsage | null): TokenUsage | null {
  if (!usage) return total;
  if (!total) return usage;
  return {
    promptTokens: total.promptTokens + usage.promptTokens,
    completionTokens: total.completionTokens + usage.completionTokens,
    calls: total.calls + usage.calls,
  };
}

/** A plain JSON copy (GraphQL input objects, dates as ISO strings). */
function toJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value ?? null)) as JsonValue;
}
