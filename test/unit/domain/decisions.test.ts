// The guard between an extractor's operations and the store
// (src/domain/memory/decisions.ts), with the deterministic hashing embedder.

import { describe, expect, it } from 'vitest';
import { DUPLICATE_SIMILARITY, normaliseFactText, resolveOperations } from '../../../src/domain/memory/decisions.js';
import type { MemoryOperation, MemoryWithEmbedding } from '../../../src/domain/types.js';
import { HashingEmbedder } from '../../../src/infra/embeddings/hashing.embedder.js';
import { cosine } from '../../../src/lib/vectors.js';
import { memoryRecord } from '../../fakes/memory-record.js';
import { op } from '../../fakes/scripted.extractor.js';

const embedder = new HashingEmbedder({ dimension: 256 });
const embed = (texts: string[]) => embedder.embed(texts);

async function memory(
  id: string,
  text: string,
  topic = 'basic_info',
  subTopic = 'location',
): Promise<MemoryWithEmbedding> {
  const [embedding] = await embedder.embed([text]);
  return { ...memoryRecord({ id, text, topic, subTopic }), embedding: embedding! };
}

describe('resolveOperations', () => {
  it('turns ADD, UPDATE and DELETE into writes with embeddings of the new texts, and drops NONE', async () => {
    const city = await memory('m-city', 'User lives in Paris.');
    const chess = await memory('m-chess', 'User plays chess.', 'interests', 'hobbies');
    const operations: MemoryOperation[] = [
      op.add('User goes climbing.', 'interests', 'hobbies', ['sport']),
      op.update('m-city', 'User lives in Berlin.', 'basic_info', 'location'),
      op.delete('m-chess'),
      op.none('m-city', 'User lives in Paris.'),
    ];
    const resolved = await resolveOperations(operations, [city, chess], embed);
    const [climbing, berlin] = await embedder.embed(['User goes climbing.', 'User lives in Berlin.']);
    expect(resolved).toEqual([
      {
        kind: 'ADD',
        fact: { text: 'User goes climbing.', topic: 'interests', subTopic: 'hobbies', categories: ['sport'] },
        embedding: climbing,
      },
      {
        kind: 'UPDATE',
        memoryId: 'm-city',
        fact: { text: 'User lives in Berlin.', topic: 'basic_info', subTopic: 'location', categories: [] },
        embedding: berlin,
      },
      { kind: 'DELETE', memoryId: 'm-chess' },
    ]);
  });

  it('embeds nothing when nothing is written', async () => {
    const city = await memory('m-city', 'User lives in Paris.');
    let calls = 0;
    const counting = async (texts: string[]) => {
      calls++;
      return embed(texts);
    };
    expect(await resolveOperations([op.delete('m-city'), op.none(null, 'x')], [city], counting)).toEqual([
      { kind: 'DELETE', memoryId: 'm-city' },
    ]);
    expect(calls).toBe(0);
  });

  it('drops UPDATE and DELETE of memories that are not live', async () => {
    const city = await memory('m-city', 'User lives in Paris.');
    const resolved = await resolveOperations(
      [op.update('m-gone', 'User lives in Rome.', 'basic_info', 'location'), op.delete('m-gone')],
      [city],
      embed,
    );
    expect(resolved).toEqual([]);
  });

  it('changes one memory once per batch: the first operation on it wins', async () => {
    const city = await memory('m-city', 'User lives in Paris.');
    const resolved = await resolveOperations(
      [
        op.update('m-city', 'User lives in Berlin.', 'basic_info', 'location'),
        op.delete('m-city'),
        op.update('m-city', 'User lives in Rome.', 'basic_info', 'location'),
      ],
      [city],
      embed,
    );
    expect(resolved.map((r) => r.kind)).toEqual(['UPDATE']);
    expect(resolved[0]).toMatchObject({ fact: { text: 'User lives in Berlin.' } });
  });

  it('drops an UPDATE that changes nothing but case, punctuation or spacing', async () => {
    const city = await memory('m-city', 'User lives in Paris.');
    const same = op.update('m-city', '  user LIVES in paris ', 'basic_info', 'location');
    expect(await resolveOperations([same], [city], embed)).toEqual([]);
    // A new slot is a change even with the same words.
    const moved = op.update('m-city', 'User lives in Paris.', 'basic_info', 'hometown');
    expect(await resolveOperations([moved], [city], embed)).toHaveLength(1);
  });

  it('drops an ADD that repeats a live memory, by normalised text in any slot', async () => {
    const city = await memory('m-city', 'User lives in Paris.');
    const repeat = op.add('user lives in Paris!!', 'travel', 'places');
    expect(await resolveOperations([repeat], [city], embed)).toEqual([]);
  });

  it('drops an ADD whose embedding is a near twin of a live memory in the same slot, not in another', async () => {
    const tea = await memory('m-tea', 'User likes green tea.', 'food', 'drinks');
    // The new fact has other words but embeds like the live one (cosine 1 >= DUPLICATE_SIMILARITY).
    const twin = async (texts: string[]) => texts.map(() => tea.embedding);
    expect(DUPLICATE_SIMILARITY).toBeLessThan(1);
    expect(await resolveOperations([op.add('User enjoys sencha.', 'food', 'drinks')], [tea], twin)).toEqual([]);
    const elsewhere = await resolveOperations([op.add('User enjoys sencha.', 'interests', 'hobbies')], [tea], twin);
    expect(elsewhere).toHaveLength(1);
    // A merely related fact is kept.
    const related = await resolveOperations([op.add('User drinks black coffee.', 'food', 'drinks')], [tea], embed);
    expect(related).toHaveLength(1);
    expect(cosine(tea.embedding, (related[0] as { embedding: number[] }).embedding)).toBeLessThan(DUPLICATE_SIMILARITY);
  });

  it('drops the second of two equal ADDs in one batch', async () => {
    const resolved = await resolveOperations(
      [op.add('User has a cat.', 'family', 'pets'), op.add('user has a CAT', 'family', 'pets')],
      [],
      embed,
    );
    expect(resolved).toHaveLength(1);
  });

  it('lets an ADD through when the memory it repeats is deleted or updated in the same batch', async () => {
    const city = await memory('m-city', 'User lives in Paris.');
    const resolved = await resolveOperations(
      [op.delete('m-city'), op.add('User lives in Paris.', 'basic_info', 'location')],
      [city],
      embed,
    );
    expect(resolved.map((r) => r.kind)).toEqual(['DELETE', 'ADD']);
  });

  it('trims texts and removes duplicate categories', async () => {
    const resolved = await resolveOperations(
      [op.add('  User runs.  ', 'interests', 'sports', ['sport', 'sport', 'health'])],
      [],
      embed,
    );
    expect(resolved[0]).toMatchObject({ fact: { text: 'User runs.', categories: ['sport', 'health'] } });
  });
});

describe('normaliseFactText', () => {
  it('lower-cases, drops punctuation and collapses white space, keeping letters of any script', () => {
    expect(normaliseFactText('  Héllo,   WORLD!! 東京  ')).toBe('héllo world 東京');
  });
});
