// Which webhook targets are refused: every address that reaches the server's
// own network, unless private targets are allowed. Literal addresses, so no
// DNS is needed; `localhost` resolves locally.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HttpWebhookTransport } from '../../../src/infra/http/webhook.transport.js';

describe('HttpWebhookTransport', () => {
  const strict = new HttpWebhookTransport({ allowPrivate: false, timeoutMs: 2_000 });
  const open = new HttpWebhookTransport({ allowPrivate: true, timeoutMs: 2_000 });

  it('refuses loopback, private, link-local, unique-local, CGNAT and unspecified addresses', async () => {
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://10.1.2.3/',
      'http://172.16.0.1/',
      'http://192.168.1.10/',
      'http://169.254.169.254/latest/meta-data',
      'http://100.64.0.1/',
      'http://0.0.0.0/',
      'http://[::1]/',
      'http://[fd00::1]/',
      'http://[fe80::1]/',
      'http://[::ffff:127.0.0.1]/',
    ]) {
      expect(await strict.checkTarget(url), url).toMatch(/refused \(MEMQL_WEBHOOKS_ALLOW_PRIVATE=true allows them\)$/);
    }
  });

  it('accepts public addresses, and private ones when allowed; refuses other schemes and credentials', async () => {
    expect(await strict.checkTarget('https://93.184.216.34/hook')).toBeNull();
    expect(await strict.checkTarget('http://[2606:2800:220:1::1]/')).toBeNull();
    expect(await open.checkTarget('http://127.0.0.1:8080/hook')).toBeNull();
    expect(await strict.checkTarget('ftp://93.184.216.34/')).toBe('must be an http:// or https:// URL');
    expect(await open.checkTarget('http://u:p@127.0.0.1/')).toMatch(/credentials/);
    expect(await strict.checkTarget('http://name.invalid/')).toMatch(/^name\.invalid does not resolve/);
  });

  it('never connects to a refused address, even through a name that resolves to it', async () => {
    let reached = 0;
    const server = createServer((_request, response) => {
      reached++;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      await expect(strict.post(`http://localhost:${port}/`, '{}', {})).rejects.toThrow(/webhook target refused/);
      expect(reached).toBe(0);
      expect(await open.post(`http://localhost:${port}/`, '{}', {})).toBe(200);
      expect(reached).toBe(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
