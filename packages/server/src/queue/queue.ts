// The delivery queue: the one owner of the `deliveries` and `attempts` tables, and the one
// way the API, the dispatcher and retention touch them (as svix's TaskQueueProducer is for
// its queue). Writers on the API side get a QueueTx inside their own transaction; whatever
// it makes due wakes the dispatchers exactly once — NOTIFY inside the transaction (other
// processes hear it at commit, never on rollback), the in-process wake-up after the commit.
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Clock, Random } from '../clock.js';
import type { DialectProfile } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import type { Wakeup } from '../events/wakeup.js';
import { type ClaimOptions, claim } from './sql/claim.js';
import { type CompletionBatch, type CompletionResult, complete } from './sql/complete.js';
import { type Beat, heartbeat, leave } from './sql/dispatchers.js';
import { type Enqueued, type EnqueueEvent, type EnqueueTarget, enqueue } from './sql/enqueue.js';
import { enqueueTest, type TestQueued, type TestTrigger } from './sql/enqueue-test.js';
import { nextDueAt } from './sql/next-due.js';
import { pauseFacility, pauseWebhook, resumeFacility, resumeWebhook } from './sql/pause.js';
import { type PruneOptions, pruneAttempts, pruneDeliveries } from './sql/prune.js';
import { type RequeueWhere, requeue } from './sql/requeue.js';
import { unblockWebhook } from './sql/resource-order.js';
import { type RetryWhere, retryNow } from './sql/retry-now.js';
import type { Claimed } from './types.js';

export interface QueueDeps {
  store: { db: Kysely<Database>; profile: DialectProfile };
  clock: Clock;
  random: Random;
  /** The in-process dispatcher's wake-up; NOTIFY reaches those of other processes. */
  wakeup: Pick<Wakeup, 'wake'>;
}

/** The queue's writes inside one caller's transaction; counts what it made due. */
export class QueueTx {
  /** Deliveries this transaction made due: the dispatchers are woken when it commits. */
  due = 0;

  /** The wake-up already rode along in one of this transaction's statements. */
  woken = false;

  constructor(
    readonly trx: Transaction<Database>,
    private readonly deps: QueueDeps,
  ) {}

  /** What the store can do, for writers that fold steps into one statement where it can. */
  get profile(): DialectProfile {
    return this.deps.store.profile;
  }

  private count(n: number): number {
    this.due += n;
    return n;
  }

  /** An event's fan-out to its subscribed webhooks (coalesced, superseding, in line). */
  async enqueue(event: EnqueueEvent, targets: readonly EnqueueTarget[]): Promise<Enqueued> {
    const { random, clock, store } = this.deps;
    const wakeCall = this.woken ? undefined : store.profile.wakeCall;
    const result = await enqueue(
      this.trx,
      store.profile,
      random,
      clock.now(),
      event,
      targets,
      wakeCall,
    );
    if (result.woken) this.woken = true;
    this.count(result.due);
    return result;
  }

  /** A facility moved to the free plan: its pending work is held. */
  pauseFacility(facilityId: string): Promise<void> {
    return pauseFacility(this.trx, facilityId);
  }

  /** Back on the premium plan: held work of enabled webhooks is due now. */
  async resumeFacility(facilityId: string): Promise<number> {
    return this.count(await resumeFacility(this.trx, facilityId, this.deps.clock.now()));
  }

  /** A webhook was disabled: its pending work is held. */
  pauseWebhook(webhookId: string): Promise<void> {
    return pauseWebhook(this.trx, webhookId);
  }

  /** Enabled again: its held work is due now (unless the facility is on the free plan). */
  async resumeWebhook(webhookId: string): Promise<number> {
    return this.count(await resumeWebhook(this.trx, webhookId, this.deps.clock.now()));
  }

  /** Ordering was turned off: deliveries waiting in line are due now. */
  async unblockWebhook(webhookId: string): Promise<number> {
    return this.count(await unblockWebhook(this.trx, webhookId, this.deps.clock.now()));
  }

