// GraphiQL in a real headless Chromium, offline: the page and everything it
// loads come from the memql server on 127.0.0.1 (any other request is
// refused and recorded). A person types a key, runs a query, starts a
// subscription and sees an event arrive after an insert made through the API.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, type OfflinePage, openOfflinePage } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const unavailable = browserUnavailable();
if (unavailable) console.warn(`SKIPPED browser tests: ${unavailable}`);

describe.skipIf(unavailable)('GraphiQL in headless Chromium', () => {
  let t: TestApp;
  let b: OfflinePage;
  let origin: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } });
    origin = new URL(t.url).origin;
    await t.admin.raw('mutation { createUser(input: { id: "alex" }) { id } }');
    b = await openOfflinePage();
  });
  afterAll(async () => {
    await b?.close();
    await t?.destroy();
  });

  const HEADERS = '.graphiql-editor-tool .monaco-editor[data-uri$="headers.json"]';
  const QUERY = '.graphiql-query-editor .monaco-editor';
  /** Replaces the text of a Monaco editor, and waits until the editor shows it. */
  const typeInto = async (selector: string, text: string) => {
    const editor = b.page.locator(selector).first();
    await editor.click();
    await b.page.keyboard.press('ControlOrMeta+a');
    await b.page.keyboard.press('Delete');
    await b.page.keyboard.insertText(text);
    const shown = async () => ((await editor.locator('.view-lines').textContent()) ?? '').replace(/\s+/g, ' ');
    await expect.poll(shown).toContain(text.replace(/\s+/g, ' ').slice(0, 40));
  };
  const response = async () => (await b.page.locator('.graphiql-response').textContent()) ?? '';

  it('serves GraphiQL at /graphql to a browser, with the README operations as tabs, offline', async () => {
    const answer = await b.page.goto(`${origin}/graphql`);
    expect(answer?.status()).toBe(200);
    expect(answer?.headers()['content-security-policy']).toContain("default-src 'self'");
    await b.page.locator('.graphiql-container').waitFor();
    await b.page.locator('.graphiql-query-editor .monaco-editor').waitFor();
    const tabs = await b.page.locator('.graphiql-tab').count();
    expect(tabs).toBeGreaterThanOrEqual(5);
    expect(await b.page.locator('.memql-note').textContent()).toContain('.memql/admin.key');
    expect(await response()).not.toContain('UNAUTHENTICATED');
    await b.screenshot('graphiql-loaded');
    // The docs explorer works before any key is typed (the schema comes with the page).
    await b.page.getByRole('button', { name: /show documentation explorer/i }).click();
    await b.page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().waitFor();
    await b.page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().click();
    await b.page
      .locator('.graphiql-doc-explorer')
      .getByText('searchMemories', { exact: false })
      .or(b.page.locator('.graphiql-doc-explorer').getByText('profileConfig'))
      .first()
      .waitFor();
    await b.screenshot('graphiql-docs');
    await b.page.getByRole('button', { name: /hide documentation explorer/i }).click();
    expect(b.offsite).toEqual([]);
  });

  it('runs a query with the key typed into the headers editor and shows the data', async () => {
    await b.page.locator('.graphiql-tab').first().click();
    await typeInto(HEADERS, `{ "authorization": "Bearer ${t.adminKey}" }`);
    await typeInto(QUERY, '{ project { name } users(first: 5) { edges { node { id } } } }');
    await b.page.locator('.graphiql-execute-button').click();
    await expect.poll(response, { timeout: 15_000 }).toContain('"alex"');
    expect(await response()).toContain('"default"');
    await b.screenshot('graphiql-query');
  });

  it('starts a profileChanged subscription over graphql-ws and shows an event after an insert through the API', async () => {
    await typeInto(QUERY, 'subscription { profileChanged(userId: "alex") { kind after topic subTopic actor } }');
    await b.page.locator('.graphiql-execute-button').click();
    // Each insert states a new age (an ADD, then UPDATEs) until the subscription, registered asynchronously, shows one.
    const deadline = Date.now() + 30_000;
    for (let n = 1; !(await response()).includes('profileChanged') && Date.now() < deadline; n++) {
      const inserted = await t.admin.raw(
        `mutation { insertBlob(userId: "alex", waitProcess: true, input: { chat: { messages: [{ role: "user", content: "I am ${20 + n} years old." }] } }) { event { id } } }`,
      );
      expect(inserted.errors).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(await response()).toContain('profileChanged');
    expect(await response()).toMatch(/years old|age/i);
    await b.screenshot('graphiql-subscription');
    // Stop the subscription: the button reads "Stop" while one runs.
    const button = b.page.locator('.graphiql-execute-button');
    expect(await button.getAttribute('aria-label')).toMatch(/^Stop/);
    await button.click();
    await expect.poll(() => button.getAttribute('aria-label'), { timeout: 10_000 }).toMatch(/^Execute/);
    expect(b.offsite).toEqual([]);
  });

  it('explains a missing key in the response', async () => {
    await typeInto(HEADERS, '{}');
    await typeInto(QUERY, '{ project { name } }');
    await b.page.locator('.graphiql-execute-button').click();
    await expect.poll(response, { timeout: 15_000 }).toContain('UNAUTHENTICATED');
    expect(b.offsite).toEqual([]);
  });
});

describe('MEMQL_GRAPHIQL=false', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_GRAPHIQL: 'false' } });
  });
  afterAll(async () => t?.destroy());

  it('serves no page, and GET /graphql from a browser gets no CDN landing page', async () => {
    const graphiql = await fetch(`${new URL(t.url).origin}/graphiql`, { headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(404);
    expect(await graphiql.text()).toContain('MEMQL_GRAPHIQL=false');
    const graphql = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(await graphql.text()).not.toMatch(/cdn|sandbox/i);
  });
});
