// A real headless Chromium (Debian's `chromium` package) driven by
// playwright-core, for the pages a person looks at. Every request the page
// makes to a host other than 127.0.0.1 is aborted and recorded, so a test can
// assert the page works offline. Screenshots go to test-results/screenshots
// (git-ignored).

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.MEMQL_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

/** Why browser tests cannot run here, or null when they can. */
export function browserUnavailable(): string | null {
  return existsSync(CHROMIUM_PATH)
    ? null
    : `no Chromium at ${CHROMIUM_PATH}: install Debian's package (apt-get install -y chromium) to run the browser tests`;
}

export interface OfflinePage {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Requests the page tried to send anywhere but 127.0.0.1 (all refused). */
  offsite: string[];
  /** Errors the page threw or logged. */
  consoleErrors: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function openOfflinePage(): Promise<OfflinePage> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const offsite: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '127.0.0.1') {
      offsite.push(url.href);
      return route.abort('internetdisconnected');
    }
    return route.continue();
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    browser,
    context,
    page,
    offsite,
    consoleErrors,
    screenshot: async (name) => {
      const file = path.join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    close: () => browser.close(),
  };
}
