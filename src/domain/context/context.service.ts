// Prompt context (Memobase's "context"): what is known about a user as one
// prompt-ready text within a token budget. Three parts, packed by priority:
// the memories most relevant to `query` (searchMemories), the profile (live
// memories grouped by topic), and the most recent event summaries. Tokens
// are counted with a real tokenizer (the TokenCounter port); the text never
// exceeds the budget by that count.

import { BadInputError } from '../errors.js';
import type { MemorySearchService } from '../memory/memory-search.service.js';
import { type MemorySelection, parseMemoryFilter } from '../memory/memory-filter.js';
import type { MemoryKeyset } from '../memory/memory-page.js';
import type { EventRepository, MemoryRepository, ProfileConfigRepository, TokenCounter } from '../ports.js';
import { DEFAULT_PROFILE_CONFIG } from '../profile/default-profile.js';
import type { MemoryEventRecord, MemoryRecord, ProfileConfig, UserRecord } from '../types.js';
import type { ContextFormat, ContextPart } from './context.render.js';

export type { ContextFormat, ContextPart };
import {
  type ContextItem as Candidate,
  type ContextView,
  renderContext,
  renderPieces,
  sortProfile,
} from './context.render.js';

export const CONTEXT_PARTS: readonly ContextPart[] = ['PROFILE', 'MEMORIES', 'EVENTS'];

export interface ContextRequest {
  maxTokens?: number | null;
  query?: string | null;
  topics?: readonly string[] | null;
  filter?: unknown;
  include?: readonly ContextPart[] | null;
  format?: ContextFormat | null;
}

export interface PromptContext {
  text: string;
  /** Tokens of `text` by the counter's encoding. */
  tokens: number;
  /** The memories the text holds, in the order they appear. */
  memories: MemoryRecord[];
  /** The events the text holds, in the order they appear. */
  events: MemoryEventRecord[];
  /** Something selected did not fit the budget (or past the caps below). */
  truncated: boolean;
}

export const CONTEXT_LIMITS = {
  defaultMaxTokens: 1_000,
  maxTokens: 32_768,
  /** Memories of the profile considered, most important and most recently updated first. */
  profileMemories: 1_000,
  /** Memories asked of searchMemories for `query`. */
  queryMemories: 5,
  events: 50,
  maxTopics: 100,
} as const;

export class ContextService {
  constructor(
    private readonly deps: {
      memories: MemoryRepository;
      events: EventRepository;
      profileConfigs: ProfileConfigRepository;
      search: MemorySearchService;
      tokens: TokenCounter;
    },
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async build(user: UserRecord, request: ContextRequest): Promise<PromptContext> {
    const args = contextArguments(request);
    const selection = withTopics(parseMemoryFilter(request.filter), args.topics);
    const wants = (part: ContextPart) => args.include.includes(part);
    const query = wants('MEMORIES') ? args.query : null;

    const [relevant, listed, events, config] = await Promise.all([
      query
        ? this.deps.search.searchUser(user, {
            text: query,
            filter: topicFilter(request.filter, args.topics),
            topK: CONTEXT_LIMITS.queryMemories,
          })
        : Promise.resolve([]),
      wants('PROFILE') || (wants('MEMORIES') && !query)
        ? this.listMemories(user, selection)
        : Promise.resolve({ items: [], capped: false }),
      wants('EVENTS') ? this.deps.events.listRecent(user.pk, CONTEXT_LIMITS.events) : Promise.resolve([]),
      this.deps.profileConfigs.get(user.projectId),
    ]);

    const candidates: Candidate[] = relevant.map((match) => ({
      kind: 'relevant',
      memory: match.memory,
      score: match.score,
    }));
    const shown = new Set(candidates.map((c) => (c.kind === 'relevant' ? c.memory.id : '')));
    const byPriority = [...listed.items].sort(byImportanceThenRecency);
    if (wants('PROFILE')) {
      for (const memory of byPriority) if (!shown.has(memory.id)) candidates.push({ kind: 'profile', memory });
    } else if (wants('MEMORIES') && !query) {
      for (const memory of byPriority) candidates.push({ kind: 'recent', memory });
    }
    for (const event of events) candidates.push({ kind: 'event', event });

    const packed = this.pack(candidates, args, config ?? DEFAULT_PROFILE_CONFIG);
    return { ...packed, truncated: packed.truncated || listed.capped };
  }

  /** Greedy by priority on per-piece counts, then the exact count of the whole text decides. */
  private pack(
    candidates: readonly Candidate[],
    args: { maxTokens: number; format: ContextFormat },
    config: ProfileConfig,
  ): PromptContext {
    const pieces = renderPieces(args.format);
    const count = (text: string) => this.deps.tokens.count(text);
    const opened = new Set<string>();
    const chosen: Candidate[] = [];
    let estimate = count(renderContext(emptyView(), args.format, config));
    let skipped = false;
    for (const candidate of candidates) {
      const groups = groupsOf(candidate);
      const overhead = groups
        .filter((group) => !opened.has(group))
        .reduce((sum, group) => sum + count(pieces.group(group)) + 1, 0);
      const cost = count(pieces.item(candidate)) + 1 + overhead;
      if (estimate + cost > args.maxTokens) {
        skipped = true;
        continue;
      }
      estimate += cost;
      chosen.push(candidate);
      for (const group of groups) opened.add(group);
    }

    // The sum of the pieces is close to, but not always the same as, the count of the joined text.
    for (;;) {
      const view = viewOf(chosen);
      const text = renderContext(view, args.format, config);
      const tokens = count(text);
      if (tokens <= args.maxTokens) {
        return {
          text,
          tokens,
          memories: [
            ...view.relevant.map((r) => r.memory),
            ...view.recent,
            ...sortProfile(view.profile, config).flatMap((t) => t.entries),
          ],
          events: view.events,
          truncated: skipped,
        };
      }
      if (chosen.length === 0) return { text: '', tokens: 0, memories: [], events: [], truncated: skipped };
      chosen.pop();
      skipped = true;
    }
  }

  private async listMemories(
    user: UserRecord,
    selection: MemorySelection,
  ): Promise<{ items: MemoryRecord[]; capped: boolean }> {
    const items: MemoryRecord[] = [];
    const order = { field: 'updatedAt', direction: 'desc' } as const;
    let after: MemoryKeyset | null = null;
    for (;;) {
      const page = await this.deps.memories.list(user.pk, selection, { first: 100, after, order }, this.clock());
      items.push(...page.items);
      const last = page.items.at(-1);
      if (!page.hasNextPage || !last) return { items, capped: false };
      if (items.length >= CONTEXT_LIMITS.profileMemories)
        return { items: items.slice(0, CONTEXT_LIMITS.profileMemories), capped: true };
      after = { value: last.updatedAt, id: last.id };
    }
  }
}

function contextArguments(request: ContextRequest): {
  maxTokens: number;
  query: string | null;
  topics: string[] | null;
  include: readonly ContextPart[];
  format: ContextFormat;
} {
  const maxTokens = request.maxTokens ?? CONTEXT_LIMITS.defaultMaxTokens;
  if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > CONTEXT_LIMITS.maxTokens)
    throw new BadInputError('maxTokens', `must be an integer from 1 to ${CONTEXT_LIMITS.maxTokens}`);
  const query = request.query?.trim() ? request.query : null;
  const topics = request.topics ? [...request.topics] : null;
  if (topics) {
    if (topics.length > CONTEXT_LIMITS.maxTopics)
      throw new BadInputError('topics', `at most ${CONTEXT_LIMITS.maxTopics} topics`);
    topics.forEach((topic, i) => {
      if (topic.length < 1 || topic.length > 128) throw new BadInputError(`topics[${i}]`, 'must be 1-128 characters');
    });
  }
  const include = request.include ?? CONTEXT_PARTS;
  include.forEach((part, i) => {
    if (!CONTEXT_PARTS.includes(part)) throw new BadInputError(`include[${i}]`, `unknown part ${String(part)}`);
  });
  const format = request.format ?? 'MARKDOWN';
  if (!['MARKDOWN', 'TEXT', 'JSON'].includes(format)) throw new BadInputError('format', `unknown format ${format}`);
  return { maxTokens, query, topics: topics?.length ? topics : null, include, format };
}

