import { createContext, useCallback, useContext } from 'react';

export interface Session {
  user: { id: string; email: string; role: 'owner' | 'staff' };
  facility: { id: string; name: string; plan: 'free' | 'premium' };
  csrf_token: string;
  expires_at: string;
}

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
