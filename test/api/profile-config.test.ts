import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateUserDocument,
  GetProfileConfigDocument,
  InsertChatDocument,
  SetProfileConfigDocument,
  UserProfileDocument,
} from '../generated/graphql.js';
import { createProjectClient, startTestApp, type TestApp } from '../helpers/test-app.js';

describe('profile configuration', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_BUFFER_IDLE_SECONDS: '3600' } });
  });
  afterAll(async () => t?.destroy());

  it('ships a default set of topics and sub-topics', async () => {
    const { profileConfig } = await t.admin.ok(GetProfileConfigDocument);
    expect(profileConfig.strict).toBe(false);
    const topics = profileConfig.topics.map((topic) => topic.name);
    expect(topics).toEqual(expect.arrayContaining(['basic_info', 'work', 'food', 'interests']));
    expect(
      profileConfig.topics.find((topic) => topic.name === 'basic_info')!.subTopics.find((s) => s.name === 'location'),
    ).toMatchObject({ singleValued: true });
  });

  it('keeps extraction inside the configured slots in strict mode, per project', async () => {
    const { client } = await createProjectClient(t, 'strict-project');
    const input = {
      strict: true,
      topics: [
        {
          name: 'food',
          description: 'What they eat',
          subTopics: [{ name: 'diet', description: 'Diet', singleValued: true }],
        },
      ],
    };
    expect((await client.ok(SetProfileConfigDocument, { input })).setProfileConfig).toMatchObject({
      strict: true,
      topics: [{ name: 'food', subTopics: [{ name: 'diet', singleValued: true }] }],
    });
    expect((await client.ok(GetProfileConfigDocument)).profileConfig.topics.map((topic) => topic.name)).toEqual([
      'food',
    ]);
    expect((await t.admin.ok(GetProfileConfigDocument)).profileConfig.strict).toBe(false); // another project's config is untouched

    await client.ok(CreateUserDocument, { input: { id: 'eve' } });
    await client.ok(InsertChatDocument, {
      userId: 'eve',
      messages: [{ role: 'user', content: "I'm vegan. I live in Rome and I love jazz." }],
      waitProcess: true,
    });
    const { user } = await client.ok(UserProfileDocument, { userId: 'eve' });
    expect(user!.profile.map((topic) => topic.topic)).toEqual(['food']);
    expect(user!.profile[0]!.entries.map((entry) => entry.subTopic)).toEqual(['diet']);
  });

  it.each([
    ['no topics', { strict: false, topics: [] }, 'input.topics'],
    [
      'a blank topic name',
      {
        strict: false,
        topics: [{ name: ' ', description: '', subTopics: [{ name: 'a', description: '', singleValued: false }] }],
      },
      'input.topics[0].name',
    ],
    [
      'duplicate sub-topics',
      {
        strict: false,
        topics: [
          {
            name: 't',
            description: '',
            subTopics: [
              { name: 'a', description: '', singleValued: false },
              { name: 'A', description: '', singleValued: false },
            ],
          },
        ],
      },
      'input.topics[0].subTopics[1].name',
    ],
  ])('refuses %s, naming the field, and keeps the old config', async (_label, input, field) => {
    const before = (await t.admin.ok(GetProfileConfigDocument)).profileConfig;
    const error = await t.admin.fails(SetProfileConfigDocument, { input });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect((await t.admin.ok(GetProfileConfigDocument)).profileConfig).toEqual(before);
  });
});
