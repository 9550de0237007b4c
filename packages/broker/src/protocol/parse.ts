import { isJsonObject, type JsonObject } from './messages.ts';
import { WireError } from './wire-errors.ts';

/** An inbound frame after the checks every endpoint shares. */
export type Parsed =
  | { readonly ok: true; readonly type: string; readonly message: JsonObject }
  | { readonly ok: false; readonly error: WireError; readonly detail?: string };

/**
 * Parses one text frame: size first (so an oversized frame is never parsed),
 * then JSON, then the `type` every message carries.
 */
export function parseFrame(text: string, maxBytes: number): Parsed {
  const excess = oversize(text, maxBytes);
  if (excess !== undefined) return { ok: false, error: WireError.MessageTooLarge, detail: excess };
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { ok: false, error: WireError.InvalidJson };
  }
  if (!isJsonObject(message) || typeof message.type !== 'string') return { ok: false, error: WireError.InvalidMessage };
  return { ok: true, type: message.type, message };
}

/** The `message-too-large` detail when `text` is over `maxBytes` UTF-8 bytes, else undefined. */
export function oversize(text: string, maxBytes: number): string | undefined {
  // A UTF-8 character takes at most 3 bytes per UTF-16 unit, so short frames skip the exact count.
  if (text.length * 3 <= maxBytes) return undefined;
  const bytes = utf8Length(text);
  return bytes > maxBytes ? `${bytes} bytes, the limit is ${maxBytes}` : undefined;
}

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
