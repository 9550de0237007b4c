import { pack, unpack } from 'msgpackr';
import { YangError, YangErrorCode } from '../errors.ts';
import { type CompiledSchema, SCHEMA_FORMAT } from '../schema.ts';

/** Serialises a compiled schema with msgpackr (for workers and storage). */
export function packSchema(schema: CompiledSchema): Uint8Array {
  return pack(schema);
}

/** Reads a schema written by {@link packSchema}; a buffer that holds something else is an error. */
export function unpackSchema(bytes: Uint8Array): CompiledSchema {
  let value: unknown;
  try {
    value = unpack(bytes);
  } catch (cause) {
    throw new YangError(YangErrorCode.InvalidSchema, 'Cannot unpack schema: the bytes are not msgpack', { cause });
  }
  if ((value as { format?: unknown } | null)?.format !== SCHEMA_FORMAT) {
    throw new YangError(YangErrorCode.InvalidSchema, `Cannot unpack schema: expected format "${SCHEMA_FORMAT}"`);
  }
  return value as CompiledSchema;
}

/** SHA-256 of the packed schema, hex: the key workers cache compiled validators under. */
export async function schemaHash(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
