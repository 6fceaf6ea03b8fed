// Debian's Chromium driven by playwright-core: no browser download, no sandbox in CI.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const SCREENSHOTS = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../test-results/screenshots',
);

export const DESKTOP = { width: 1280, height: 860 };
export const MOBILE = { width: 375, height: 812 };

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Why the browser tests cannot run here, or undefined when they can. Outside CI they are
 * then skipped with this line; under CI=true a missing browser fails them (as a missing
 * PostgreSQL fails the server's tests).
 */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  return (
    `The browser tests need Chromium at ${CHROMIUM}, which is not there. ` +
    'Install it with `sudo apt-get install chromium` (Debian/Ubuntu), or point CHROMIUM_PATH ' +
    'at a Chromium or Chrome binary. No browser is downloaded: playwright-core drives the one installed.'
  );
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions; a test ends by expecting none. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * A fresh browser profile (its own cookies). Chromium reports every non-2xx fetch as a
 * console error ("Failed to load resource"); the API's 4xx answers the UI handles on
 * purpose (401 before login, 400 for a bad field) are not errors of the page, so those
 * — and only those, for /v1/ URLs — are not counted.
 */
export async function openPage(browser: Browser, viewport = DESKTOP): Promise<TestPage> {
  const context = await browser.newContext({
    viewport,
    locale: 'en-GB',
    timezoneId: 'Europe/Berlin',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    // E2E_CONSOLE=1 prints everything the pages log, for debugging a test.
    if (process.env.E2E_CONSOLE)
      process.stderr.write(`[${msg.type()}] ${msg.text()} ${msg.location().url}\n`);
    if (msg.type() !== 'error') return;
    const where = msg.location().url ?? '';
    const expected4xx =
      /^Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text()) &&
      new URL(where, 'http://x').pathname.startsWith('/v1/');
    if (!expected4xx) errors.push(`console: ${msg.text()} (${where})`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.setDefaultTimeout(20_000);
  return { page, context, errors, close: () => context.close() };
}

/** Screenshots kept in the repository, as evidence of what a test showed. */
export const KEPT_SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '../screenshots');

export async function screenshot(page: Page, name: string, dir = SCREENSHOTS): Promise<void> {
  mkdirSync(dir, { recursive: true });
  // Fonts loaded and no "Loading…" left, so the picture shows the page, not a spinner.
  await page.evaluate(() => document.fonts.ready);
  await page
    .locator('.loading')
    .first()
    .waitFor({ state: 'detached' })
    .catch(() => {});
  await page.screenshot({
    path: join(dir, `${name}.png`),
    fullPage: true,
    animations: 'disabled',
    caret: 'hide',
  });
}

export async function login(page: Page, baseUrl: string, email: string, password: string) {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}
