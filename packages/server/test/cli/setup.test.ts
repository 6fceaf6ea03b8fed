// First run as a newcomer meets it: `npm start` on an empty store says what to do next, and
// `tablehooks setup` does it, from flags (scripts) or from questions on a terminal.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/security/hashing.js';
import { MAIN } from '../support/process.js';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.js';
import { cli, envFor, startCommand } from './cli.js';

const hasScript = spawnSync('script', ['--version']).status === 0;

describeEachDialect('first run', (dialect) => {
  let store: TestStore | undefined;
  afterEach(async () => {
    await store?.drop();
    store = undefined;
  });

  it('serve prints the address, the operator key once, and how to run setup', async () => {
    store = await createTestStore(dialect, { migrated: false });
    const { TABLEHOOKS_OPERATOR_KEY: _, ...env } = envFor(store);
    const server = await startCommand([], env);
    try {
      await expect
        .poll(() => server.stdout(), { timeout: 10_000 })
        .toContain('npx tablehooks setup');
      expect(server.stdout()).toMatch(/Operator key, shown this once[^\n]*\n {2}op_\S{20,}/);
      expect(server.stdout()).toContain(`then log in at ${server.url}/`);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);

    // The key was printed once: a second start has nothing to show, and nothing to set up
    // once a facility exists.
    const again = await startCommand([], env);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    expect(again.stdout()).not.toContain('Operator key');
  });

  it('setup from flags creates a premium facility and its owner, and only once', async () => {
    store = await createTestStore(dialect);
    const env = envFor(store, { TABLEHOOKS_PORT: '8123' });
    const args = [
      'setup',
      '--facility',
      'the-fish',
      '--name',
      'The Fish',
      '--email',
      'ada@the-fish.example',
    ];
    const missing = await cli(args, env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing --password');

    const done = await cli([...args, '--password', 'correct horse'], env);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain(
      'Created The Fish (the-fish, premium plan) and its owner ada@the-fish.example.',
    );
    expect(done.stdout).toContain('Log in at http://127.0.0.1:8123/');
    const facility = await store.db.selectFrom('facilities').selectAll().executeTakeFirstOrThrow();
    expect(facility).toMatchObject({ id: 'the-fish', name: 'The Fish', plan: 'premium' });
    const owner = await store.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(owner).toMatchObject({
      facility_id: 'the-fish',
      email: 'ada@the-fish.example',
      role: 'owner',
    });
    expect(await verifyPassword('correct horse', owner.password_hash)).toBe(true);

    const twice = await cli([...args, '--password', 'correct horse'], env);
    expect(twice.code).toBe(4);
    expect(twice.stderr).toContain('already set up');
  });
});

describe.skipIf(!hasScript)('tablehooks setup on a terminal [sqlite]', () => {
  it('asks for what is missing, re-asks a bad answer, and hides the password', async () => {
    const store = await createTestStore('sqlite');
    try {
      const env = { ...process.env, ...envFor(store) } as NodeJS.ProcessEnv;
      // `script` gives the command a pseudo-terminal; the answers are typed into it in turn.
      const answers = [
        'the-fish',
        'The Fish',
        'not-an-email',
        'ada@the-fish.example',
        'secret-words',
        'secret-words',
      ];
      const { spawn } = await import('node:child_process');
      const child = spawn('script', ['-qec', `${process.execPath} ${MAIN} setup`, '/dev/null'], {
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      const prompts = [
        'Facility id',
        'Facility name',
        "Owner's email",
        "Owner's email",
        "Owner's password",
        'Again',
      ];
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      for (const [i, prompt] of prompts.entries()) {
        await expect
          .poll(() => out.split(prompt).length - 1, { timeout: 20_000 })
          .toBeGreaterThanOrEqual(prompts.slice(0, i + 1).filter((p) => p === prompt).length);
        child.stdin.write(`${answers[i]}\r`);
      }
      expect(await exited).toBe(0);
      clearTimeout(timer);
      expect(out).toContain('an email address, please');
      expect(out).toContain('Created The Fish (the-fish, premium plan)');
      expect(out).not.toContain('secret-words');
      const owner = await store.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
      expect(await verifyPassword('secret-words', owner.password_hash)).toBe(true);
    } finally {
      await store.drop();
    }
  });
});
