// Reading a user's memories, profile, history, events and scopes, and the
// project's profile configuration. Edits live in memory-edits.service.ts,
// search in memory-search.service.ts.

import { isUuid } from '../../lib/ids.js';
import { BadInputError } from '../errors.js';
import type { EventRepository, MemoryRepository, ProfileConfigRepository } from '../ports.js';
import type { MemoryEventRecord, MemoryRecord, Page, ProfileConfig, UserRecord, Viewer } from '../types.js';
import { DEFAULT_PROFILE_CONFIG, validateProfileConfig } from '../profile/default-profile.js';
import { pageRequest } from '../validation.js';
import { parseMemoryFilter } from './memory-filter.js';
import { type MemoryOrder, memoryPageRequest } from './memory-page.js';

export interface ProfileTopicView {
  topic: string;
  entries: MemoryRecord[];
}

export class MemoryService {
  constructor(
    private readonly memories: MemoryRepository,
    private readonly events: EventRepository,
    private readonly profileConfigs: ProfileConfigRepository,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Null when absent or in another project. Deleted and expired memories are returned, with their history. */
  find(viewer: Viewer, id: string): Promise<MemoryRecord | null> {
    return isUuid(id) ? this.memories.findById(viewer.projectId, id) : Promise.resolve(null);
  }

  /** A page of the user's memories that the filter selects (live ones by default), in the order asked. */
  list(
    user: UserRecord,
    args: { filter?: unknown; orderBy?: MemoryOrder | null; first?: number | null; after?: string | null },
  ): Promise<Page<MemoryRecord>> {
    const page = memoryPageRequest(args.first, args.after, args.orderBy);
    const selection = parseMemoryFilter(args.filter);
    return this.memories.list(user.pk, selection, page, this.clock());
  }

  /** The user's live memories grouped by topic, in the order of the project's profile configuration. */
  async profile(user: UserRecord, topics: string[] | null | undefined): Promise<ProfileTopicView[]> {
    const wanted = topics?.length ? topics : null;
    const [entries, config] = await Promise.all([
      this.memories.listProfile(user.pk, wanted, this.clock()),
      this.profileConfig(user.projectId),
    ]);
    const order = new Map(config.topics.map((topic, i) => [topic.name, i]));
    const byTopic = new Map<string, MemoryRecord[]>();
    for (const memory of entries) byTopic.set(memory.topic, [...(byTopic.get(memory.topic) ?? []), memory]);
    return [...byTopic.entries()]
      .sort(([a], [b]) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity) || a.localeCompare(b))
      .map(([topic, topicEntries]) => ({ topic, entries: topicEntries }));
  }

  listEvents(
    user: UserRecord,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Page<MemoryEventRecord>> {
    return this.events.listByUser(user.pk, pageRequest(first, after));
  }

  async profileConfig(projectId: string): Promise<ProfileConfig> {
    return (await this.profileConfigs.get(projectId)) ?? DEFAULT_PROFILE_CONFIG;
  }

  async setProfileConfig(viewer: Viewer, config: ProfileConfig): Promise<ProfileConfig> {
    const problems = validateProfileConfig(config);
    if (problems.length > 0)
      throw new BadInputError(`input.${problems[0]!.path}`, problems.map((p) => `${p.path}: ${p.message}`).join('; '));
    await this.profileConfigs.set(viewer.projectId, config);
    return config;
  }
}
