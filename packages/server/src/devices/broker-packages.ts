import type { JsonObject } from '@fleetkit/broker';
import * as v from 'valibot';
import { encodeBase64 } from '../packages/base64.ts';
import {
  acknowledgeChunks,
  fetchable,
  manifestFor,
  packageKey,
  packageView,
  reportInventory,
  reportStatus,
} from '../packages/device-transfer.ts';
import type { Refusal, Refused } from '../packages/refusal.ts';
import { acknowledgement, inventory, report } from '../packages/reports.ts';
import { packagesOf } from '../packages/service.ts';
import type { Device } from '../store/devices.ts';
import type { PackageRecord } from '../store/packages.ts';
import { issueList } from './replies.ts';
import type { DeviceRuntime } from './runtime.ts';

/**
 * Bytes of a package part one `package-data` message carries: its base64
 * and the message around it stay under the broker's 64 KiB frame limit.
 */
export const PIECE_BYTES = 32 * 1024;

/**
 * Bytes of data one answer carries before its closing message. A device
 * waits for that message before asking again, so what waits unread on its
 * connection stays well under the broker's `maxBufferedBytes` (1 MiB), past
 * which the broker closes the connection as a slow consumer.
 */
export const ANSWER_BYTES = 256 * 1024;

/** The package requests a broker device sends (docs/server.md §Packages, Transfer (plugin `broker`)). */
export const PACKAGE_REQUESTS: ReadonlySet<string> = new Set([
  'package-key',
  'package-manifest',
  'package-chunks',
  'package-ack',
  'package-status',
  'package-inventory',
]);

const id = v.union([
  v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  v.pipe(v.number(), v.integer(), v.minValue(0)),
]);
const name = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
const count = v.pipe(v.number(), v.integer(), v.minValue(0));

const SCHEMAS = {
  'package-key': v.object({ id }),
  'package-manifest': v.object({ id, package: name, offset: v.optional(count, 0) }),
  'package-chunks': v.object({ id, package: name, start: count, end: count, offset: v.optional(count, 0) }),
  'package-ack': v.object({ id, package: name, ...acknowledgement.entries }),
  'package-status': v.object({ id, package: name, ...report.entries }),
  'package-inventory': v.object({ id, packages: v.optional(inventory.entries.packages) }),
} as const;

type RequestType = keyof typeof SCHEMAS;

/** Sends one message to the device; false when it is gone (the rest of the answer is dropped). */
export type Send = (message: JsonObject) => boolean;

/** What every message answering a request repeats. */
interface Answering {
  readonly type: RequestType;
  readonly id: string | number | undefined;
  readonly package: string | undefined;
}

function isRefused(value: unknown): value is Refused {
  return typeof value === 'object' && value !== null && 'refused' in value;
}

function refused(status: number, code: string, message: string): Refused {
  return { refused: { status, code, message } };
}

function errorMessage(request: Answering, refusal: Refusal): JsonObject {
  return {
    type: 'package-error',
    ...(request.id === undefined ? {} : { id: request.id }),
    request: request.type,
    ...(request.package === undefined ? {} : { package: request.package }),
    status: refusal.status,
    code: refusal.code,
    message: refusal.message,
    ...(refusal.issues === undefined ? {} : { issues: refusal.issues as unknown as JsonObject[] }),
  };
}

/**
 * Cuts the bytes of one answer into `package-data` messages of at most
 * {@link PIECE_BYTES}, in order and without gaps; a message may end one
 * chunk and begin the next.
 */
class DataStream {
  readonly #request: Answering;
  readonly #part: 'manifest' | 'image';
  readonly #send: Send;
  #pieces: Uint8Array[] = [];
  #held = 0;
  /** The part's offset of the first byte held. */
  #at: number;
  #open = true;

  constructor(request: Answering, part: 'manifest' | 'image', at: number, send: Send) {
    this.#request = request;
    this.#part = part;
    this.#at = at;
    this.#send = send;
  }

  /** False once the device is gone. */
  get open(): boolean {
    return this.#open;
  }

