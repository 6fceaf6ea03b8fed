// What every UI test file starts with: a tablehooks server, Chromium and a receiver, started
// together before its tests and stopped after them, and pages that are closed after each test.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { chromiumMissing, DESKTOP, launch, openPage, type TestPage } from './browser.js';
import { TestReceiver } from './receiver.js';
import { type RunningServer, startServer } from './server.js';

export interface Ui {
  readonly server: RunningServer;
  readonly receiver: TestReceiver;
  /** A fresh browser context and page at this size; closed after the test. */
  page(viewport?: { width: number; height: number }): Promise<TestPage>;
}

/**
 * Call at the top of a describe block: its own beforeAll hooks then run after these. `env`
 * adds server settings (e.g. a longer retry schedule).
 */
export function useUi(env: Record<string, string> = {}): Ui {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let receiver: TestReceiver | undefined;
  const open: TestPage[] = [];
  const missing = chromiumMissing();
  beforeEach((ctx) => {
    if (missing) ctx.skip();
  });
  beforeAll(async () => {
    if (missing) {
      if (process.env.CI === 'true') throw new Error(missing);
      console.warn(`Skipping the browser tests: ${missing}`);
      return;
    }
    [server, browser, receiver] = await Promise.all([
      startServer(env),
      launch(),
      TestReceiver.start(),
    ]);
  });
  afterEach(async () => {
    for (const p of open.splice(0)) await p.close();
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the UI test world is not started yet');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get receiver() {
      return started(receiver);
    },
    async page(viewport = DESKTOP) {
      const p = await openPage(started(browser), viewport);
      open.push(p);
      return p;
    },
  };
}
