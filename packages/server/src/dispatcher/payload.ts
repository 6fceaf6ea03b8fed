// The wire format, exactly as the help page shows it — `{"id": 51918313, "facility_id":
// "the-fish", "action": "BOOKING_CREATED"}`, with its ", " and ": " separators — and nothing
// else: no personal data can be in a body built from these three values.
export function triggerBody(id: number, facilityId: string, action: string): string {
  return `{"id": ${id}, "facility_id": ${JSON.stringify(facilityId)}, "action": ${JSON.stringify(action)}}`;
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}
