import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PROFILE_CONFIG,
  DEFAULT_SLOTS,
  findSlot,
  MAX_NAME_LENGTH,
  parseProfileConfig,
  validateProfileConfig,
} from '../../src/domain/profile/default-profile.js';
import type { ProfileConfig } from '../../src/domain/types.js';

const valid = (): ProfileConfig => ({
  strict: true,
  blobTokenCap: 3_000_000,
  topics: [
    { name: 'basic_info', description: '', subTopics: [{ name: 'name', description: 'Name', singleValued: true }] },
    {
      name: 'food',
      description: 'Food',
      subTopics: [
        { name: 'likes', description: '', singleValued: false },
        { name: 'diet', description: '', singleValued: true },
      ],
    },
  ],
});

describe('default profile', () => {
  it('is valid and not strict', () => {
    expect(validateProfileConfig(DEFAULT_PROFILE_CONFIG)).toEqual([]);
    expect(DEFAULT_PROFILE_CONFIG.strict).toBe(false);
  });

  it.each(Object.entries(DEFAULT_SLOTS))('holds the slot %s', (_role, slot) => {
    expect(findSlot(DEFAULT_PROFILE_CONFIG, slot.topic, slot.subTopic)).not.toBeNull();
  });

  it.each([
    ['basic_info', 'name', true],
    ['basic_info', 'location', true],
    ['basic_info', 'languages', false],
    ['food', 'diet', true],
    ['health', 'allergies', false],
    ['interests', 'likes', false],
    ['family', 'partner', true],
    ['work', 'company', true],
  ] as const)('%s/%s is singleValued=%s', (topic, subTopic, singleValued) => {
    expect(findSlot(DEFAULT_PROFILE_CONFIG, topic, subTopic)?.subTopic.singleValued).toBe(singleValued);
  });

  it('cannot be changed by accident', () => {
    expect(() => (DEFAULT_PROFILE_CONFIG.topics as unknown[]).push({})).toThrow(TypeError);
  });
});

describe('findSlot', () => {
  it('matches names case-insensitively and returns the configured spelling', () => {
    const config: ProfileConfig = {
      strict: true,
      blobTokenCap: 3_000_000,
      topics: [{ name: 'Food', description: '', subTopics: [{ name: 'Diet', description: '', singleValued: true }] }],
    };
    const found = findSlot(config, 'food', ' diet ');
    expect(found?.topic.name).toBe('Food');
    expect(found?.subTopic.name).toBe('Diet');
  });

  it('returns null for a missing topic or sub-topic', () => {
    expect(findSlot(valid(), 'pets', 'dogs')).toBeNull();
    expect(findSlot(valid(), 'food', 'dislikes')).toBeNull();
  });
});

describe('validateProfileConfig', () => {
  it('accepts a small valid config', () => {
    expect(validateProfileConfig(valid())).toEqual([]);
  });

  const cases: [string, (c: ProfileConfig) => void, { path: string; message: RegExp }[]][] = [
    [
      'no topics',
      (c) => {
        c.topics = [];
      },
      [{ path: 'topics', message: /at least one topic/ }],
    ],
    [
      'an empty topic name',
      (c) => {
        c.topics[1]!.name = '  ';
      },
      [{ path: 'topics[1].name', message: /must not be empty/ }],
    ],
    [
      'a topic name with spaces around it',
      (c) => {
        c.topics[1]!.name = ' food';
      },
      [{ path: 'topics[1].name', message: /spaces/ }],
    ],
    [
      'a duplicate topic name (case-insensitive)',
      (c) => {
        c.topics[1]!.name = 'Basic_Info';
      },
      [{ path: 'topics[1].name', message: /already used by topics\[0\]/ }],
    ],
    [
      'a topic without sub-topics',
      (c) => {
        c.topics[0]!.subTopics = [];
      },
      [{ path: 'topics[0].subTopics', message: /at least one sub-topic/ }],
    ],
    [
      'an empty sub-topic name',
      (c) => {
        c.topics[1]!.subTopics[0]!.name = '';
      },
      [{ path: 'topics[1].subTopics[0].name', message: /must not be empty/ }],
    ],
    [
      'a duplicate sub-topic name',
      (c) => {
        c.topics[1]!.subTopics[1]!.name = 'LIKES';
      },
      [{ path: 'topics[1].subTopics[1].name', message: /already used by topics\[1\]\.subTopics\[0\]/ }],
    ],
    [
      'a name too long',
      (c) => {
        c.topics[0]!.subTopics[0]!.name = 'x'.repeat(MAX_NAME_LENGTH + 1);
      },
      [{ path: 'topics[0].subTopics[0].name', message: /limit is 64/ }],
    ],
    [
      'a control character in a name',
      (c) => {
        c.topics[0]!.name = 'basic\ninfo';
      },
      [{ path: 'topics[0].name', message: /control characters/ }],
    ],
    [
      'a description too long',
      (c) => {
        c.topics[0]!.description = 'x'.repeat(501);
      },
      [{ path: 'topics[0].description', message: /limit is 500/ }],
    ],
  ];

  it.each(cases)('reports %s, naming the path', (_label, mutate, expected) => {
    const config = valid();
    mutate(config);
    expect(validateProfileConfig(config)).toEqual(
      expected.map((e) => ({ path: e.path, message: expect.stringMatching(e.message) })),
    );
  });

  it('the same sub-topic name may appear under different topics', () => {
    const config = valid();
    config.topics[0]!.subTopics.push({ name: 'likes', description: '', singleValued: false });
    expect(validateProfileConfig(config)).toEqual([]);
  });

  it('reports every problem, in document order', () => {
    const config = valid();
    config.topics[0]!.name = '';
    config.topics[1]!.subTopics[1]!.name = 'likes';
    expect(validateProfileConfig(config).map((p) => p.path)).toEqual(['topics[0].name', 'topics[1].subTopics[1].name']);
  });

  it('checks shapes of untyped input', () => {
    const bad = {
      strict: 'yes',
      topics: [{ name: 'a', description: 3, subTopics: [null, { name: 'b', description: '', singleValued: 1 }] }, 7],
    };
    // A config as stored always carries its cap (parseProfileConfig fills the default for older ones).
    expect(validateProfileConfig(bad as unknown as ProfileConfig).map((p) => p.path)).toEqual([
      'strict',
      'blobTokenCap',
      'topics[0].description',
      'topics[0].subTopics[0]',
      'topics[0].subTopics[1].singleValued',
      'topics[1]',
    ]);
    expect(validateProfileConfig(null as unknown as ProfileConfig)).toEqual([
      { path: 'config', message: expect.any(String) },
    ]);
  });
});

describe('parseProfileConfig', () => {
  it('keeps the known fields of a valid config', () => {
    const raw = { ...valid(), extra: 1, topics: valid().topics.map((t) => ({ ...t, color: 'red' })) };
    const parsed = parseProfileConfig(raw);
    expect(parsed).toEqual({ ok: true, config: valid() });
  });

  it('returns the problems of an invalid one', () => {
    expect(parseProfileConfig({ strict: false, topics: [] })).toEqual({
      ok: false,
      problems: [{ path: 'topics', message: expect.any(String) }],
    });
  });
});
