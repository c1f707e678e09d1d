// A project's own topics and sub-topics (setProfileConfig) are filled by the
// offline extractor when a statement clearly names one, through the real
// server: setProfileConfig, insertBlob with waitProcess, then the profile.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateUserDocument,
  InsertChatDocument,
  SetProfileConfigDocument,
  UserProfileDocument,
} from '../generated/graphql.js';
import type { GraphQLClient } from '../helpers/graphql-client.js';
import { createProjectClient, startTestApp, type TestApp } from '../helpers/test-app.js';

describe('custom profile slots with the offline extractor', () => {
  let t: TestApp;
  let client: GraphQLClient;
  let users = 0;

  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_BUFFER_IDLE_SECONDS: '3600' } });
    ({ client } = await createProjectClient(t, 'travel-app'));
    await client.ok(SetProfileConfigDocument, {
      input: {
        strict: true,
        topics: [
          {
            name: 'travel',
            description: 'Trips and travel plans',
            subTopics: [
              { name: 'trips', description: 'Places the user has visited or wants to visit', singleValued: false },
              { name: 'airline', description: 'Preferred airline and seat', singleValued: true },
            ],
          },
          {
            name: 'home',
            description: 'The home',
            subTopics: [{ name: 'garden', description: 'Plants and vegetables grown in the garden' }],
          },
          { name: 'food', description: 'Food', subTopics: [{ name: 'diet', description: 'Diet', singleValued: true }] },
        ],
      },
    });
  });
  afterAll(async () => t?.destroy());

  /** The profile after one chat message, as [topic/subTopic, text]. */
  async function profileAfter(...contents: string[]): Promise<[string, string][]> {
    const userId = `u${++users}`;
    await client.ok(CreateUserDocument, { input: { id: userId } });
    for (const content of contents)
      await client.ok(InsertChatDocument, { userId, messages: [{ role: 'user', content }], waitProcess: true });
    const { user } = await client.ok(UserProfileDocument, { userId });
    return user!.profile.flatMap((topic) =>
      topic.entries.map((e): [string, string] => [`${e.topic}/${e.subTopic}`, e.text]),
    );
  }

  it.each([
    ["I'm planning a trip to Iceland next year.", [['travel/trips', 'Is planning a trip to Iceland next year']]],
    ['My favourite airline is Emirates.', [['travel/airline', 'Favorite airline is Emirates']]],
    ['I always fly KLM and I prefer a window seat.', [['travel/airline', 'Prefers a window seat']]],
    ['We grow tomatoes and zucchini in our garden.', [['home/garden', 'Grows tomatoes and zucchini in their garden']]],
    [
      "I'm vegan and my garden is full of roses.",
      [
        ['food/diet', 'Is vegan'],
        ['home/garden', 'Garden is full of roses'],
      ],
    ],
  ] as const)('fills the slot a statement names: %s', async (content, expected) => {
    expect((await profileAfter(content)).sort()).toEqual([...expected].sort());
  });

  it.each([
    'Can you plan a trip to Rome for me?',
    'If I travel to Peru, what should I pack?',
    'My sister went on a trip to Japan.',
    'I visited my mom yesterday.',
  ])('leaves a question, a conditional, someone else or a vague match alone: %s', async (content) => {
    expect(await profileAfter(content)).toEqual([]);
  });

  it('a single-valued custom slot is updated, not duplicated', async () => {
    expect(await profileAfter('My favourite airline is Emirates.', 'My favourite airline is Qantas now.')).toEqual([
      ['travel/airline', 'Favorite airline is Qantas'],
    ]);
  });
});