  /** Resend one finished delivery, or recover every failed one created in a window. */
  async requeue(webhookId: string, where: RequeueWhere): Promise<number> {
    const { store, clock } = this.deps;
    const { requeued, due } = await requeue(this.trx, store.profile, webhookId, where, clock.now());
    this.count(due);
    return requeued;
  }

  /** Deliveries waiting for their next retry are due now (their line and count unchanged). */
  async retryNow(webhookId: string, where: RetryWhere): Promise<number> {
    const { store, clock } = this.deps;
    return this.count(await retryNow(this.trx, store.profile, webhookId, where, clock.now()));
  }

  /** A test trigger, due now unless the webhook's test limits say wait. */
  async enqueueTest(trigger: TestTrigger): Promise<TestQueued> {
    const { random, clock } = this.deps;
    const queued = await enqueueTest(this.trx, random, clock.now(), trigger);
    if ('id' in queued) this.due++;
    return queued;
  }
}

export class DeliveryQueue {
  constructor(private readonly deps: QueueDeps) {}

  /** Runs `work` in one transaction; whatever it made due wakes the dispatchers once. */
  async transaction<T>(work: (tx: QueueTx) => Promise<T>): Promise<T> {
    const { store, wakeup } = this.deps;
    let due = 0;
    const result = await store.db.transaction().execute(async (trx) => {
      const tx = new QueueTx(trx, this.deps);
      const value = await work(tx);
      due = tx.due;
      if (due > 0 && !tx.woken && store.profile.wakeStatement) {
        await trx.executeQuery(CompiledQuery.raw(store.profile.wakeStatement));
      }
      return value;
    });
    if (due > 0) wakeup.wake();
    return result;
  }

  /**
   * Whether a write and its deliveries can be one statement that commits on its own
   * (PostgreSQL; see events/create-in-one-statement.ts).
   */
  get oneStatementWrites(): boolean {
    const { profile } = this.deps.store;
    return profile.writableCte && profile.wakeCall !== undefined;
  }

  /**
   * Runs one such statement: `wakeCall` in it wakes other processes' dispatchers at commit,
   * and the in-process one is woken here if the statement made anything due.
   */
  async inOneStatement<T>(
    run: (s: {
      db: Kysely<Database>;
      random: Random;
      wakeCall: string;
    }) => Promise<{ value: T; due: number }>,
  ): Promise<T> {
    const { store, random, wakeup } = this.deps;
    const { value, due } = await run({ db: store.db, random, wakeCall: store.profile.wakeCall! });
    if (due > 0) wakeup.wake();
    return value;
  }

  /** Leases due deliveries to one dispatcher (see sql/claim.ts). */
  claim(options: ClaimOptions): Promise<Claimed[]> {
    return claim(this.deps.store.db, this.deps.store.profile, options);
  }

  /** Records a batch of outcomes and what they mean for their webhooks. */
  complete(batch: CompletionBatch): Promise<CompletionResult> {
    return complete(this.deps.store.db, batch, this.deps.store.profile);
  }

  /** When the earliest pending delivery (strictly after `after`, if given) falls due. */
  nextDueAt(after?: number): Promise<number | undefined> {
    return nextDueAt(this.deps.store.db, after);
  }

  /** A dispatcher's heartbeat; answers the live dispatchers' ids, sorted. */
  heartbeat(beat: Beat): Promise<string[]> {
    return heartbeat(this.deps.store.db, this.deps.store.profile, beat);
  }

  /** A stopping dispatcher leaves the membership. */
  leave(dispatcherId: string): Promise<void> {
    return leave(this.deps.store.db, dispatcherId);
  }

  pruneAttempts(options: PruneOptions): Promise<number> {
    return pruneAttempts(this.deps.store.db, options);
  }

  pruneDeliveries(options: PruneOptions): Promise<number> {
    return pruneDeliveries(this.deps.store.db, options);
  }
}