  write(bytes: Uint8Array): void {
    let rest = bytes;
    while (rest.length > 0 && this.#open) {
      const room = PIECE_BYTES - this.#held;
      this.#pieces.push(rest.subarray(0, room));
      this.#held += Math.min(room, rest.length);
      rest = rest.subarray(room);
      if (this.#held === PIECE_BYTES) this.flush();
    }
  }

  flush(): void {
    if (this.#held === 0 || !this.#open) return;
    const data = new Uint8Array(this.#held);
    let at = 0;
    for (const piece of this.#pieces) {
      data.set(piece, at);
      at += piece.length;
    }
    this.#open = this.#send({
      type: 'package-data',
      id: this.#request.id as string | number,
      package: this.#request.package as string,
      part: this.#part,
      offset: this.#at,
      data: encodeBase64(data),
    });
    this.#at += this.#held;
    this.#pieces = [];
    this.#held = 0;
  }
}

async function sendManifest(
  runtime: DeviceRuntime,
  device: Device,
  request: Answering & { readonly package: string; readonly offset: number },
  send: Send,
): Promise<Refused | undefined> {
  const found = await manifestFor(runtime, device, request.package);
  if (isRefused(found)) return found;
  const { envelope, record } = found;
  if (request.offset > envelope.length) {
    return refused(400, 'invalid-request', `offset: ${request.offset} is past the manifest's ${envelope.length} bytes`);
  }
  const until = Math.min(envelope.length, request.offset + ANSWER_BYTES);
  const stream = new DataStream(request, 'manifest', request.offset, send);
  stream.write(envelope.subarray(request.offset, until));
  stream.flush();
  if (!stream.open) return undefined;
  send({
    type: 'package-manifest',
    id: request.id as string | number,
    package: request.package,
    size: envelope.length,
    root: record.root,
    ...(until < envelope.length ? { next: until } : {}),
  });
  return undefined;
}

function chunkLength(record: PackageRecord, index: number): number {
  return Math.min(record.chunkSize, record.size - index * record.chunkSize);
}

async function sendChunks(
  runtime: DeviceRuntime,
  device: Device,
  request: Answering & {
    readonly package: string;
    readonly start: number;
    readonly end: number;
    readonly offset: number;
  },
  send: Send,
): Promise<Refused | undefined> {
  const found = await fetchable(runtime, device, request.package);
  if (isRefused(found)) return found;
  const { record, image } = found;
  const { start, end } = request;
  if (start >= end || end > record.chunks) {
    return refused(400, 'invalid-request', `start, end: ${start}..${end} is not a range within 0..${record.chunks}`);
  }
  if (request.offset >= chunkLength(record, start)) {
    return refused(
      400,
      'invalid-request',
      `offset: ${request.offset} is past chunk ${start}'s ${chunkLength(record, start)} bytes`,
    );
  }
  const cache = packagesOf(runtime.server).cache;
  const stream = new DataStream(request, 'image', start * record.chunkSize + request.offset, send);
  let budget = ANSWER_BYTES;
  let index = start;
  let offset = request.offset;
  while (index < end && stream.open) {
    const left = chunkLength(record, index) - offset;
    // an answer stops between chunks; only a chunk bigger than a whole answer is cut
    if (left > budget && budget < ANSWER_BYTES) break;
    const bytes = await cache.chunk(image, index, end);
    if (bytes === undefined) return refused(500, 'chunk-not-stored', `Chunk ${index} of ${record.name} is not stored`);
    const take = Math.min(left, budget);
    stream.write(bytes.subarray(offset, offset + take));
    budget -= take;
    if (take < left) {
      offset += take;
      break;
    }
    index++;
    offset = 0;
  }
  stream.flush();
  if (!stream.open) return undefined;
  send({
    type: 'package-chunks',
    id: request.id as string | number,
    package: request.package,
    start,
    end,
    ...(index < end ? { next: { start: index, offset } } : {}),
  });
  return undefined;
}

/** Answers one request whose shape passed: the answer's messages, or the refusal. */
async function answer(
  runtime: DeviceRuntime,
  device: Device,
  type: RequestType,
  request: v.InferOutput<(typeof SCHEMAS)[RequestType]>,
  send: Send,
): Promise<void> {
  const answering: Answering = { type, id: request.id, package: 'package' in request ? request.package : undefined };
  const reply = (value: Record<string, unknown> | Refused): void => {
    if (isRefused(value)) send(errorMessage(answering, value.refused));
    else
      send({
        type,
        id: request.id,
        ...(answering.package === undefined ? {} : { package: answering.package }),
        ...(value as JsonObject),
      });
  };
  switch (type) {
    case 'package-key':
      return reply(packageKey(runtime));
    case 'package-manifest': {
      const r = request as v.InferOutput<(typeof SCHEMAS)['package-manifest']>;
      const refusal = await sendManifest(runtime, device, { ...answering, package: r.package, offset: r.offset }, send);
      return refusal === undefined ? undefined : reply(refusal);
    }
    case 'package-chunks': {
      const r = request as v.InferOutput<(typeof SCHEMAS)['package-chunks']>;
      const refusal = await sendChunks(runtime, device, { ...answering, ...r }, send);
      return refusal === undefined ? undefined : reply(refusal);
    }
    case 'package-ack': {
      const { id: _id, package: pkg, ...body } = request as v.InferOutput<(typeof SCHEMAS)['package-ack']>;
      return reply(await acknowledgeChunks(runtime, device, pkg, body));
    }
    case 'package-status': {
      const { id: _id, package: pkg, ...body } = request as v.InferOutput<(typeof SCHEMAS)['package-status']>;
      return reply(await reportStatus(runtime, device, pkg, body));
    }
    case 'package-inventory': {
      const r = request as v.InferOutput<(typeof SCHEMAS)['package-inventory']>;
      const packages =
        r.packages === undefined
          ? await packageView(runtime, device)
          : await reportInventory(runtime, device, { packages: r.packages });
      return reply({ packages });
    }
  }
}

/**
 * Answers a broker device's package request (docs/server.md §Packages,
 * Transfer (plugin `broker`)) with the messages of the answer, on the code
 * the `fleetkit-http` routes run: a request of the wrong shape gets
 * `package-error` `invalid-request` with the issues.
 */
export async function answerPackageRequest(
  runtime: DeviceRuntime,
  device: Device,
  payload: JsonObject,
  send: Send,
): Promise<void> {
  const type = payload.type as RequestType;
  const parsed = v.safeParse(SCHEMAS[type], payload);
  if (!parsed.success) {
    const request: Answering = {
      type,
      id: v.is(id, payload.id) ? payload.id : undefined,
      package: v.is(name, payload.package) ? payload.package : undefined,
    };
    send(
      errorMessage(request, {
        status: 400,
        code: 'invalid-request',
        message: `The ${type} message does not have the expected shape`,
        issues: issueList(parsed.issues),
      }),
    );
    return;
  }
  try {
    await answer(runtime, device, type, parsed.output, send);
  } catch (error) {
    // the device would wait for an answer that never comes: tell it, and let it ask again
    runtime.server.logger.error('broker package request failed', { deviceId: device.deviceId, type, error });
    const request: Answering = {
      type,
      id: parsed.output.id,
      package: 'package' in parsed.output ? parsed.output.package : undefined,
    };
    send(
      errorMessage(request, { status: 500, code: 'internal-error', message: 'The server failed to answer: ask again' }),
    );
  }
}
