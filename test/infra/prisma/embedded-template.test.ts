// The embedded database's template: a new folder is a copy of it, initdb runs
// only without one (and then makes it), and a bad template costs time, never
// the database.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, templateFile } from '../../../src/infra/prisma/embedded-template.js';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'memql-template-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function tables(db: PGlite): Promise<string[]> {
  const result = await db.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
  );
  return result.rows.map((row) => row.tablename);
}

describe('the embedded database template', () => {
  it('is kept in node_modules/.cache/memql, named after the installed PGlite version', () => {
    expect(templateFile()).toMatch(/node_modules\/\.cache\/memql\/pglite-\d+\.\d+\.\d+-initdb\.tar\.gz$/);
  });

  it('fills a new folder, and the copy is a working database that persists', async () => {
    // A template with a marker table proves the folder came from it, not from initdb.
    const source = await openPglite(path.join(scratch, 'source'));
    await source.exec('CREATE TABLE came_from_template (id int)');
    const template = path.join(scratch, 'marked.tar.gz');
    await writeFile(template, Buffer.from(await (await source.dumpDataDir('gzip')).arrayBuffer()));
    await source.close();

    const dataDir = path.join(scratch, 'copy');
    const db = await openPglite(dataDir, template);
    expect(await tables(db)).toEqual(['came_from_template']);
    await db.exec('INSERT INTO came_from_template VALUES (7)');
    await db.close();

    const reopened = await openPglite(dataDir, template);
    expect((await reopened.query<{ id: number }>('SELECT id FROM came_from_template')).rows).toEqual([{ id: 7 }]);
    await reopened.close();
  });

  it('makes the template when there is none, from initdb alone (not the folder it opens)', async () => {
    const template = path.join(scratch, 'made', 'template.tar.gz');
    const dataDir = path.join(scratch, 'fresh');
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, 'memql.pid'), String(process.pid)); // the server's lock file
    const db = await openPglite(dataDir, template);
    expect(await tables(db)).toEqual([]);
    await db.close();
    expect(existsSync(template)).toBe(true);
    expect((await readdir(path.dirname(template))).filter((name) => name.endsWith('.partial'))).toEqual([]);

    const copyDir = path.join(scratch, 'from-made');
    const copy = await openPglite(copyDir, template);
    expect((await copy.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await copy.close();
    expect(existsSync(path.join(copyDir, 'PG_VERSION'))).toBe(true);
    expect(existsSync(path.join(copyDir, 'memql.pid'))).toBe(false);
  });

  it('falls back to initdb when the template is corrupt, keeping what was in the folder', async () => {
    const template = path.join(scratch, 'corrupt.tar.gz');
    await writeFile(template, 'not a tarball');
    const dataDir = path.join(scratch, 'after-corrupt');
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, 'memql.pid'), String(process.pid));

    const db = await openPglite(dataDir, template);
    await db.exec('CREATE TABLE works (id int)');
    expect(await tables(db)).toEqual(['works']);
    await db.close();
    expect(existsSync(path.join(dataDir, 'memql.pid'))).toBe(true);
  });
});
