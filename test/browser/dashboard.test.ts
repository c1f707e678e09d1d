// The dashboard in a real headless Chromium, offline (every request off
// 127.0.0.1 refused and recorded): sign in with a key, users with counts, a
// user's profile, history timeline, buffer and search with highlighted hits,
// and the live feeds: an insert made through the API shows on the open page
// without a reload. A screenshot of each view is saved in test-results/.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, type OfflinePage, openOfflinePage } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const unavailable = browserUnavailable();
if (unavailable) console.warn(`SKIPPED browser tests: ${unavailable}`);

/** The live-update goal of the issue: an API insert shows on the open dashboard within one second. */
const LIVE_WITHIN_MS = 1_000;

describe.skipIf(unavailable)('dashboard in headless Chromium', () => {
  let t: TestApp;
  let b: OfflinePage;
  let origin: string;

  const gql = async (query: string) => {
    const result = await t.admin.raw<Record<string, unknown>>(query);
    expect(result.errors, query).toBeUndefined();
    return result.data!;
  };
  const say = (userId: string, content: string, waitProcess: boolean) =>
    gql(
      `mutation { insertBlob(userId: "${userId}", waitProcess: ${waitProcess}, input: { chat: { messages: [{ role: "user", content: ${JSON.stringify(content)} }] } }) { blob { id } } }`,
    );

  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } });
    origin = new URL(t.url).origin;
    await gql('mutation { a: createUser(input: { id: "alex" }) { id } b: createUser(input: { id: "sam" }) { id } }');
    await say('alex', 'I am severely allergic to peanuts, so I always check food labels.', true);
    await gql(
      'mutation { insertBlob(userId: "alex", input: { doc: { title: "Planning", content: "Quarterly notes.\\n\\nThe spring budget for peanut-free snacks is forty euros.\\n\\nThe office moves in March." } }) { blob { id } } }',
    );
    await say('sam', 'I live in Lisbon.', true);
    await t.app.indexer.drain();
    b = await openOfflinePage();
  });
  afterAll(async () => {
    await b?.close();
    await t?.destroy();
  });

  const text = async (selector: string) => (await b.page.locator(selector).first().textContent()) ?? '';

  it('refuses a wrong key, then signs in with the admin key kept in session storage only', async () => {
    const answer = await b.page.goto(`${origin}/dashboard`);
    expect(answer?.status()).toBe(200);
    expect(answer?.headers()['content-security-policy']).toContain("default-src 'self'");
    await b.page.getByLabel('API key').fill('mq_not-a-key');
    await b.page.getByRole('button', { name: 'Sign in' }).click();
    await b.page.getByText('Unknown or revoked API key').waitFor();
    await b.screenshot('dashboard-sign-in');

    await b.page.getByLabel('API key').fill(t.adminKey);
    await b.page.getByRole('button', { name: 'Sign in' }).click();
    await b.page.locator('[data-user-id="alex"]').waitFor();
    const storage = await b.page.evaluate(
      '({ session: sessionStorage.getItem("memql.dashboard.key"), local: Object.keys(localStorage) })',
    );
    expect(storage).toEqual({ session: t.adminKey, local: [] });
    expect(b.offsite).toEqual([]);
  });

  it('lists the users with their blob and memory counts', async () => {
    await expect.poll(() => text('[data-user-id="alex"] .count.blobs')).toBe('2');
    expect(await text('[data-user-id="sam"] .count.blobs')).toBe('1');
    const counts = (await gql('{ a: user(id: "alex") { memoryCount } s: user(id: "sam") { memoryCount } }')) as {
      a: { memoryCount: number };
      s: { memoryCount: number };
    };
    expect(counts.a.memoryCount).toBeGreaterThan(0);
    expect(await text('[data-user-id="alex"] .count.memories')).toBe(String(counts.a.memoryCount));
    expect(await text('[data-user-id="sam"] .count.memories')).toBe(String(counts.s.memoryCount));
    await expect.poll(() => text('[data-testid="live-state"]')).toContain('live');
    await b.screenshot('dashboard-users');
  });

  it("shows a user's profile by topic", async () => {
    await b.page.locator('[data-user-id="alex"]').click();
    await b.page
      .locator('[data-testid="profile"]')
      .getByText(/allergic to peanuts/i)
      .waitFor();
    expect(await text('[data-testid="profile"]')).toMatch(/health/i);
    await b.screenshot('dashboard-profile');
  });

  it('shows an insert made through the API on the open page within one second, without a reload', async () => {
    await b.page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    // The profileChanged subscription is opened when the user is; wait until the server has it.
    await expect.poll(() => text('[data-testid="live-state"]')).toContain('live');
    const deadline = Date.now() + 20_000;
    let shownAfterMs = Number.POSITIVE_INFINITY;
    // Each attempt states a new age; the first may land before the subscription is registered.
    for (let age = 31; shownAfterMs > LIVE_WITHIN_MS && Date.now() < deadline; age++) {
      await say('alex', `I am ${age} years old.`, true);
      const committed = Date.now();
      const shown = await b.page
        .locator('[data-testid="profile"]')
        .getByText(`${age} years old`)
        .waitFor({ timeout: LIVE_WITHIN_MS * 3 })
        .then(
          () => true,
          () => false,
        );
      if (shown) shownAfterMs = Date.now() - committed;
      console.log(`dashboard: age ${age} shown ${shown ? `after ${shownAfterMs} ms` : 'not yet'}`);
    }
    expect(shownAfterMs).toBeLessThanOrEqual(LIVE_WITHIN_MS);
    await b.page
      .locator('[data-testid="feed"]')
      .getByText(/years old/)
      .first()
      .waitFor();
    expect(await b.page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await b.screenshot('dashboard-live');
  });

  it('shows the memory history timeline with before/after, actor and source blobs', async () => {
    const memories = (await gql('{ user(id: "alex") { memories(first: 20) { edges { node { id text } } } } }')) as {
      user: { memories: { edges: { node: { id: string; text: string } }[] } };
    };
    const allergy = memories.user.memories.edges.find((edge) => /peanut/i.test(edge.node.text))!.node;
    await gql(
      `mutation { updateMemory(id: "${allergy.id}", input: { text: "Allergic to peanuts and cashews" }) { id } }`,
    );
    await b.page.getByRole('button', { name: 'Timeline' }).click();
    const timeline = b.page.locator('[data-testid="timeline"]');
    await timeline.getByText('Allergic to peanuts and cashews').first().waitFor();
    expect(await timeline.locator('.change.update').count()).toBeGreaterThanOrEqual(1); // the edit
    expect(await timeline.locator('.change.add').count()).toBeGreaterThanOrEqual(2);
    expect(await text('[data-testid="timeline"]')).toContain('edited through the API');
    expect(await text('[data-testid="timeline"] .sources')).toContain('CHAT');
    await b.screenshot('dashboard-timeline');
  });

  it('shows the buffer state', async () => {
    await say('alex', 'Busy week ahead.', false);
    await b.page.getByRole('button', { name: 'Buffer' }).click();
    await expect.poll(() => text('[data-testid="buffer"]')).toMatch(/Pending blobs\s*1/);
    expect(await text('[data-testid="buffer"]')).toContain('IDLE');
    await b.screenshot('dashboard-buffer');
  });

  it('searches with User.query and highlights the matching message and spans inside their blob', async () => {
    await b.page.getByRole('button', { name: 'Search' }).click();
    await b.page.getByLabel('Search text').fill('peanut allergy');
    await b.page.getByRole('button', { name: 'Search', exact: true }).last().click();
    const matches = b.page.locator('[data-testid="search-match"]');
    await matches.first().waitFor();
    const chat = matches.filter({ hasText: 'CHAT' }).filter({ hasText: 'allergic to peanuts' }).first();
    expect(await chat.locator('li[data-hit="true"] mark').first().textContent()).toContain('allergic to peanuts');
    const doc = matches.filter({ hasText: 'Planning' }).first();
    expect(await doc.locator('mark[data-hit="true"]').count()).toBeGreaterThan(0);
    await b.screenshot('dashboard-search');

    // The same box searches memories (User.searchMemories).
    await b.page.getByLabel('Search in').selectOption('memories');
    await b.page.getByLabel('Search text').fill('peanuts');
    await b.page.getByRole('button', { name: 'Search', exact: true }).last().click();
    const memoryMatches = b.page.locator('[data-testid="memory-match"]');
    await memoryMatches.first().waitFor();
    expect(await memoryMatches.first().textContent()).toMatch(/peanuts and cashews/i);
    await b.screenshot('dashboard-memory-search');
    expect(b.offsite).toEqual([]);
    // The one error the browser logged is the 401 of the wrong key tried at sign-in.
    expect(b.consoleErrors.filter((error) => !error.includes('status of 401'))).toEqual([]);
  });
});
