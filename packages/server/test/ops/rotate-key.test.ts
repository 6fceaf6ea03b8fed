// Rotating TABLEHOOKS_SECRET_KEY with the real binary: afterwards every webhook still
// authenticates at its receiver (Basic Auth and signature), and the old key opens nothing.
import { writeFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { basicAuth } from '../../src/dispatcher/payload.js';
import { sign } from '../../src/dispatcher/signature.js';
import { keyFilePath } from '../../src/security/key-rotation.js';
import { SecretBox } from '../../src/security/secret-box.js';
import { cli, type Env, startCommand } from '../cli/cli.js';
import { OPERATOR_KEY } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.js';

const OLD = Buffer.alloc(32, 11);
const NEW = Buffer.alloc(32, 22);

describeEachDialect('tablehooks rotate-key', (dialect) => {
  let store: TestStore | undefined;
  let receiver: TestReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    await store?.drop();
    store = undefined;
  });

  it('re-encrypts every stored secret: webhooks still authenticate, the old key opens nothing', async () => {
    store = await createTestStore(dialect);
    receiver = await TestReceiver.start();
    // Embedded mode keeps the key in the data folder; PostgreSQL takes it from the environment.
    const embedded = dialect === 'sqlite';
    if (embedded) writeFileSync(keyFilePath(store.dataDir), `${OLD.toString('base64')}\n`);
    const base: Env = {
      TABLEHOOKS_DATA_DIR: store.dataDir,
      DATABASE_URL: store.databaseUrl,
      TABLEHOOKS_OPERATOR_KEY: OPERATOR_KEY,
      TABLEHOOKS_ALLOWED_TARGETS: '127.0.0.1/32',
      TABLEHOOKS_LOG_LEVEL: 'warn',
    };
    const withKey = (key: Buffer): Env =>
      embedded ? base : { ...base, TABLEHOOKS_SECRET_KEY: key.toString('base64') };

    // Three webhooks on two facilities, made through the API of a server holding the old key.
    let server = await startCommand(['serve'], withKey(OLD));
    const api = async (method: string, path: string, key: string, body?: unknown) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { 'api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await res.json()) as any;
    };
    const hooks: {
      id: string;
      facility: string;
      key: string;
      username: string;
      password: string;
      secret: string;
    }[] = [];
    for (const facility of ['the-fish', 'the-oak']) {
      await api('POST', '/v1/facility', OPERATOR_KEY, {
        id: facility,
        name: facility,
        plan: 'premium',
      });
      const { key } = await api('POST', `/v1/facility/${facility}/api-keys`, OPERATOR_KEY, {
        name: 'k',
        scopes: ['read', 'write', 'webhooks'],
      });
      for (const n of facility === 'the-fish' ? [1, 2] : [3]) {
        const username = `user-${n}`;
        const password = `password-${n}-${facility}`;
        const created = await api('POST', `/v1/facility/${facility}/webhooks`, key, {
          url: `${receiver.url}/${n}`,
          username,
          password,
          events: ['booking_created'],
        });
        hooks.push({
          id: created.id,
          facility,
          key,
          username,
          password,
          secret: created.signing_secret,
        });
      }
    }
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    const rotated = await cli(['rotate-key', '--new-key', NEW.toString('hex')], withKey(OLD));
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/re-encrypted:\s+3/);
    expect(rotated.stdout).toContain(
      embedded
        ? 'Restart tablehooks so it loads it'
        : 'set TABLEHOOKS_SECRET_KEY to the new key on every tablehooks process',
    );

    // The old key opens nothing any more; the new one opens everything.
    const oldBox = new SecretBox(OLD, () => Buffer.alloc(12));
    const newBox = new SecretBox(NEW, () => Buffer.alloc(12));
    const rows = await store.db.selectFrom('webhooks').selectAll().execute();
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      for (const sealed of [row.password_enc, row.signing_secret_enc!]) {
        expect(() => oldBox.open(sealed, row.id)).toThrow();
      }
      const hook = hooks.find((h) => h.id === row.id)!;
      expect(newBox.open(row.password_enc, row.id)).toBe(hook.password);
      expect(newBox.open(row.signing_secret_enc!, row.id)).toBe(hook.secret);
    }

    // A server with the new key delivers to every webhook with its credentials and signature.
    server = await startCommand(['serve'], withKey(NEW));
    try {
      for (const facility of ['the-fish', 'the-oak']) {
        const key = hooks.find((h) => h.facility === facility)!.key;
        await api('POST', `/v1/facility/${facility}/bookings`, key, {
          num: 2,
          date: '2026-12-31T20:00:00+01:00',
          name: 'G',
        });
      }
      await receiver.waitFor(3, 20_000);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    for (const hook of hooks) {
      const n = hook.username.split('-')[1];
      const got = receiver.received.find((r) => r.path === `/hook/${n}`)!;
      expect(got.headers.authorization).toBe(basicAuth(hook.username, hook.password));
      const expected = sign(
        hook.secret,
        String(got.headers['webhook-id']),
        Number(got.headers['webhook-timestamp']),
        got.body,
      );
      expect(got.headers['webhook-signature']).toBe(expected);
    }

    if (embedded) {
      // The key file now holds the new key; a wrong key in the environment changes nothing.
      const wrong = await cli(['rotate-key', '--generate'], {
        ...base,
        TABLEHOOKS_SECRET_KEY: Buffer.alloc(32, 33).toString('base64'),
      });
      expect(wrong.code).toBe(4);
      expect(wrong.stderr).toContain('open with neither key');
    } else {
      // A second run (after a rolling restart) finds everything already under the new key.
      const again = await cli(
        ['--json', 'rotate-key', '--new-key', NEW.toString('base64')],
        withKey(OLD),
      );
      expect(again.code).toBe(0);
      expect(again.json).toMatchObject({ webhooks: 3, rotated: 0, already_new: 3, unreadable: [] });
    }
  }, 120_000);
});
