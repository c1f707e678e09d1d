// Every example in README.md and docs/*.md runs, in document order, against a
// live server started the way `npm start` starts it (embedded database, Chroma,
// the offline embedder and extractor): each ```graphql block over HTTP (or
// graphql-ws for subscriptions), each `gql '…'` line of a ```sh block with the
// README's own shell helper, each ```js block with node. A ```json block right
// after an example is its documented answer and must match what came back.
// The annotation rules are in DEVELOPERS.md ("README examples").

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kind, type OperationDefinitionNode, parse } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type Annotation,
  differences,
  fillIn,
  type MarkdownExample,
  readExamples,
  valueAt,
} from '../helpers/markdown-examples.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** How long an example may wait for a live event before it fails (each trigger attempt is a new change). */
const LIVE_DEADLINE_MS = 30_000;

interface Response {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function documentedFiles(): Promise<string[]> {
  const docs = (await readdir(path.join(ROOT, 'docs'))).filter((name) => name.endsWith('.md')).sort();
  return ['README.md', ...docs.map((name) => `docs/${name}`)];
}

const files = await Promise.all(
  (await documentedFiles()).map(async (file) => ({
    file,
    examples: readExamples(file, await readFile(path.join(ROOT, file), 'utf8')),
  })),
);

describe('the examples of README.md and docs/*.md', () => {
  it('README.md has examples of every kind the harness runs', () => {
    const readme = files.find((entry) => entry.file === 'README.md')!.examples;
    expect(new Set(readme.map((example) => example.lang))).toEqual(new Set(['graphql', 'sh', 'js']));
  });

  for (const { file, examples } of files.filter((entry) => entry.examples.length > 0)) {
    describe(file, () => {
      let t: TestApp;
      let shellDir: string;
      const saved: Record<string, unknown> = {};
      let shellHelper: string | null = null;

      beforeAll(async () => {
        t = await startTestApp();
        // The README's shell helper reads the key from .memql/admin.key in the current folder.
        shellDir = await mkdtemp(path.join(os.tmpdir(), 'memql-readme-'));
        await mkdir(path.join(shellDir, '.memql'));
        await writeFile(path.join(shellDir, '.memql', 'admin.key'), `${t.adminKey}\n`);
      });
      afterAll(async () => {
        await t?.destroy();
        if (shellDir) await rm(shellDir, { recursive: true, force: true });
      });

      /** The example as it would run against this server instead of localhost:8019. */
      const local = (code: string) => code.replaceAll('localhost:8019', `127.0.0.1:${t.app.port}`);

      const post = async (query: string, variables?: unknown): Promise<Response> => {
        const response = await fetch(t.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
          body: JSON.stringify({ query, variables }),
        });
        return (await response.json()) as Response;
      };

      /** Runs the trigger until `arrived()` says the live event came, a new change per attempt. */
      const triggerUntil = async (annotation: Annotation, where: string, arrived: () => boolean) => {
        if (!annotation.trigger) throw new Error(`${where}: a live example needs a "trigger" in its annotation`);
        const deadline = Date.now() + LIVE_DEADLINE_MS;
        for (let n = 1; !arrived(); n++) {
          if (Date.now() > deadline) throw new Error(`${where}: no event within ${LIVE_DEADLINE_MS} ms`);
          const trigger = fillIn(annotation.trigger, { ...saved, n }) as { query: string; variables?: unknown };
          const result = await post(trigger.query, trigger.variables);
          expect(result.errors, `${where}: the trigger failed`).toBeUndefined();
          // Each attempt is a complete committed change; wait for its delivery, not for time.
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      };

      const check = (example: MarkdownExample, where: string, body: Response) => {
        const { annotation } = example;
        if (annotation.error) {
          expect(body.errors?.[0]?.extensions?.code, `${where}: ${JSON.stringify(body)}`).toBe(annotation.error);
        } else {
          expect(body.errors, `${where}: the example failed`).toBeUndefined();
          expect(body.data, where).toBeTruthy();
        }
        if (annotation.expect !== undefined) expect(body.data, where).toMatchObject(annotation.expect as object);
        if (example.answer !== undefined)
          expect(differences(example.answer, body, '$'), `${where}: the documented answer differs`).toEqual([]);
        for (const [name, dotted] of Object.entries(annotation.save ?? {})) {
          saved[name] = valueAt(body.data, dotted);
          expect(saved[name], `${where}: nothing at ${dotted} to save as ${name}`).toBeDefined();
        }
      };

      const runGraphql = async (example: MarkdownExample, where: string) => {
        const document = parse(example.code);
        const operations = document.definitions.filter(
          (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
        );
        if (operations.length === 0) return; // SDL shown for reading, not an operation
        expect(operations.length, `${where}: one operation per block`).toBe(1);
        const variables = fillIn(example.annotation.variables ?? {}, saved);
        // A person takes longer than the index lag between two examples: let the index catch up.
        await t.app.indexer.drain();
        if (operations[0]!.operation !== 'subscription') {
          check(example, where, await post(example.code, variables));
          return;
        }
        const client = createClient({
          url: t.wsUrl,
          webSocketImpl: WebSocket,
          connectionParams: { authorization: `Bearer ${t.adminKey}` },
          retryAttempts: 0,
        });
        const events: Response[] = [];
        const failures: unknown[] = [];
        const stop = client.subscribe(
          { query: example.code, variables: variables as Record<string, unknown> },
          {
            next: (value) => void events.push(value as Response),
            error: (error) => void failures.push(error),
            complete: () => {},
          },
        );
        try {
          await triggerUntil(example.annotation, where, () => events.length > 0 || failures.length > 0);
          expect(failures, where).toEqual([]);
          check(example, where, events[0]!);
        } finally {
          stop();
          await client.dispose();
        }
      };

      const runShell = async (example: MarkdownExample, where: string) => {
        if (/^\s*gql\(\)/m.test(example.code)) {
          shellHelper = local(example.code);
          return;
        }
        const calls = example.code.split('\n').filter((line) => line.startsWith('gql '));
        if (calls.length === 0) return; // installing, starting, building: not an API example
        if (!shellHelper) throw new Error(`${where}: gql is used before the block that defines it`);
        await t.app.indexer.drain();
        for (const call of calls) {
          const { stdout } = await promisify(execFile)('bash', ['-c', `${shellHelper}\n${call}`], { cwd: shellDir });
          check(example, `${where} (${call.slice(0, 60)}…)`, JSON.parse(stdout) as Response);
        }
      };

      const runJs = async (example: MarkdownExample, where: string) => {
        const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', local(example.code)], {
          cwd: ROOT, // bare imports resolve from the project's node_modules, as in the reader's app
          env: { ...process.env, KEY: t.adminKey },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        const collect = (chunk: Buffer) => {
          output += chunk.toString();
        };
        child.stdout!.on('data', collect);
        child.stderr!.on('data', collect);
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        try {
          const prints = example.annotation.prints;
          if (!example.annotation.trigger) {
            expect(await exited, `${where}: ${output}`).toBe(0);
            if (prints) expect(output, where).toContain(prints);
            return;
          }
          if (!prints) throw new Error(`${where}: a live js example needs "prints" beside its "trigger"`);
          await triggerUntil(example.annotation, where, () => output.includes(prints) || child.exitCode !== null);
          expect(output, where).toContain(prints);
        } finally {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        }
      };

      for (const example of examples) {
        const where = `${example.file}:${example.line}`;
        const title = example.code.trim().split('\n')[0]!.slice(0, 70);
        it(`${where} ${example.lang}: ${title}`, async () => {
          switch (example.lang) {
            case 'graphql':
              return runGraphql(example, where);
            case 'sh':
              return runShell(example, where);
            case 'js':
              return runJs(example, where);
            default: {
              const unreachable: never = example.lang;
              throw new Error(`unknown example kind ${String(unreachable)}`);
            }
          }
        });
      }
    });
  }
});
