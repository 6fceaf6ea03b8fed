// What a user meets first: help for every command, and clear errors with exit code 2.
import { describe, expect, it } from 'vitest';
import { cli } from './cli.js';

const commands = [
  ['serve'],
  ['setup'],
  ['demo'],
  ['migrate'],
  ['facility', 'create'],
  ['facility', 'list'],
  ['facility', 'set-plan'],
  ['api-key', 'create'],
  ['api-key', 'list'],
  ['api-key', 'revoke'],
  ['user', 'create'],
  ['webhook', 'list'],
  ['webhook', 'show'],
  ['webhook', 'disable'],
  ['webhook', 'enable'],
  ['deliveries', 'list'],
  ['deliveries', 'resend'],
  ['recover'],
  ['rotate-key'],
];

describe('tablehooks --help', () => {
  it('lists every command and the exit codes', async () => {
    const run = await cli(['--help'], {});
    expect(run.code).toBe(0);
    for (const [name] of commands) expect(run.stdout).toContain(name);
    expect(run.stdout).toContain('Exit codes');
  });

  it.each(commands)('explains %s %s', async (...words) => {
    const run = await cli([...words.filter(Boolean), '--help'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: tablehooks /);
  });

  it('works even when the configuration is invalid', async () => {
    const run = await cli(['facility', '--help'], { TABLEHOOKS_PORT: 'abc' });
    expect(run.code).toBe(0);
  });
});

describe('tablehooks with bad arguments', () => {
  it('suggests the command meant, with exit code 2', async () => {
    const run = await cli(['facilty', 'list'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'facilty'");
    expect(run.stderr).toContain('Did you mean facility?');
  });

  it('shows the group help when the subcommand is missing, with exit code 2', async () => {
    const run = await cli(['webhook'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: tablehooks webhook');
  });

  it.each([
    [['facility', 'create', 'the-fish'], "required option '--name <name>'"],
    [
      ['facility', 'create', 'x', '--name', 'X', '--plan', 'gold'],
      'Allowed choices are free, premium',
    ],
    [['facility', 'set-plan', 'x', 'gold'], 'Allowed choices are free, premium'],
    [['facility', 'list', '--limit', 'ten'], 'expected a whole number'],
    [
      ['api-key', 'create', '--facility', 'x', '--scopes', 'read,admin'],
      'comma-separated list of read, write, webhooks',
    ],
    [['deliveries', 'list', '--since', 'yesterday'], 'expected an ISO 8601 time'],
    [
      ['deliveries', 'list', '--status', 'lost'],
      'Allowed choices are pending, blocked, paused, succeeded, failed, superseded, expired',
    ],
    [['recover'], "required option '--since <time>'"],
    [['serve', '--role', 'worker'], 'Allowed choices are all, api, dispatcher'],
    [['rotate-key'], 'give exactly one of --new-key, --new-key-file, --generate'],
    [['rotate-key', '--new-key', 'short'], '--new-key: expected 32 random bytes'],
  ])('refuses %j: %s', async (args, message) => {
    const run = await cli(args, {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('names the variable of a bad configuration, with exit code 2', async () => {
    const run = await cli(['facility', 'list'], { TABLEHOOKS_RETENTION_DAYS: 'forever' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('TABLEHOOKS_RETENTION_DAYS');
  });

  it('says the database cannot be reached, with exit code 5', async () => {
    const run = await cli(['facility', 'list'], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing',
      TABLEHOOKS_SECRET_KEY: Buffer.alloc(32, 1).toString('base64'),
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('cannot open the database');
  });
});
