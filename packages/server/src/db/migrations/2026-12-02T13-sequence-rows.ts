// Frozen in time: every line of a resource that has open deliveries has its
// resource_sequences row. Deliveries queued before 2026-12-02T10 (sequence 0) have none, and
// the queue reads a resource's open deliveries only when its sequence is past 1: without a
// row, the first event after the upgrade would get sequence 1 and not see them in line.
// Last sequence 1 here, so the next event gets 2 and queues behind them.
import { type Kysely, sql } from 'kysely';
import type { MigrationDialect } from './frozen.js';

export async function up(db: Kysely<any>, _profile: MigrationDialect): Promise<void> {
  await sql`
    insert into resource_sequences (webhook_id, resource_type, resource_id, last_sequence)
    select distinct webhook_id, resource_type, resource_id, 1
    from deliveries
    where is_test = 0 and status in ('pending', 'blocked', 'paused')
    on conflict (webhook_id, resource_type, resource_id) do nothing`.execute(db);
}
