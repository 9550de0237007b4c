import { ChunkedError, ChunkedErrorCode, encodeImage, manifestId, signManifest } from '@fleetkit/chunked';
import { parseModuleReference } from '../attributes.ts';
import type { ServerContext } from '../context.ts';
import { modulesOf } from '../modules.ts';
import { fail, Outcome, ResultCode } from '../result-code.ts';
import {
  abandonUpload,
  completePackage,
  type PackageDeclaration,
  reservePackage,
  writeChunks,
} from '../store/package-uploads.ts';
import { findPackage, type PackageRecord } from '../store/packages.ts';
import { dependencyOrder, describeProblem } from './graph.ts';
import { isChunkSize } from './options.ts';
import { packagesOf } from './service.ts';

/** A package as create-package or the upload endpoint describe it, before its image. */
export interface PackageInput {
  readonly name: string;
  /** Default: the package name. */
  readonly version?: string | undefined;
  /** Default: one above the highest of the packages it upgrades, else 1. */
  readonly sequence?: number | undefined;
  readonly prerequisites: readonly string[];
  readonly upgradeFrom: readonly string[];
  /** The YANG module of the package's RPCs and configuration (`name`, `name.yang` or `name@revision`). */
  readonly module?: string | undefined;
  /** The module's top-level container of the package's configuration data. */
  readonly configContainer?: string | undefined;
  readonly description?: string | undefined;
  readonly chunkSize?: number | undefined;
}

/** The image of an upload: bytes (inline) or a stream (the HTTP endpoint), with its size when declared. */
export interface ImageInput {
  readonly image: Uint8Array | ReadableStream<Uint8Array>;
  readonly size?: number | undefined;
}

/** Chunk bytes written to the database per statement while an image streams in. */
const FLUSH_BYTES = 2 << 20;
const FLUSH_CHUNKS = 64;
/**
 * Image bytes per hashing task on the pool: with chunked's default of twice
 * the pool's threads in flight, an upload holds a few of these at a time,
 * whatever the image's size (docs/decisions/server-packages.md).
 */
const BATCH_BYTES = 2 << 20;

/**
 * Checks what a package declares against what the account has (manual
 * §5.6): its module and configuration container exist, the packages it
 * upgrades exist, and its prerequisites close no cycle among the account's
 * packages. A prerequisite may name a package not uploaded yet; installing
 * needs it then.
 */
async function declare(server: ServerContext, account: string, input: PackageInput): Promise<PackageDeclaration> {
  const chunkSize = input.chunkSize ?? packagesOf(server).options.chunkSize;
  if (!isChunkSize(chunkSize)) {
    fail(ResultCode.ValidationFailed, `chunk-size: ${chunkSize} is not a power of two from 16 to 16777216`);
  }
  if (input.configContainer !== undefined && input.module === undefined) {
    fail(ResultCode.MissingOption, 'configuration-container needs yang-specification');
  }
  let module: string | undefined;
  if (input.module !== undefined) {
    const compiled =
      (await modulesOf(server).compiled(account, parseModuleReference(input.module).name)) ??
      fail(ResultCode.ObjectNotFound, `yang-specification: yang module ${input.module} does not exist`);
    module = compiled.module;
    const container = input.configContainer;
    if (
      container !== undefined &&
      !compiled.schema.data.some((n) => n.kind === 'container' && n.name === container && n.module === compiled.module)
    ) {
      fail(
        ResultCode.ValidationFailed,
        `configuration-container: yang module ${module} has no top-level container ${container}`,
      );
    }
  }
  let sequence = 0;
  for (const from of input.upgradeFrom) {
    const old =
      (await findPackage(server.db, account, from)) ??
      fail(ResultCode.ObjectNotFound, `upgrade-from-packages: package ${from} does not exist`);
    sequence = Math.max(sequence, old.sequence);
  }
  const self = { name: input.name, prerequisites: [...new Set(input.prerequisites)] };
  const walk = await dependencyOrder(input.name, async (name) => {
    if (name === input.name) return self;
    // a prerequisite not uploaded yet ends the walk there: it closes no cycle
    return (await findPackage(server.db, account, name)) ?? { name, prerequisites: [] };
  });
  if ('problem' in walk) fail(ResultCode.ValidationFailed, `prerequisite-packages: ${describeProblem(walk.problem)}`);
  return {
    name: input.name,
    version: input.version ?? input.name,
    sequence: input.sequence ?? sequence + 1,
    chunkSize,
    prerequisites: self.prerequisites,
    upgradeFrom: [...new Set(input.upgradeFrom)],
    module,
    configContainer: input.configContainer,
    description: input.description,
  };
}

