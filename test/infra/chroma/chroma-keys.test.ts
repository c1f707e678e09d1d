import { describe, expect, it } from 'vitest';
import {
  queryPlan,
  recordMetadata,
  sanitizeNamePart,
  spaceNames,
  timeBuckets,
  timeKeys,
} from '../../../src/infra/chroma/chroma-keys.js';

const s = (iso: string) => Date.parse(iso) / 1000;

describe('chroma keys', () => {
  it('sanitises collection names', () => {
    expect(sanitizeNamePart('USE Lite/512')).toBe('use-lite-512');
    expect(() => sanitizeNamePart('___')).toThrow(/collection name/);
    const names = spaceNames('memql', 'hashing-256', 256);
    expect(names.directory).toBe('memql_hashing-256_256_dir');
    expect(names.parseShard(names.shard(12))).toBe(12);
    expect(names.parseShard('memql_hashing-256_256_dir')).toBeNull();
    expect(names.parseShard('memql_hashing-256_2560_s1')).toBeNull();
  });

  it('stores calendar keys of createdAt (UTC), with one bucket before 2000 and after 2040', () => {
    expect(timeKeys(s('2024-02-29T23:59:59Z'))).toEqual({ year: '2024', month: '2024-02', day: '2024-02-29' });
    expect(timeKeys(s('1999-12-31T23:59:59Z'))).toEqual({ year: 'pre', month: 'pre', day: 'pre' });
    expect(timeKeys(s('2150-01-01T00:00:00Z')).year).toBe('post');
    const metadata = recordMetadata({
      chunkId: 'c',
      projectId: 'p',
      userPk: 'u',
      blobId: 'b',
      blobType: 'DOC',
      createdAt: s('2024-03-05T12:00:00Z'),
      vector: [1],
    });
    expect(metadata).toMatchObject({
      uk: 'p/u',
      ut: 'p/u|DOC',
      uty: 'p/u|DOC|2024',
      utm: 'p/u|DOC|2024-03',
      utd: 'p/u|DOC|2024-03-05',
    });
  });

  it('covers a range with whole years, whole months and edge days', () => {
    expect(timeBuckets(s('2024-01-15T10:00:00Z'), s('2024-03-02T00:00:00Z'))).toEqual({
      years: [],
      months: ['2024-02'],
      days: [
        ...Array.from({ length: 17 }, (_, i) => `2024-01-${String(15 + i).padStart(2, '0')}`),
        '2024-03-01',
        '2024-03-02',
      ],
    });
    expect(timeBuckets(s('2020-01-01T00:00:00Z'), s('2021-01-01T00:00:00Z'))).toEqual({
      years: ['2020'],
      months: [],
      days: ['2021-01-01'],
    });
    expect(timeBuckets(s('2024-05-05T08:00:00Z'), s('2024-05-05T09:00:00Z'))).toEqual({
      years: [],
      months: [],
      days: ['2024-05-05'],
    });
    expect(timeBuckets(10, 5)).toEqual({ years: [], months: [], days: [] });
  });

  it('covers open ranges up to the pre/post buckets', () => {
    const open = timeBuckets(s('2038-06-10T00:00:00Z'), Infinity);
    expect(open.days).toHaveLength(21);
    expect(open.months).toEqual(['2038-07', '2038-08', '2038-09', '2038-10', '2038-11', '2038-12']);
    expect(open.years).toEqual(['2039', '2040', 'post']);
    const until = timeBuckets(-Infinity, s('2001-02-01T00:00:00Z'));
    expect(until.years).toEqual(['pre', '2000']);
    expect(until.months).toEqual(['2001-01']);
    expect(until.days).toEqual(['2001-02-01']);
    expect(timeBuckets(s('1990-01-01T00:00:00Z'), s('1995-01-01T00:00:00Z'))).toEqual({
      years: ['pre'],
      months: [],
      days: [],
    });
  });

  it('plans queries: no where in a solo shard without filters, composite keys otherwise', () => {
    const none = { types: null, since: null, until: null };
    expect(queryPlan('p/u', none, true)).toEqual({ where: undefined, bounds: null, empty: false });
    expect(queryPlan('p/u', none, false).where).toEqual({ uk: 'p/u' });
    expect(queryPlan('p/u', { ...none, types: ['DOC'] }, true).where).toEqual({ ut: 'p/u|DOC' });
    expect(queryPlan('p/u', { ...none, types: [] }, false).empty).toBe(true);
    const day = queryPlan(
      'p/u',
      { types: ['CHAT', 'DOC'], since: new Date('2024-05-05T08:00:00Z'), until: new Date('2024-05-05T09:00:00Z') },
      false,
    );
    expect(day.where).toEqual({ utd: { $in: ['p/u|CHAT|2024-05-05', 'p/u|DOC|2024-05-05'] } });
    expect(day.bounds).toEqual({ since: s('2024-05-05T08:00:00Z'), until: s('2024-05-05T09:00:00Z') });
    const wide = queryPlan(
      'p/u',
      { types: ['CODE'], since: new Date('2023-12-31T00:00:00Z'), until: new Date('2025-02-01T00:00:00Z') },
      false,
    );
    expect(wide.where).toEqual({
      $or: [
        { uty: 'p/u|CODE|2024' },
        { utm: 'p/u|CODE|2025-01' },
        { utd: { $in: ['p/u|CODE|2023-12-31', 'p/u|CODE|2025-02-01'] } },
      ],
    });
    expect(queryPlan('p/u', { types: null, since: new Date(2_000), until: new Date(1_000) }, false).empty).toBe(true);
  });
});
