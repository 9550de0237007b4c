import { chunkLength, type Manifest } from '@fleetkit/chunked';
import { CheckFailure } from '../runner/check.ts';
import { BrokerSocket, type Payload } from '../runner/devices/broker-socket.ts';
import { pause } from '../runner/devices/device.ts';
import { show } from '../runner/expect.ts';
import { decodeBase64 } from './packages-data.ts';
import type { ChunksReply, PackageCommand, PackageWire, Target, WireReply } from './packages-wire.ts';
import { QUIET_MS } from './shared.ts';

/** Orders (chunk, offset) pairs: an offset is less than a chunk, which is at most 16 MiB. */
const CHUNK_FACTOR = 2 ** 24;

/** How long a rate-limited device waits before it asks again (the budget refills a few tokens a second). */
const RATE_LIMITED_MS = 250;

/**
 * The package transfer over the device's broker connection (docs/server.md,
 * "Packages", Transfer (plugin `broker`)): the package transaction comes as
 * a `transaction` message, and every request is a message with an `id` that
 * its answer repeats; data comes in `package-data` messages before the
 * answer's closing message, which says where to go on when it stopped early.
 */
export class BrokerWire implements PackageWire {
  readonly quietMs = QUIET_MS;
  readonly #url: string;
  readonly #publicId: string;
  readonly #waitMs: number;
  #connection: BrokerSocket | undefined;
  #next = 0;

  constructor(url: string, publicId: string, waitMs: number) {
    this.#url = url;
    this.#publicId = publicId;
    this.#waitMs = waitMs;
  }

  /** Connects and registers as the device (document 002). */
  async connect(): Promise<void> {
    this.#connection = new BrokerSocket(this.#url);
    await this.#connection.register(this.#publicId, this.#waitMs);
  }

  key(): Promise<WireReply> {
    return this.#request({ type: 'package-key' });
  }

  async command(waitMs: number): Promise<PackageCommand | undefined> {
    const message = await this.#message((m) => m.type === 'transaction' && m.action === 'execute', waitMs);
    if (message === undefined) return undefined;
    return {
      id: `${String(message.transactionId)}.${String(message.attempt)}`,
      name: String(message.name),
      parameters: (message.params ?? {}) as Record<string, unknown>,
    };
  }

  /** Down and up again: what the device was sent and did not finish comes again on the new connection. */
  async restart(): Promise<void> {
    // a new connection starts with nothing received
    await this.close();
    await this.connect();
  }

  async manifest(target: Target): Promise<ChunksReply> {
    const pieces: { readonly offset: number; readonly bytes: Uint8Array }[] = [];
    let offset = 0;
    for (;;) {
      const reply = await this.#request({ type: 'package-manifest', package: target.name, offset }, (data) => {
        pieces.push(data);
      });
      if (reply.status !== 200) return reply;
      const next = reply.body.next;
      if (typeof next !== 'number') {
        // each piece goes where its offset says: the envelope is `size` bytes
        const bytes = new Uint8Array(Number(reply.body.size));
        for (const piece of pieces) bytes.set(piece.bytes, piece.offset);
        return { ...reply, bytes };
      }
      if (next <= offset)
        throw new CheckFailure(`the manifest's answer from byte ${offset} goes on at ${next}: no progress`);
      offset = next;
    }
  }

  async chunks(target: Target, range: { first: number; last: number; manifest?: Manifest }): Promise<ChunksReply> {
    const { manifest } = range;
    const base = manifest === undefined ? 0 : range.first * manifest.chunkSize;
    const length =
      manifest === undefined
        ? 0
        : Array.from({ length: range.last - range.first }, (_, i) => chunkLength(manifest, range.first + i)).reduce(
            (a, b) => a + b,
            0,
          );
    const bytes = new Uint8Array(length);
    let start = range.first;
    let offset = 0;
    for (;;) {
      const reply = await this.#request(
        { type: 'package-chunks', package: target.name, start, end: range.last, offset },
        (data) => {
          if (manifest !== undefined) bytes.set(data.bytes, data.offset - base);
        },
      );
      if (reply.status !== 200) return reply;
      const next = reply.body.next as { start?: unknown; offset?: unknown } | undefined;
      if (next === undefined) return { ...reply, bytes };
      if (Number(next.start) * CHUNK_FACTOR + Number(next.offset) <= start * CHUNK_FACTOR + offset) {
        throw new CheckFailure(
          `the answer to chunks from ${start} (offset ${offset}) goes on at ${show(next)}: no progress`,
        );
      }
      start = Number(next.start);
      offset = Number(next.offset);
    }
  }

  acknowledge(target: Target, body: Record<string, unknown>): Promise<WireReply> {
    return this.#request({ type: 'package-ack', package: target.name, ...body });
  }

  report(target: Target, body: Record<string, unknown>): Promise<WireReply> {
    return this.#request({ type: 'package-status', package: target.name, ...body });
  }

  inventory(packages: readonly { name: string; version: string }[]): Promise<WireReply> {
    return this.#request({ type: 'package-inventory', packages });
  }

  async close(): Promise<void> {
    await this.#connection?.close();
  }

  /**
   * Sends a package request and waits for its answer, handing each of its
   * `package-data` messages to `data`; a refusal (`package-error`) comes back
   * with its status and `{error, message}`; a rate-limited request is sent again.
   */
  async #request(
    payload: Payload,
    data?: (part: { readonly offset: number; readonly bytes: Uint8Array }) => void,
  ): Promise<WireReply> {
    const id = `pkg-${++this.#next}`;
    for (;;) {
      this.#send({ ...payload, id });
      for (;;) {
        const message = await this.#message(
          (m) => m.id === id || (m.type === 'error' && m.code === 'rate-limited'),
          this.#waitMs,
        );
        if (message === undefined) {
          throw new CheckFailure(`no answer to ${show(payload)} within ${this.#waitMs} ms`);
        }
        if (message.type === 'error') break;
        if (message.type === 'package-data') {
          data?.({ offset: Number(message.offset), bytes: decodeBase64(String(message.data)) });
          continue;
        }
        if (message.type === 'package-error') {
          return {
            status: Number(message.status),
            body: { error: message.code, message: message.message, issues: message.issues },
          };
        }
        if (message.type !== payload.type) throw new CheckFailure(`${show(payload)} was answered ${show(message)}`);
        const { type: _type, id: _id, ...body } = message;
        return { status: 200, body };
      }
      await pause(RATE_LIMITED_MS);
    }
  }

  #send(payload: Payload): void {
    if (this.#connection === undefined) throw new CheckFailure('the device is not connected to the broker');
    this.#connection.send(payload);
  }

  /** The first server payload matching `match`, taken out of the inbox; undefined after `waitMs` or once closed. */
  async #message(match: (payload: Payload) => boolean, waitMs: number): Promise<Payload | undefined> {
    const connection = this.#connection;
    return connection === undefined ? undefined : connection.take(connection.inbox, match, waitMs);
  }
}
