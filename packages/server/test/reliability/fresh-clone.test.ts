// The first minutes of a new user, from a fresh clone: `npm ci`, then the commands the README
// and the first-run banner print. Slow (an install of every dependency, from npm's cache when
// it has them), so it runs with the reliability suite in CI, not in `npm test`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

const repo = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
const INSTALL_MS = 15 * 60_000;

let clone: string;

function run(command: string, args: string[], extra: Record<string, string> = {}) {
  const result = spawnSync(command, args, {
    cwd: clone,
    encoding: 'utf8',
    timeout: INSTALL_MS,
    // No DATABASE_URL, TABLEHOOKS_* or CI from the test's own environment: a new user's shell.
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...extra },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  clone = mkdtempSync(join(tmpdir(), 'tablehooks-fresh-clone-'));
  // The committed tree, as `git clone` gives it to a new user (no dist/, no node_modules/).
  execFileSync('git', ['clone', '--quiet', '--no-checkout', repo, clone]);
  execFileSync('git', ['checkout', '--quiet', commit], { cwd: clone });
  expect(existsSync(join(clone, 'packages/server/dist'))).toBe(false);
  // From npm's cache when it has the packages; the registry otherwise.
  const installed = run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline']);
  expect(installed.code, installed.stderr).toBe(0);
}, INSTALL_MS);

afterAll(() => {
  if (clone) rmSync(clone, { recursive: true, force: true });
});

it('answers `npx tablehooks --help` right after `npm ci`', () => {
  const help = run('npx', ['tablehooks', '--help']);
  expect(help.code, help.stderr).toBe(0);
  expect(help.stdout).toMatch(/^Usage: tablehooks \[options\] \[command\]/);
  expect(help.stdout).toContain('webhook');
  expect(help.stdout).toContain('health');
  // It built the server on the way, once: the next run just runs it.
  expect(help.stderr).toContain('building the server once');
  const again = run('npx', ['tablehooks', '--version']);
  expect(again.code).toBe(0);
  expect(again.stderr).not.toContain('building');
});

it('refuses a read command before there is a database, and makes none', () => {
  const listed = run('npx', ['tablehooks', 'webhook', 'list']);
  expect(listed.code).toBe(5);
  expect(listed.stderr).toContain(`no database at ${join(clone, 'data', 'tablehooks.sqlite')}`);
  expect(readdirSync(clone)).not.toContain('data');
});
