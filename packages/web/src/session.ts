import { createContext, useCallback, useContext } from 'react';
import type { Session } from './types';

export type { Session } from './types';

export interface SessionValue {
  session: Session;
  logout(): Promise<void>;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a logged-in page');
  return value;
}

/** The API path of something in the user's own facility. */
export function useFacilityPath(): (path: string) => string {
  const id = useSession().session.facility.id;
  return useCallback((path: string) => `/v1/facility/${encodeURIComponent(id)}${path}`, [id]);
}
