// Instants are stored as epoch milliseconds and answered as ISO 8601 in UTC.

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));
