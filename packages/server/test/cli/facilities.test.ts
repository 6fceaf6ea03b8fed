// facility, api-key and user commands, as an operator runs them, on both stores. What they
// create is then used through the API, as a restaurant or an integrator would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/security/hashing.js';
import { call } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';
import { cli, type Env, envFor } from './cli.js';

describeEachDialect('tablehooks facility, api-key and user', (dialect) => {
  let h: Harness;
  let env: Env;
  beforeAll(async () => {
    h = await createHarness(dialect);
    env = envFor(h.store);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates a facility, lists it as a table and as JSON, and changes its plan', async () => {
    const created = await cli(['facility', 'create', 'the-fish', '--name', 'The Fish'], env);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('created facility the-fish (The Fish, free)');

    const table = await cli(['facility', 'list'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+PLAN\s+CREATED\s+NAME\n/);
    expect(table.stdout).toMatch(/the-fish\s+free\s+\S+\s+The Fish/);

    const upgraded = await cli(['--json', 'facility', 'set-plan', 'the-fish', 'premium'], env);
    expect(upgraded.code).toBe(0);
    expect(upgraded.json).toMatchObject({ id: 'the-fish', plan: 'premium' });

    const json = await cli(['facility', 'list', '--json'], env);
    expect(json.json.objects).toEqual([
      expect.objectContaining({ id: 'the-fish', plan: 'premium' }),
    ]);
    expect(json.json.meta.total_count).toBe(1);
  });

  it('answers exit 4 for a facility that exists, 3 for one that does not, 2 for a bad slug', async () => {
    const again = await cli(['facility', 'create', 'the-fish', '--name', 'Again'], env);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('already exists');
    const missing = await cli(['facility', 'set-plan', 'no-such-place', 'free'], env);
    expect(missing.code).toBe(3);
    const bad = await cli(['facility', 'create', 'The Fish!', '--name', 'x'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('<id>: must be a slug such as the-fish');
  });

  it('creates an API key that works against the API, lists it, and revokes it', async () => {
    const created = await cli(
      [
        '--json',
        'api-key',
        'create',
        '--facility',
        'the-fish',
        '--name',
        'zapier',
        '--scopes',
        'read',
      ],
      env,
    );
    expect(created.code).toBe(0);
    const { id, key, scopes } = created.json;
    expect(scopes).toEqual(['read']);
    const read = await call(h, { method: 'GET', url: '/v1/facility/the-fish', key });
    expect(read.status).toBe(200);

    const listed = await cli(['api-key', 'list', '--facility', 'the-fish'], env);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).not.toContain(key);

    const revoked = await cli(['api-key', 'revoke', id], env);
    expect(revoked.code).toBe(0);
    expect((await call(h, { method: 'GET', url: '/v1/facility/the-fish', key })).status).toBe(401);
    expect((await cli(['api-key', 'revoke', id], env)).code).toBe(3);
  });

  it('creates a UI user with a scrypt hash of the password, never printing it', async () => {
    const created = await cli(
      [
        'user',
        'create',
        '--facility',
        'the-fish',
        '--email',
        'Owner@The-Fish.example',
        '--password',
        'correct horse',
        '--role',
        'owner',
      ],
      env,
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('owner@the-fish.example');
    expect(created.stdout).not.toContain('correct horse');
    const row = await h.store.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'owner@the-fish.example')
      .executeTakeFirstOrThrow();
    expect(row.role).toBe('owner');
    expect(await verifyPassword('correct horse', row.password_hash)).toBe(true);

    const duplicate = await cli(
      [
        'user',
        'create',
        '--facility',
        'the-fish',
        '--email',
        'owner@the-fish.example',
        '--password',
        'another one',
      ],
      env,
    );
    expect(duplicate.code).toBe(4);
    const noPassword = await cli(
      ['user', 'create', '--facility', 'the-fish', '--email', 'x@y.example'],
      env,
    );
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain('--password is required');
  });
});

describe('tablehooks commands on a store that is not migrated yet', () => {
  it('migrate applies every migration with progress, then finds nothing to do', async () => {
    const { createTestStore } = await import('../support/stores.js');
    const store = await createTestStore('sqlite', { migrated: false });
    try {
      const first = await cli(['migrate'], envFor(store));
      expect(first.code).toBe(0);
      expect(first.stderr).toMatch(/\[1\/\d+\] applying 2026-11-27T10-foundation/);
      expect(first.stdout).toMatch(/applied \d+ migration\(s\)/);
      const second = await cli(['--json', 'migrate'], envFor(store));
      expect(second.json).toMatchObject({ store: 'sqlite', applied: [] });
    } finally {
      await store.drop();
    }
  });
});
