// Browser apps on other origins: MEMQL_CORS_ORIGINS lists the allowed ones.
// Real HTTP requests shaped as a browser sends them (preflight, then the
// request with an Origin header); Apollo's CSRF prevention still refuses a
// simple request that would skip the preflight.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const APP = 'http://app.example.test:3000';
const OTHER = 'http://evil.example.test';

describe('CORS (MEMQL_CORS_ORIGINS)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_CORS_ORIGINS: `${APP}, http://localhost:5173` },
    });
  });
  afterAll(async () => t?.destroy());

  const preflight = (origin: string) =>
    fetch(t.url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });

  it('answers the preflight of an allowed origin, with Authorization allowed', async () => {
    const response = await preflight(APP);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('lets the allowed origin read the answer of the real request', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { origin: APP, 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
      body: JSON.stringify({ query: '{ project { name } }' }),
    });
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    expect(await response.json()).toEqual({ data: { project: { name: 'default' } } });
  });

  it('refuses the preflight of an origin that is not listed, saying how to allow it', async () => {
    const response = await preflight(OTHER);
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await response.json()).toEqual({
      error: `Origin ${OTHER} is not allowed: add it to MEMQL_CORS_ORIGINS`,
    });
  });

  it('gives no CORS headers to an unlisted origin, so the browser hides the answer', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { origin: OTHER, 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
      body: JSON.stringify({ query: '{ project { name } }' }),
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps CSRF prevention: a simple request (no preflight) is refused even from an allowed origin', async () => {
    const body = JSON.stringify({ query: 'mutation { createUser(input: { id: "csrf" }) { id } }' });
    // A simple request carries no Authorization header: it is refused before its body is read.
    const simple = await fetch(t.url, { method: 'POST', headers: { origin: APP, 'content-type': 'text/plain' }, body });
    expect(simple.status).toBe(401);
    // With a key (which a browser would only send after a preflight), Apollo's CSRF prevention still refuses it.
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { origin: APP, 'content-type': 'text/plain', authorization: `Bearer ${t.adminKey}` },
      body,
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/);
    const get = await fetch(`${t.url}?query=${encodeURIComponent('{ project { name } }')}`, {
      headers: { origin: APP, authorization: `Bearer ${t.adminKey}` },
    });
    expect(get.status).toBe(400);
  });

  it('allows no origin by default', async () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
  });
});

describe('MEMQL_CORS_ORIGINS validation', () => {
  it('names the setting and the entry that is not an origin', () => {
    expect(() => loadConfig({ MEMQL_CORS_ORIGINS: 'https://ok.example, https://bad.example/' })).toThrow(
      /MEMQL_CORS_ORIGINS: "https:\/\/bad\.example\/" is not an origin/,
    );
    expect(() => loadConfig({ MEMQL_CORS_ORIGINS: 'app.example' })).toThrow(/MEMQL_CORS_ORIGINS/);
    expect(loadConfig({ MEMQL_CORS_ORIGINS: 'https://a.example,http://localhost:3000' }).corsOrigins).toEqual([
      'https://a.example',
      'http://localhost:3000',
    ]);
  });
});
