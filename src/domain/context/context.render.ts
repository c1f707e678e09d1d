// How a prompt context is written: MARKDOWN (headings and bullets), TEXT
// (plain lines) or JSON (compact, valid against CONTEXT_JSON_SCHEMA). The
// pieces are what the packer counts one by one; renderContext writes the
// whole text from the same pieces.

import type { JsonObject, MemoryEventRecord, MemoryRecord, ProfileConfig } from '../types.js';

export type ContextPart = 'PROFILE' | 'MEMORIES' | 'EVENTS';
export type ContextFormat = 'MARKDOWN' | 'TEXT' | 'JSON';

/** One thing that may go into the text. */
export type ContextItem =
  | { kind: 'relevant'; memory: MemoryRecord; score: number }
  | { kind: 'profile'; memory: MemoryRecord }
  | { kind: 'recent'; memory: MemoryRecord }
  | { kind: 'event'; event: MemoryEventRecord };

export interface ContextView {
  /** Memories that answer the query, best first. */
  relevant: { memory: MemoryRecord; score: number }[];
  /** Without a query and without the profile: memories by importance, then recency. */
  recent: MemoryRecord[];
  profile: { topic: string; entries: MemoryRecord[] }[];
  /** Oldest first. */
  events: MemoryEventRecord[];
}

