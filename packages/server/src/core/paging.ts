// Lists take limit/offset (resmio style); a page fills in what the client left out.

export function page(q: { limit?: number | undefined; offset?: number | undefined }): {
  limit: number;
  offset: number;
} {
  return { limit: q.limit ?? 50, offset: q.offset ?? 0 };
}
