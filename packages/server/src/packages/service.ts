import { ed25519Verifier, type Manifest, openSignedManifest } from '@fleetkit/chunked';
import type { WorkerPool } from '@fleetkit/core';
import type { ServerContext } from '../context.ts';
import { ServerError, ServerErrorCode } from '../errors.ts';
import { fail, ResultCode } from '../result-code.ts';
import { type PackageRecord, packageManifest } from '../store/packages.ts';
import { ChunkCache } from './chunk-cache.ts';
import { type PackageOptions, type ResolvedPackageOptions, resolvePackageOptions } from './options.ts';
import { loadSigningKey, type SigningKey } from './signing.ts';

/** Decoded manifests kept per process (one per package a fleet is fetching). */
const MANIFESTS_KEPT = 256;

/** What the package methods, the upload endpoint and the device routes share. */
export interface PackageService {
  readonly options: ResolvedPackageOptions;
  readonly signing: SigningKey;
  /** Where large images are hashed (chunked's encoder); absent: in-thread. */
  readonly pool: WorkerPool | undefined;
  readonly cache: ChunkCache;
  /** A package's manifest, checked against the server's own signature and decoded once. */
  manifest(account: string, record: PackageRecord): Promise<Manifest>;
}

const services = new WeakMap<ServerContext, PackageService>();

/**
 * Gives a server its packages: checks the options and loads (or, on the
 * first start, generates and stores) the manifest signing key. openServer
 * calls it before the methods and routes that use {@link packagesOf}.
 */
export async function openPackages(
  server: ServerContext,
  options: { readonly packages?: PackageOptions | undefined; readonly pool?: WorkerPool | undefined },
): Promise<PackageService> {
  const resolved = resolvePackageOptions(options.packages);
  const signing = await loadSigningKey(server.db, server.clock.now());
  const verifyKey = await crypto.subtle.importKey('raw', new Uint8Array(signing.publicKey), 'Ed25519', false, [
    'verify',
  ]);
  const manifests = new Map<string, Promise<Manifest>>();
  const service: PackageService = {
    options: resolved,
    signing,
    pool: options.pool,
    cache: new ChunkCache(server.db, resolved.cacheBytes),
    manifest(account, record) {
      const known = manifests.get(record.root);
      if (known !== undefined) return known;
      const loading = (async () => {
        const envelope = await packageManifest(server.db, account, record.name);
        if (envelope === undefined) fail(ResultCode.ObjectNotFound, `package ${record.name} does not exist`);
        return openSignedManifest(envelope, ed25519Verifier(verifyKey));
      })();
      loading.catch(() => manifests.delete(record.root));
      manifests.set(record.root, loading);
      while (manifests.size > MANIFESTS_KEPT) manifests.delete(manifests.keys().next().value as string);
      return loading;
    },
  };
  services.set(server, service);
  return service;
}

/** The packages of a server opened by {@link openPackages}. */
export function packagesOf(server: ServerContext): PackageService {
  const service = services.get(server);
  if (service === undefined) {
    throw new ServerError(ServerErrorCode.Closed, 'Cannot use packages: openServer did not open them');
  }
  return service;
}
