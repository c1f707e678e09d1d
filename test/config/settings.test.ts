// One source of configuration: every setting is declared once in
// src/config.ts, README's table is rendered from those declarations, and the
// parser built from them validates, defaults and names what is wrong.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadConfig,
  replaceSettingsTable,
  SETTINGS,
  SETTINGS_TABLE_MARKERS,
  settingsTable,
} from '../../src/config.js';
import { DEFAULT_SHARD_TARGET_RECORDS } from '../../src/infra/chroma/shard-defaults.js';

interface Row {
  defaultText: string;
  description: string;
}

/** The rows of the table between the settings markers, by variable name. */
function tableRows(markdown: string): Map<string, Row> {
  const { start, end } = SETTINGS_TABLE_MARKERS;
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end, from);
  expect(from, `README.md has the marker ${start}`).toBeGreaterThanOrEqual(0);
  expect(to, `README.md has the marker ${end}`).toBeGreaterThan(from);
  const rows = new Map<string, Row>();
  for (const line of markdown.slice(from + start.length, to).split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const name = /^`([A-Z0-9_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!name) continue;
    rows.set(name, { defaultText: cells[2] ?? '', description: cells[3] ?? '' });
  }
  return rows;
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

describe("README's configuration table", () => {
  it('lists exactly the declared settings, with their defaults and descriptions', async () => {
    const readme = await readFile(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const documented = tableRows(readme);
    const declared = new Map(Object.entries(SETTINGS));
    const problems: string[] = [];
    for (const name of declared.keys()) {
      if (!documented.has(name)) problems.push(`${name}: declared in src/config.ts, missing from README.md`);
    }
    for (const name of documented.keys()) {
      if (!declared.has(name)) problems.push(`${name}: in README.md, not declared in src/config.ts`);
    }
    for (const [name, setting] of declared) {
      const row = documented.get(name);
      if (!row) continue;
      if (squash(row.defaultText) !== squash(setting.defaultText)) {
        problems.push(`${name}: README default "${row.defaultText}", declared "${setting.defaultText}"`);
      }
      if (squash(row.description) !== squash(setting.description)) {
        problems.push(`${name}: README says "${row.description}", declared "${setting.description}"`);
      }
    }
    expect(problems, 'run `npm run config:readme` after changing a setting in src/config.ts').toEqual([]);
    expect(replaceSettingsTable(readme, settingsTable()), 'README table order and layout').toBe(readme);
  });

  it('has a description and a sensible default text for every setting', () => {
    for (const [name, setting] of Object.entries(SETTINGS)) {
      expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(setting.description.length, name).toBeGreaterThan(5);
      expect(setting.description, `${name}: a | would break the table`).not.toContain('|');
      expect(setting.defaultText, `${name}: a | would break the table`).not.toContain('|');
    }
  });

  it('is rewritten between the markers only', () => {
    const { start, end } = SETTINGS_TABLE_MARKERS;
    const markdown = `# T\n\nbefore\n${start}\n| old |\n${end}\nafter\n`;
    expect(replaceSettingsTable(markdown, '| new |')).toBe(`# T\n\nbefore\n${start}\n| new |\n${end}\nafter\n`);
    expect(() => replaceSettingsTable('# no markers', '| new |')).toThrow(/settings markers are missing/);
  });
});

describe('loadConfig', () => {
  it('applies the declared defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8019,
      host: '0.0.0.0',
      dataDir: path.resolve('./.memql'),
      database: { kind: 'embedded' },
      chroma: { kind: 'embedded' },
      vectorShardRecords: DEFAULT_SHARD_TARGET_RECORDS,
      adminKey: undefined,
      embeddings: { provider: 'local' },
      llm: { provider: 'rule-based' },
      buffer: { tokenThreshold: 1024, idleMs: 60_000, leaseMs: 300_000 },
      redisUrl: undefined,
      shadowDatabaseUrl: undefined,
      logLevel: 'info',
    });
    expect(config.vectorShardRecords).toBe(2_000);
    expect(SETTINGS.MEMQL_VECTOR_SHARD_RECORDS.defaultText).toBe('`2000`');
  });

  it('treats an empty variable as unset and coerces numbers', () => {
    const config = loadConfig({ PORT: '', MEMQL_BUFFER_IDLE_SECONDS: '0.5', MEMQL_VECTOR_SHARD_RECORDS: '500' });
    expect(config.port).toBe(8019);
    expect(config.buffer.idleMs).toBe(500);
    expect(config.vectorShardRecords).toBe(500);
  });

  it('reads the LLM and embeddings endpoints', () => {
    const config = loadConfig({
      MEMQL_LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
      MEMQL_LLM_MODEL: 'qwen2.5:7b',
      MEMQL_LLM_MAX_RETRIES: '0',
      MEMQL_EMBEDDINGS_BASE_URL: 'https://api.openai.com/v1',
      MEMQL_EMBEDDINGS_MODEL: 'text-embedding-3-small',
      MEMQL_EMBEDDINGS_API_KEY: 'sk-x',
    });
    expect(config.llm).toEqual({
      provider: 'openai',
      baseUrl: 'http://127.0.0.1:11434/v1',
      apiKey: undefined,
      model: 'qwen2.5:7b',
      timeoutMs: 30_000,
      maxRetries: 0,
    });
    expect(config.embeddings).toEqual({
      provider: 'openai',
      baseUrl: 'https://api.openai.com/v1',
      apiKey: 'sk-x',
      model: 'text-embedding-3-small',
      dimension: undefined,
    });
    expect(loadConfig({ MEMQL_EMBEDDINGS_PROVIDER: 'hashing' }).embeddings).toEqual({
      provider: 'hashing',
      dimension: 512,
    });
  });

  it('names every bad setting at once', () => {
    const error = (() => {
      try {
        loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://db', LOG_LEVEL: 'loud', MEMQL_ADMIN_KEY: 'short' });
      } catch (caught) {
        return caught;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Invalid configuration:\n/);
    expect(message).toMatch(/ {2}PORT: /);
    expect(message).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
    expect(message).toMatch(/ {2}LOG_LEVEL: /);
    expect(message).toContain('MEMQL_ADMIN_KEY: must be at least 24 characters');
    expect(message).not.toContain('HOST');
  });

  it('rejects out-of-range numbers and settings that need each other', () => {
    expect(() => loadConfig({ MEMQL_VECTOR_SHARD_RECORDS: '10' })).toThrow(/MEMQL_VECTOR_SHARD_RECORDS: /);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT: /);
    expect(() => loadConfig({ MEMQL_LLM_BASE_URL: 'http://127.0.0.1:1/v1' })).toThrow(
      'MEMQL_LLM_MODEL: required with MEMQL_LLM_BASE_URL',
    );
    expect(() => loadConfig({ MEMQL_EMBEDDINGS_PROVIDER: 'openai' })).toThrow(
      'MEMQL_EMBEDDINGS_BASE_URL: required when MEMQL_EMBEDDINGS_PROVIDER=openai',
    );
  });
});
