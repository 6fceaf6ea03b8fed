// SQLite has one connection per process here; a Kysely "connection" is a turn on it.
// Unlike Kysely's own mutex this one is first come, first served, hands the lock straight
// to the next waiter, and lets the group commit go to the front: a COMMIT that waited
// behind every queued transaction would hold their predecessors' 2xx back for as long.

export class ConnectionMutex {
  #locked = false;
  readonly #waiters: Array<() => void> = [];

  get locked(): boolean {
    return this.#locked;
  }

  lock(first = false): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      if (first) this.#waiters.unshift(resolve);
      else this.#waiters.push(resolve);
    });
  }

  unlock(): void {
    const next = this.#waiters.shift();
    // Still locked: the lock passes to `next` without a window for anyone else.
    if (next) next();
    else this.#locked = false;
  }
}