/** The image, failing the encode once it passes `limit` bytes: nothing past it is read. */
function limited(source: ImageInput, limit: number): Uint8Array | ReadableStream<Uint8Array> {
  if (source.image instanceof Uint8Array) return source.image;
  let seen = 0;
  return source.image.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(piece, controller) {
        seen += piece.length;
        if (seen > limit) controller.error(tooLarge(`more than ${limit}`, limit));
        else controller.enqueue(piece);
      },
    }),
  );
}

/** The outcome of an image over `maxImageBytes` (the upload endpoint answers it with 413). */
export class ImageTooLarge extends Outcome {}

function tooLarge(size: number | string, limit: number): Outcome {
  return new ImageTooLarge(ResultCode.ValidationFailed, `image: ${size} bytes is over the limit of ${limit} bytes`);
}

/**
 * Creates a package (manual §5.6, `exodm:create-package`): checks its
 * declaration, takes its name, streams the image once through chunked's
 * encoder (hashing on the worker pool for large images), writing the chunks
 * to the database as they come, then signs the manifest with the server's
 * key and makes the package visible. Packages are immutable: a name is
 * taken once. Any failure — over the size limit, a size other than the one
 * declared, the uploader gone — leaves nothing stored.
 */
export async function createPackage(
  server: ServerContext,
  account: string,
  input: PackageInput,
  source: ImageInput,
): Promise<PackageRecord> {
  const service = packagesOf(server);
  const limit = service.options.maxImageBytes;
  const declared = source.image instanceof Uint8Array ? source.image.length : source.size;
  if (declared !== undefined && declared > limit) throw tooLarge(declared, limit);
  const declaration = await declare(server, account, input);
  const token = server.random.uuid();
  const upload = { name: declaration.name, token };
  const now = server.clock.now();
  const staleBefore = now - service.options.abandonedUploadMs;
  if (!(await server.db.transaction((tx) => reservePackage(tx, account, { declaration, token, now, staleBefore })))) {
    await cancel(source);
    fail(ResultCode.ObjectExists, `package ${declaration.name} exists`);
  }
  try {
    let pending: { index: number; bytes: Uint8Array }[] = [];
    let pendingBytes = 0;
    const flush = async (): Promise<void> => {
      const batch = pending;
      pending = [];
      pendingBytes = 0;
      const at = server.clock.now();
      const kept = await server.db.transaction((tx) => writeChunks(tx, account, { ...upload, now: at }, batch));
      if (!kept) fail(ResultCode.ObjectExists, `package ${declaration.name}: the upload was taken over`);
    };
    const manifest = await encodeImage(limited(source, limit), {
      name: declaration.name,
      version: declaration.version,
      sequence: declaration.sequence,
      chunkSize: declaration.chunkSize,
      dependencies: declaration.prerequisites.map((name) => ({ name })),
      ...(service.pool === undefined ? {} : { pool: service.pool, batchBytes: BATCH_BYTES }),
      ...(source.size === undefined ? {} : { size: source.size }),
      onChunk: async (chunk) => {
        // the encoder reuses its buffers once this settles: keep a copy
        pending.push({ index: chunk.index, bytes: chunk.payload.slice() });
        pendingBytes += chunk.payload.length;
        if (pendingBytes >= FLUSH_BYTES || pending.length >= FLUSH_CHUNKS) await flush();
      },
    });
    await flush();
    const signed = await signManifest(manifest, service.signing.sign);
    const done = await completePackage(server.db, account, {
      ...upload,
      size: manifest.size,
      root: manifestId(manifest),
      manifest: signed,
      now: server.clock.now(),
    });
    if (!done) fail(ResultCode.ObjectExists, `package ${declaration.name}: the upload was taken over`);
    return (await findPackage(server.db, account, declaration.name))!;
  } catch (error) {
    await abandonUpload(server.db, account, upload);
    await cancel(source);
    if (error instanceof ChunkedError && error.code === ChunkedErrorCode.SourceSizeMismatch) {
      fail(ResultCode.ValidationFailed, `image: ${error.message}`);
    }
    throw error;
  }
}

async function cancel(source: ImageInput): Promise<void> {
  if (source.image instanceof ReadableStream) await source.image.cancel().catch(() => undefined);
}
