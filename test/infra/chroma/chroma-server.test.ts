import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChromaServer } from '../../../src/infra/chroma/chroma-server.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'memql-chroma-server-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: no such process.
    return false;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

describe('startChromaServer', () => {
  it('starts on a free port, answers its heartbeat and stops (idempotently)', async () => {
    const logs: string[] = [];
    const server = await startChromaServer({ dataDir: path.join(root, 'a'), onLog: (line) => logs.push(line) });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${server.url}/api/v2/heartbeat`);
    expect(response.ok).toBe(true);
    expect(logs.some((line) => line.includes('Saving data to'))).toBe(true);
    expect(server.running).toBe(true);
    await Promise.all([server.stop(), server.stop()]);
    expect(server.running).toBe(false);
    expect(alive(server.pid)).toBe(false);
    await server.stop();
  });

  it('refuses a port that is already taken, naming it', async () => {
    const first = await startChromaServer({ dataDir: path.join(root, 'b') });
    try {
      await expect(startChromaServer({ dataDir: path.join(root, 'c'), port: first.port })).rejects.toThrow(
        `Cannot start Chroma: port ${first.port} on 127.0.0.1 is already in use`,
      );
    } finally {
      await first.stop();
    }
  });

  it('fails with the URL, the data dir and the output when the heartbeat does not answer in time', async () => {
    const dataDir = path.join(root, 'd');
    await expect(startChromaServer({ dataDir, startTimeoutMs: 1 })).rejects.toThrow(
      new RegExp(`did not answer http://127\\.0\\.0\\.1:\\d+/api/v2/heartbeat within 1 ms .*data dir ${dataDir}`),
    );
  });

  it('does not outlive a parent that is killed with SIGKILL', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/start-chroma.ts', import.meta.url));
    const parent = spawn(process.execPath, ['--import', 'tsx', fixture, path.join(root, 'e')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      parent.stdout.setEncoding('utf8');
      parent.stdout.on('data', (chunk: string) => {
        buffered += chunk;
        if (buffered.includes('\n')) resolve(buffered.split('\n')[0]!);
      });
      parent.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
    });
    const { pid } = JSON.parse(line) as { pid: number };
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await waitUntil(() => !alive(pid), 5_000)).toBe(true);
  });
});
