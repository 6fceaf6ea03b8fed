export const SCOPES = ['read', 'write', 'webhooks'] as const;
export type Scope = (typeof SCOPES)[number];

export type Principal =
  | { kind: 'operator' }
  | { kind: 'api_key'; facilityId: string; scopes: readonly Scope[]; keyId: string }
  | { kind: 'user'; facilityId: string; role: 'owner' | 'staff'; userId: string };