/** The JSON form's schema (draft 2020-12); a part with nothing in it is left out. */
export const CONTEXT_JSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'memql prompt context',
  type: 'object',
  additionalProperties: false,
  properties: {
    memories: {
      description:
        'Memories relevant to the query (with their score, best first), or without a query the most important',
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'text', 'topic', 'subTopic'],
        properties: {
          id: { type: 'string' },
          text: { type: 'string' },
          topic: { type: 'string' },
          subTopic: { type: 'string' },
          score: { type: 'number' },
        },
      },
    },
    profile: {
      description: "The user's profile by topic, in the project's topic order",
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['topic', 'entries'],
        properties: {
          topic: { type: 'string' },
          entries: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['id', 'subTopic', 'text'],
              properties: { id: { type: 'string' }, subTopic: { type: 'string' }, text: { type: 'string' } },
            },
          },
        },
      },
    },
    events: {
      description: 'Recent event summaries, oldest first',
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'createdAt', 'summary', 'tags'],
        properties: {
          id: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
          summary: { type: 'string' },
          tags: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;

interface Pieces {
  /** The heading of a part (`part:PROFILE`) or of a profile topic (`topic:diet`). */
  group(group: string): string;
  item(item: ContextItem): string;
}

const day = (date: Date) => date.toISOString().slice(0, 10);

const HEADINGS: Record<string, string> = {
  'part:MEMORIES': 'Relevant memories',
  'part:PROFILE': 'Profile',
  'part:EVENTS': 'Recent events',
};

const MARKDOWN: Pieces = {
  group: (group) => (group.startsWith('topic:') ? `### ${group.slice(6)}` : `## ${HEADINGS[group] ?? group.slice(5)}`),
  item: (item) => {
    switch (item.kind) {
      case 'relevant':
      case 'recent':
        return `- ${item.memory.text} (${item.memory.topic}/${item.memory.subTopic})`;
      case 'profile':
        return `- ${item.memory.subTopic}: ${item.memory.text}`;
      case 'event':
        return `- ${day(item.event.createdAt)}: ${item.event.summary}`;
      default:
        return unreachable(item);
    }
  },
};

const TEXT: Pieces = {
  group: (group) => (group.startsWith('topic:') ? '' : `${HEADINGS[group] ?? group.slice(5)}:`),
  item: (item) => {
    switch (item.kind) {
      case 'relevant':
      case 'recent':
        return `${item.memory.text} (${item.memory.topic}, ${item.memory.subTopic})`;
      case 'profile':
        return `${item.memory.topic}, ${item.memory.subTopic}: ${item.memory.text}`;
      case 'event':
        return `${day(item.event.createdAt)}: ${item.event.summary}`;
      default:
        return unreachable(item);
    }
  },
};

const JSON_PIECES: Pieces = {
  group: (group) => (group.startsWith('topic:') ? JSON.stringify({ topic: group.slice(6), entries: [] }) : '"x":[]'),
  item: (item) => JSON.stringify(jsonItem(item)),
};

export function renderPieces(format: ContextFormat): Pieces {
  return format === 'MARKDOWN' ? MARKDOWN : format === 'TEXT' ? TEXT : JSON_PIECES;
}

export function renderContext(view: ContextView, format: ContextFormat, config: ProfileConfig): string {
  const profile = sortProfile(view.profile, config);
  if (format === 'JSON') {
    const out: JsonObject = {};
    const memories = [
      ...view.relevant.map((r) => jsonItem({ kind: 'relevant', ...r })),
      ...view.recent.map((memory) => jsonItem({ kind: 'recent', memory })),
    ];
    if (memories.length > 0) out.memories = memories;
    if (profile.length > 0)
      out.profile = profile.map(({ topic, entries }) => ({
        topic,
        entries: entries.map((memory) => jsonItem({ kind: 'profile', memory })),
      }));
    if (view.events.length > 0) out.events = view.events.map((event) => jsonItem({ kind: 'event', event }));
    return JSON.stringify(out);
  }
  const pieces = renderPieces(format);
  const sections: string[][] = [];
  const memories: ContextItem[] = [
    ...view.relevant.map((r): ContextItem => ({ kind: 'relevant', ...r })),
    ...view.recent.map((memory): ContextItem => ({ kind: 'recent', memory })),
  ];
  if (memories.length > 0) sections.push([pieces.group('part:MEMORIES'), ...memories.map(pieces.item)]);
  if (profile.length > 0)
    sections.push([
      pieces.group('part:PROFILE'),
      ...profile.flatMap(({ topic, entries }) => [
        pieces.group(`topic:${topic}`),
        ...entries.map((memory) => pieces.item({ kind: 'profile', memory })),
      ]),
    ]);
  if (view.events.length > 0)
    sections.push([pieces.group('part:EVENTS'), ...view.events.map((event) => pieces.item({ kind: 'event', event }))]);
  return sections.map((lines) => lines.filter((line) => line !== '').join('\n')).join('\n\n');
}

/** Topics in the project's order (others after, by name); within a topic, sub-topics likewise, then oldest first. */
export function sortProfile(profile: ContextView['profile'], config: ProfileConfig): ContextView['profile'] {
  const topicOrder = new Map(config.topics.map((topic, i) => [topic.name, i]));
  const byName = (order: Map<string, number>) => (a: string, b: string) =>
    (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0);
  return [...profile]
    .sort((a, b) => byName(topicOrder)(a.topic, b.topic))
    .map(({ topic, entries }) => {
      const subOrder = new Map(
        (config.topics.find((t) => t.name === topic)?.subTopics ?? []).map((sub, i) => [sub.name, i]),
      );
      const sorted = [...entries].sort(
        (a, b) =>
          byName(subOrder)(a.subTopic, b.subTopic) ||
          a.createdAt.getTime() - b.createdAt.getTime() ||
          (a.id < b.id ? -1 : 1),
      );
      return { topic, entries: sorted };
    });
}

function jsonItem(item: ContextItem): JsonObject {
  switch (item.kind) {
    case 'relevant':
      return { ...jsonMemory(item.memory), score: item.score };
    case 'recent':
      return jsonMemory(item.memory);
    case 'profile':
      return { id: item.memory.id, subTopic: item.memory.subTopic, text: item.memory.text };
    case 'event':
      return {
        id: item.event.id,
        createdAt: item.event.createdAt.toISOString(),
        summary: item.event.summary,
        tags: item.event.tags,
      };
    default:
      return unreachable(item);
  }
}

function jsonMemory(memory: MemoryRecord): JsonObject {
  return { id: memory.id, text: memory.text, topic: memory.topic, subTopic: memory.subTopic };
}

function unreachable(item: never): never {
  throw new Error(`unknown context item ${JSON.stringify(item)}`);
}
