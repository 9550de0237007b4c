import type { ByteRange } from '../assembler.ts';

/** What a Range header asks of a representation of `size` bytes. */
export type RangeRequest =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'unsatisfiable' }
  | { readonly kind: 'ranges'; readonly ranges: readonly ByteRange[] };

const SPEC = /^(?:(\d+)-(\d*)|-(\d+))$/;

/**
 * Parses `Range: bytes=…` (RFC 9110 §14.1.1–14.2): ranges are clamped to the
 * size, sorted and merged where they overlap or touch. An unknown unit or an
 * invalid specifier is ignored (§14.2 lets a server ignore it); a set with no
 * satisfiable range is unsatisfiable (→ 416).
 */
export function parseRange(header: string, size: number): RangeRequest {
  const eq = header.indexOf('=');
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return { kind: 'ignore' };
  const ranges: ByteRange[] = [];
  for (const raw of header.slice(eq + 1).split(',')) {
    const spec = raw.trim();
    if (spec === '') continue;
    const m = SPEC.exec(spec);
    if (m === null) return { kind: 'ignore' };
    if (m[3] !== undefined) {
      const suffix = Number(m[3]);
      if (suffix > 0 && size > 0) ranges.push({ start: Math.max(0, size - suffix), end: size });
      continue;
    }
    const first = Number(m[1]);
    const last = m[2] === '' ? Number.POSITIVE_INFINITY : Number(m[2]);
    if (last < first) return { kind: 'ignore' };
    if (first < size) ranges.push({ start: first, end: Math.min(size, last + 1) });
  }
  if (ranges.length === 0) return { kind: 'unsatisfiable' };
  ranges.sort((a, b) => a.start - b.start);
  const merged: ByteRange[] = [ranges[0]!];
  for (const r of ranges.slice(1)) {
    const prev = merged[merged.length - 1]!;
    if (r.start <= prev.end) merged[merged.length - 1] = { start: prev.start, end: Math.max(prev.end, r.end) };
    else merged.push(r);
  }
  return { kind: 'ranges', ranges: merged };
}

/** `bytes a-b/size` for a range of a representation. */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end - 1}/${size}`;
}

/** The strong ETag of an image: its Merkle root, so any change to any chunk changes it. */
export function imageEtag(rootHex: string): string {
  return `"${rootHex}"`;
}