/** The selection narrowed to some topics. */
function withTopics(selection: MemorySelection, topics: string[] | null): MemorySelection {
  if (!topics) return selection;
  const byTopic = { kind: 'oneOf', field: 'topic', values: topics } as const;
  return { ...selection, where: selection.where ? { kind: 'and', nodes: [selection.where, byTopic] } : byTopic };
}

/** The caller's filter input, narrowed to some topics, as searchMemories takes it. */
function topicFilter(filter: unknown, topics: string[] | null): unknown {
  if (!topics) return filter;
  const byTopic = { topic: { in: topics } };
  return filter === null || filter === undefined ? byTopic : { AND: [filter, byTopic] };
}

function byImportanceThenRecency(a: MemoryRecord, b: MemoryRecord): number {
  const x = a.importance ?? -1;
  const y = b.importance ?? -1;
  return y - x || b.updatedAt.getTime() - a.updatedAt.getTime() || (a.id < b.id ? -1 : 1);
}

/** The headers an item needs (a part's heading, the profile topic's heading). */
function groupsOf(candidate: Candidate): string[] {
  switch (candidate.kind) {
    case 'relevant':
      return ['part:MEMORIES'];
    case 'recent':
      return ['part:MEMORIES'];
    case 'profile':
      return ['part:PROFILE', `topic:${candidate.memory.topic}`];
    case 'event':
      return ['part:EVENTS'];
    default: {
      const unreachable: never = candidate;
      throw new Error(`unknown candidate ${JSON.stringify(unreachable)}`);
    }
  }
}

function emptyView(): ContextView {
  return { relevant: [], recent: [], profile: [], events: [] };
}

/** What was chosen, arranged for reading: profile by topic, events oldest first. */
function viewOf(chosen: readonly Candidate[]): ContextView {
  const view = emptyView();
  const topics = new Map<string, MemoryRecord[]>();
  for (const candidate of chosen) {
    if (candidate.kind === 'relevant') view.relevant.push({ memory: candidate.memory, score: candidate.score });
    else if (candidate.kind === 'recent') view.recent.push(candidate.memory);
    else if (candidate.kind === 'event') view.events.push(candidate.event);
    else topics.set(candidate.memory.topic, [...(topics.get(candidate.memory.topic) ?? []), candidate.memory]);
  }
  view.profile = [...topics.entries()].map(([topic, entries]) => ({ topic, entries }));
  view.events.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  return view;
}
