// Reading and editing a user's memories, profile, history and events.
// Manual edits are recorded in history as made by the API.

import { isUuid } from '../../lib/ids.js';
import { BadInputError, NotFoundError } from '../errors.js';
import type { Embedder, EventBus, EventRepository, MemoryRepository, ProfileConfigRepository } from '../ports.js';
import type {
  MemoryChangeRecord,
  MemoryEventRecord,
  MemoryRecord,
  Page,
  ProfileConfig,
  UserRecord,
  Viewer,
} from '../types.js';
import { DEFAULT_PROFILE_CONFIG, validateProfileConfig } from '../profile/default-profile.js';
import { jsonObject, pageRequest } from '../validation.js';

export interface ProfileTopicView {
  topic: string;
  entries: MemoryRecord[];
}

export interface UpdateMemoryCommand {
  text?: string | null;
  topic?: string | null;
  subTopic?: string | null;
  categories?: string[] | null;
  metadata?: unknown;
}

const MAX_MEMORY_TEXT = 2_000;
const MAX_SLOT_NAME = 64;

export class MemoryService {
  constructor(
    private readonly memories: MemoryRepository,
    private readonly events: EventRepository,
    private readonly profileConfigs: ProfileConfigRepository,
    private readonly embedder: Embedder,
    private readonly bus: EventBus,
  ) {}

  /** Null when absent or in another project. Deleted memories are returned, with their history. */
  find(viewer: Viewer, id: string): Promise<MemoryRecord | null> {
    return isUuid(id) ? this.memories.findById(viewer.projectId, id) : Promise.resolve(null);
  }

  list(
    user: UserRecord,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Page<MemoryRecord>> {
    return this.memories.listByUser(user.pk, pageRequest(first, after));
  }

  /** The user's live memories grouped by topic, in the order of the project's profile configuration. */
  async profile(user: UserRecord, topics: string[] | null | undefined): Promise<ProfileTopicView[]> {
    const wanted = topics?.length ? topics : null;
    const [entries, config] = await Promise.all([
      this.memories.listProfile(user.pk, wanted),
      this.profileConfig(user.projectId),
    ]);
    const order = new Map(config.topics.map((topic, i) => [topic.name, i]));
    const byTopic = new Map<string, MemoryRecord[]>();
    for (const memory of entries) byTopic.set(memory.topic, [...(byTopic.get(memory.topic) ?? []), memory]);
    return [...byTopic.entries()]
      .sort(([a], [b]) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity) || a.localeCompare(b))
      .map(([topic, topicEntries]) => ({ topic, entries: topicEntries }));
  }

  async update(viewer: Viewer, id: string, input: UpdateMemoryCommand): Promise<MemoryRecord> {
    const memory = await this.requireLive(viewer, id);
    const text = input.text === null || input.text === undefined ? memory.text : input.text.trim();
    if (text.length < 1 || text.length > MAX_MEMORY_TEXT)
      throw new BadInputError('input.text', `must be 1-${MAX_MEMORY_TEXT} characters`);
    const after = {
      text,
      topic: slotName('input.topic', input.topic) ?? memory.topic,
      subTopic: slotName('input.subTopic', input.subTopic) ?? memory.subTopic,
      categories: input.categories ? categories(input.categories) : memory.categories,
    };
    const metadata =
      input.metadata === undefined ? memory.metadata : jsonObject('input.metadata', input.metadata, 16 * 1024);
    const [embedding] = await this.embedder.embed([after.text]);
    const change = await this.memories.applyManual({ kind: 'UPDATE', memory, after, metadata, embedding: embedding! });
    await this.publish(change);
    return (await this.memories.findById(viewer.projectId, id))!;
  }

  async delete(viewer: Viewer, id: string): Promise<boolean> {
    const memory = await this.requireLive(viewer, id);
    const change = await this.memories.applyManual({ kind: 'DELETE', memory });
    await this.publish(change);
    return true;
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

  private async requireLive(viewer: Viewer, id: string): Promise<MemoryRecord> {
    const memory = await this.find(viewer, id);
    if (!memory || memory.deletedAt) throw new NotFoundError('Memory', id);
    return memory;
  }

  private publish(change: MemoryChangeRecord): Promise<void> {
    return this.bus.publish({ type: 'memory.changed', projectId: change.projectId, userPk: change.userPk, change });
  }
}

function slotName(field: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed.length < 1 || trimmed.length > MAX_SLOT_NAME)
    throw new BadInputError(field, `must be 1-${MAX_SLOT_NAME} characters`);
  return trimmed;
}

function categories(values: string[]): string[] {
  if (values.length > 20) throw new BadInputError('input.categories', 'at most 20 categories');
  values.forEach((value, i) => {
    if (value.trim().length < 1 || value.length > MAX_SLOT_NAME)
      throw new BadInputError(`input.categories[${i}]`, `must be 1-${MAX_SLOT_NAME} characters`);
  });
  return [...new Set(values.map((value) => value.trim()))];
}
