import { chunkLength, type Manifest } from '@fleetkit/chunked';
import { CheckFailure } from '../runner/check.ts';
import { pause } from '../runner/devices/device.ts';
import { show } from '../runner/expect.ts';
import { decodeBase64 } from './packages-data.ts';
import type { ChunksReply, PackageCommand, PackageWire, Target, WireReply } from './packages-wire.ts';
import { QUIET_MS } from './shared.ts';

type Payload = Record<string, unknown>;

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
 * The web platform's WebSocket, so the runner stays portable.
 */
export class BrokerWire implements PackageWire {
  readonly quietMs = QUIET_MS;
  readonly #url: string;
  readonly #publicId: string;
  readonly #waitMs: number;
  #socket: WebSocket | undefined;
  readonly #inbox: Payload[] = [];
  readonly #frames: Payload[] = [];
  #wake: (() => void) | undefined;
  #next = 0;

  constructor(url: string, publicId: string, waitMs: number) {
    this.#url = url;
    this.#publicId = publicId;
    this.#waitMs = waitMs;
  }

  /** Connects and registers as the device (document 002). */
  async connect(): Promise<void> {
    const socket = new WebSocket(this.#url);
    this.#socket = socket;
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(String(event.data)) as Payload;
      if (frame.type === 'message' && typeof frame.payload === 'object') this.#inbox.push(frame.payload as Payload);
      else this.#frames.push(frame);
      this.#wake?.();
    });
    socket.addEventListener('close', () => this.#wake?.());
    const welcome = await this.#await(this.#frames, (f) => f.type === 'welcome', this.#waitMs);
    if (welcome === undefined) throw new CheckFailure(`no welcome from the broker within ${this.#waitMs} ms`);
    socket.send(JSON.stringify({ type: 'register', deviceId: this.#publicId }));
    const answer = await this.#await(this.#frames, (f) => f.type === 'success' || f.type === 'error', this.#waitMs);
    if (answer?.type !== 'success') throw new CheckFailure(`the broker refused the registration: ${show(answer)}`);
  }

  key(): Promise<WireReply> {
    return this.#request({ type: 'package-key' });
  }

  async command(waitMs: number): Promise<PackageCommand | undefined> {
    const message = await this.#await(this.#inbox, (m) => m.type === 'transaction' && m.action === 'execute', waitMs);
    if (message === undefined) return undefined;
    return {
      id: `${String(message.transactionId)}.${String(message.attempt)}`,
      name: String(message.name),
      parameters: (message.params ?? {}) as Record<string, unknown>,
    };
  }

  /** Down and up again: what the device was sent and did not finish comes again on the new connection. */
  async restart(): Promise<void> {
    await this.close();
    this.#inbox.length = 0;
    this.#frames.length = 0;
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
    const socket = this.#socket;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => socket.addEventListener('close', () => resolve()));
    socket.close(1000);
    await closed;
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
        const message = await this.#await(
          this.#inbox,
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
    const socket = this.#socket;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) {
      throw new CheckFailure('the device is not connected to the broker');
    }
    socket.send(JSON.stringify({ type: 'message', payload }));
  }

  /** The first item of `list` matching `match`, taken out; undefined after `waitMs` or once the socket closed. */
  async #await(list: Payload[], match: (payload: Payload) => boolean, waitMs: number): Promise<Payload | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const index = list.findIndex(match);
      if (index >= 0) return list.splice(index, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0 || this.#socket?.readyState === WebSocket.CLOSED) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }
}
