// The small status machine each resource declares as data (bookings and product orders).
import { AppError } from '../errors.js';

export interface StatusMachine<S extends string> {
  what: string;
  /** Statuses a new resource may start in. */
  initial: readonly S[];
  next: Readonly<Record<S, readonly S[]>>;
  /** Statuses in which nothing about the resource may change any more. */
  frozen: readonly S[];
}

export function checkInitial<S extends string>(m: StatusMachine<S>, status: S): void {
  if (!m.initial.includes(status)) {
    throw new AppError(
      'unprocessable',
      `a ${m.what} can't be created as ${status} (allowed: ${m.initial.join(', ')})`,
      'status',
    );
  }
}

/** Any change to a frozen resource, or a status move the machine doesn't allow, is a 422. */
export function checkChange<S extends string>(m: StatusMachine<S>, from: S, to?: S): void {
  if (m.frozen.includes(from)) {
    throw new AppError('unprocessable', `a ${from} ${m.what} can't be changed`, 'status');
  }
  if (to !== undefined && to !== from && !m.next[from].includes(to)) {
    throw new AppError('unprocessable', `a ${from} ${m.what} can't become ${to}`, 'status');
  }
}
