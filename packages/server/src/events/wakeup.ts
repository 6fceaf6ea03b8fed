// In-process wake-ups: a commit that created deliveries wakes the dispatcher at once, so
// delivery is real time and the poll is only a safety net. Across processes on PostgreSQL,
// NOTIFY does the same (see dispatcher/listener.ts).
export interface Wakeup {
  wake(): void;
  subscribe(listener: () => void): () => void;
}

export function createWakeup(): Wakeup {
  const listeners = new Set<() => void>();
  return {
    wake() {
      for (const l of listeners) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
