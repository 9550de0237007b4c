// Batch buffers kept per worker pool between encodes: a fresh buffer takes a
// page fault per page on its first write, which dominated the calling
// thread's time on the pool path (docs/decisions/chunked-hashing.md). Each
// pool keeps at most one size, `inFlight` buffers of it, and they go with the
// pool (a WeakMap entry).

const kept = new WeakMap<object, { readonly bytes: number; readonly buffers: ArrayBuffer[] }>();

/** Takes the buffers of `bytes` bytes kept for `owner` (they are no longer kept). */
export function takeKeptBuffers(owner: object, bytes: number): ArrayBuffer[] {
  const entry = kept.get(owner);
  if (entry === undefined || entry.bytes !== bytes) return [];
  kept.delete(owner);
  return entry.buffers;
}

/** Keeps up to `limit` of `buffers` (those not detached) for the next encode on `owner`. */
export function keepBuffers(owner: object, bytes: number, buffers: readonly ArrayBuffer[], limit: number): void {
  const entry = kept.get(owner);
  const list = entry !== undefined && entry.bytes === bytes ? entry.buffers : [];
  for (const buffer of buffers) {
    if (list.length >= limit) break;
    if (buffer.byteLength === bytes) list.push(buffer);
  }
  kept.set(owner, { bytes, buffers: list });
}
