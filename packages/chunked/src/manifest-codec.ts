import { Packr } from 'msgpackr';
import { equalBytes, fromHex, toHex } from './_internal/hex.ts';
import { invalid } from './_internal/invalid.ts';
import { ChunkedError, ChunkedErrorCode } from './errors.ts';
import { checkManifest, type Manifest, type ManifestDependency } from './manifest.ts';

// Positional arrays, no msgpackr records or bundled strings: the bytes depend
// only on the manifest, so a signature over them is stable across runtimes.
const packr = new Packr({ useRecords: false, bundleStrings: false });
const FORMAT = 1;

/** The canonical binary encoding (MessagePack) that signatures cover. */
export function encodeManifest(manifest: Manifest): Uint8Array {
  const deps = manifest.dependencies.map((d) => (d.version === undefined ? [d.name] : [d.name, d.version]));
  const packed = packr.pack([
    FORMAT,
    manifest.name,
    manifest.version,
    manifest.sequence,
    manifest.size,
    manifest.chunkSize,
    manifest.digests,
    manifest.root,
    deps,
  ]);
  return new Uint8Array(packed);
}

/**
 * Decodes and checks canonical manifest bytes; throws `manifest-invalid`,
 * `manifest-not-canonical` (the bytes are not what {@link encodeManifest}
 * writes) or `manifest-root-mismatch`.
 */
export function decodeManifest(bytes: Uint8Array): Manifest {
  let value: unknown;
  try {
    value = packr.unpack(bytes);
  } catch (cause) {
    throw new ChunkedError(ChunkedErrorCode.ManifestInvalid, `Cannot decode manifest: ${(cause as Error).message}`, {
      cause,
      details: { path: 'manifest', expected: 'MessagePack', got: `${bytes.length} bytes` },
    });
  }
  if (!Array.isArray(value) || value.length !== 9) invalid('manifest', 'an array of 9 fields', value);
  const [format, name, version, sequence, size, chunkSize, digests, root, deps] = value as unknown[];
  if (format !== FORMAT) invalid('manifest.format', String(FORMAT), format);
  if (!Array.isArray(deps)) invalid('manifest.dependencies', 'an array', deps);
  const manifest = checkManifest({
    name: name as string,
    version: version as string,
    sequence: sequence as number,
    size: size as number,
    chunkSize: chunkSize as number,
    digests: copyBytes(digests, 'manifest.digests'),
    root: copyBytes(root, 'manifest.root'),
    dependencies: deps.map((d: unknown, i) => dependency(d, i)),
  });
  if (!equalBytes(encodeManifest(manifest), bytes)) {
    throw new ChunkedError(
      ChunkedErrorCode.ManifestNotCanonical,
      'Cannot accept manifest bytes: they decode, but are not the canonical encoding',
      {
        details: { path: 'manifest', expected: 'canonical MessagePack', got: `${bytes.length} bytes` },
      },
    );
  }
  return manifest;
}

/** JSON form of a manifest: digests and root in lower-case hex. */
export interface ManifestJson {
  readonly format: 1;
  readonly name: string;
  readonly version: string;
  readonly sequence: number;
  readonly size: number;
  readonly chunkSize: number;
  readonly chunks: readonly string[];
  readonly root: string;
  readonly dependencies: readonly ManifestDependency[];
}

/** The JSON form of a manifest. */
export function manifestToJson(manifest: Manifest): ManifestJson {
  const chunks: string[] = [];
  for (let at = 0; at < manifest.digests.length; at += 32) chunks.push(toHex(manifest.digests.subarray(at, at + 32)));
  return {
    format: FORMAT,
    name: manifest.name,
    version: manifest.version,
    sequence: manifest.sequence,
    size: manifest.size,
    chunkSize: manifest.chunkSize,
    chunks,
    root: toHex(manifest.root),
    dependencies: manifest.dependencies.map((d) => ({ ...d })),
  };
}

/** Parses and checks the JSON form (`unknown`, e.g. from `JSON.parse`); errors name the path. */
export function manifestFromJson(json: unknown): Manifest {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) invalid('manifest', 'an object', json);
  const m = json as Record<string, unknown>;
  if (m.format !== FORMAT) invalid('manifest.format', String(FORMAT), m.format);
  if (!Array.isArray(m.chunks)) invalid('manifest.chunks', 'an array of hex SHA-256 digests', m.chunks);
  const digests = new Uint8Array(m.chunks.length * 32);
  for (const [i, hex] of (m.chunks as unknown[]).entries()) {
    digests.set(hexDigest(hex, `manifest.chunks[${i}]`), i * 32);
  }
  if (!Array.isArray(m.dependencies)) invalid('manifest.dependencies', 'an array', m.dependencies);
  return checkManifest({
    name: m.name as string,
    version: m.version as string,
    sequence: m.sequence as number,
    size: m.size as number,
    chunkSize: m.chunkSize as number,
    digests,
    root: hexDigest(m.root, 'manifest.root'),
    dependencies: m.dependencies.map((d: unknown, i) => {
      const o = d as Record<string, unknown> | null;
      return dependency(
        o === null || typeof o !== 'object' ? d : o.version === undefined ? [o.name] : [o.name, o.version],
        i,
      );
    }),
  });
}

function hexDigest(value: unknown, path: string): Uint8Array {
  const bytes = typeof value === 'string' && value.length === 64 ? fromHex(value) : undefined;
  return bytes ?? invalid(path, '64 hex digits', value);
}

function copyBytes(value: unknown, path: string): Uint8Array {
  return value instanceof Uint8Array ? new Uint8Array(value) : invalid(path, 'binary', value);
}

function dependency(value: unknown, i: number): ManifestDependency {
  const path = `manifest.dependencies[${i}]`;
  if (!Array.isArray(value) || value.length < 1 || value.length > 2) invalid(path, '{ name, version? }', value);
  const [name, version] = value as unknown[];
  if (typeof name !== 'string' || name === '') invalid(`${path}.name`, 'a non-empty string', name);
  if (version === undefined) return { name };
  if (typeof version !== 'string' || version === '')
    invalid(`${path}.version`, 'a non-empty string or absent', version);
  return { name, version };
}
