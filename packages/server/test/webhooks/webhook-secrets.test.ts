// A webhook password is write-only: it goes out in the Authorization header of a trigger and
// nowhere else: not in an API answer, not in a log line, not in the database in plaintext.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SecretBox } from '../../src/security/secret-box.js';
import { createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness, TEST_SECRET_KEY } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';
import { apiOf, basicCredentials, type Response, webhookBody } from './webhook-client.js';

/** Every spelling in which a password could leak: as is, its ASCII core (survives any
 * escaping), and as it travels in the Authorization header. */
function spellings(username: string, password: string): string[] {
  const core = /Pw-[0-9a-f-]{36}/.exec(password)![0];
  return [
    password,
    core,
    Buffer.from(password).toString('base64'),
    Buffer.from(password).toString('hex'),
    Buffer.from(`${username}:${password}`).toString('base64'),
  ];
}

const serverKey = () => Buffer.from(TEST_SECRET_KEY, 'base64');

describeEachDialect('webhook passwords at rest and in transit', (dialect) => {
  const first = `Pw-${randomUUID()}-ünïcode`;
  const second = `Pw-${randomUUID()}-ünïcode`;
  // Stored in plaintext on purpose: proves the database searches below can see stored text.
  const marker = `desc-${randomUUID()}`;
  let h: Harness;
  let receiver: TestReceiver;
  let fac: TestFacility;
  const responses: Response[] = [];
  let w1: any;
  let w2: any;
  let w3: any;
  let movedTrigger: Response;
  let receivedByW3 = 0;
  let sealedAtCreation: string[] = [];

  const secrets = () => [...spellings('zapier', first), ...spellings('zapier', second)];

  beforeAll(async () => {
    // The most verbose logging an operator could turn on.
    h = await createHarness(dialect, { logLevel: 'trace' }, { dispatcher: true });
    receiver = await TestReceiver.start();
    fac = await createFacility(h);
    const api = apiOf(h, fac);
    const keep = async (res: Promise<Response>) => {
      const r = await res;
      responses.push(r);
      return r;
    };

    w1 = (
      await keep(api.create(webhookBody(receiver.url, { password: first, description: marker })))
    ).json;
    w2 = (await keep(api.create(webhookBody(receiver.url, { password: first })))).json;
    sealedAtCreation = [await passwordEncOf(w1.id), await passwordEncOf(w2.id)];
    w3 = (await keep(api.create(webhookBody(`${receiver.url}-w3`, { password: second })))).json;
    await keep(api.get(w1.id));
    await keep(api.list());
    await keep(api.patch(w1.id, { description: `${marker} changed` }));
    await keep(api.patch(w1.id, { password: second }));
    await keep(api.test(w1.id));
    receiver.queue({ status: 500, body: 'receiver is down' });
    await keep(api.test(w2.id));
    await keep(api.patch(w2.id, { url: 'http://127.0.0.1:1/closed' }));
    const refused = await keep(api.test(w2.id));
    await keep(api.deliveries(w1.id));
    await keep(api.delivery(w2.id, refused.json.delivery.id));
    await keep(api.secret(w1.id));
    // Refused requests that carry a password.
    await keep(api.create(webhookBody(receiver.url, { password: first, username: 'a:b' })));
    await keep(api.create(webhookBody('http://10.0.0.1/', { password: first })));
    await keep(api.create(webhookBody(receiver.url, { password: `${first}${'x'.repeat(1024)}` })));
    await keep(
      apiOf(h, { ...fac, key: 'wrong-key' }).create(webhookBody(receiver.url, { password: first })),
    );
    await keep(api.patch(w1.id, { password: second, enabled: 'yes' }));

    // w1's sealed password copied onto w3's row, as someone with database access might try.
    const sealed = await passwordEncOf(w1.id);
    await h.store.db
      .updateTable('webhooks')
      .set({ password_enc: sealed })
      .where('id', '=', w3.id)
      .execute();
    movedTrigger = await keep(api.test(w3.id));
    receivedByW3 = receiver.received.filter((r) => r.path.endsWith('-w3')).length;
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  async function passwordEncOf(id: string): Promise<string> {
    const row = await h.store.db
      .selectFrom('webhooks')
      .select('password_enc')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return row.password_enc;
  }

  /** Every row of every table, as text. */
  async function dumpEveryTable(): Promise<string> {
    const tables =
      h.dialect === 'sqlite'
        ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
            h.store.db,
          )
        : await sql<{ name: string }>`select table_name as name from information_schema.tables
            where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(
            h.store.db,
          );
    expect(tables.rows.map((t) => t.name)).toContain('webhooks');
    const dump: Record<string, unknown[]> = {};
    for (const { name } of tables.rows) {
      dump[name] = (await sql<unknown>`select * from ${sql.table(name)}`.execute(h.store.db)).rows;
    }
    return JSON.stringify(dump, (_k, v) =>
      v?.type === 'Buffer' && Array.isArray(v.data) ? Buffer.from(v.data).toString('latin1') : v,
    );
  }

  it('sends the password, and only there, in the Authorization header of a trigger', () => {
    const got = receiver.received.find((r) => r.path === '/hook')!;
    expect(basicCredentials(got.headers.authorization)).toEqual({
      username: 'zapier',
      password: second,
    });
  });

  it('returns the password in no API answer: create, get, list, patch, test, deliveries, errors', () => {
    expect(responses.length).toBeGreaterThan(15);
    expect(responses.filter((r) => r.status >= 400).map((r) => r.status)).toEqual(
      expect.arrayContaining([400, 401]),
    );
    for (const res of responses) {
      const text = `${res.body}\n${JSON.stringify(res.headers)}`;
      for (const secret of secrets()) expect(text).not.toContain(secret);
      expect(res.json ?? {}).not.toHaveProperty('password');
      expect(res.json ?? {}).not.toHaveProperty('password_enc');
    }
  });

  it('writes the password to no log line, even at trace level', () => {
    const logs = h.logs.join('');
    // The log did record this traffic, including the failures...
    expect(logs).toContain(`/v1/facility/${fac.id}/webhooks/${w1.id}/test`);
    expect(logs).toContain('"level":50');
    // ...but none of the secrets it carried.
    for (const secret of [...secrets(), fac.key]) expect(logs).not.toContain(secret);
  });

  it('keeps no plaintext password in any table', async () => {
    const dump = await dumpEveryTable();
    expect(dump).toContain(marker);
    for (const secret of secrets()) expect(dump).not.toContain(secret);
    expect(dump).not.toContain(w1.signing_secret.slice('whsec_'.length));
  });

  // Raw bytes, free pages included; on PostgreSQL the table dump above is the check.
  if (dialect === 'sqlite') {
    it('keeps no plaintext password in the SQLite file or its WAL', () => {
      const files = [h.store.location, `${h.store.location}-wal`].filter((f) => existsSync(f));
      const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
      expect(bytes.includes(marker)).toBe(true);
      for (const secret of secrets())
        expect(bytes.includes(Buffer.from(secret, 'utf8'))).toBe(false);
      expect(bytes.includes(w1.signing_secret.slice('whsec_'.length))).toBe(false);
    });
  }

  it('encrypts the password so that only the server key opens it', async () => {
    const sealed = await passwordEncOf(w1.id);
    expect(sealed).toMatch(/^v1\./);
    expect(new SecretBox(serverKey(), randomBytes).open(sealed, w1.id)).toBe(second);
    const otherKey = new SecretBox(Buffer.alloc(32, 8), randomBytes);
    expect(() => otherKey.open(sealed, w1.id)).toThrow();
  });

  it('seals the same password differently for two webhooks', () => {
    const box = new SecretBox(serverKey(), randomBytes);
    const [a, b] = sealedAtCreation;
    expect(box.open(a!, w1.id)).toBe(first);
    expect(box.open(b!, w2.id)).toBe(first);
    expect(a).not.toBe(b);
  });

  it('binds a sealed password to its webhook: copied onto another, it opens nowhere and sends nothing', async () => {
    const moved = await passwordEncOf(w3.id);
    expect(() => new SecretBox(serverKey(), randomBytes).open(moved, w3.id)).toThrow();
    // The attempt is a failure in the log, not an error: nothing went out.
    expect(movedTrigger.status).toBe(200);
    expect(movedTrigger.json.attempt).toMatchObject({ success: false, error_class: 'credentials' });
    expect(receivedByW3).toBe(0);
  });
});
