import { connectDevice, type DeviceClient, type JsonObject } from '@fleetkit/broker';
import {
  type Assembler,
  ChunkedError,
  type ChunkStorage,
  createMemoryStorage,
  ed25519Verifier,
  type Manifest,
  openSignedManifest,
} from '@fleetkit/chunked';
import { silentLogger } from '@fleetkit/core';
import { expect } from 'vitest';
import { decodeBase64, encodeBase64 } from '../src/packages/base64.ts';
import { eventually } from './callback-listener.ts';

/** One answer of the server to a package request: its data messages and the message that closed it. */
export interface Answer {
  readonly data: JsonObject[];
  readonly end: JsonObject;
}

/** What a broker device learns from a package transaction message. */
export interface PackageTransaction {
  readonly transactionId: number;
  readonly attempt: number;
  readonly action: string;
  readonly name: string;
  readonly params: Record<string, unknown>;
}

/**
 * A device of the broker plugin that installs packages over broker messages
 * as docs/server.md §Packages (Transfer, plugin `broker`) has it, on chunked's
 * Assembler: it pins the server's key, verifies the signed manifest, asks
 * for the chunks it misses, stores only chunks whose SHA-256 the manifest
 * names, acknowledges them, checks the Merkle root and reports.
 */
export class BrokerPackageDevice {
  readonly client: DeviceClient;
  readonly credentials: { readonly id: string; readonly access_key: string };
  /** Every message the server sent, in order. */
  readonly received: JsonObject[] = [];
  /** Every chunk range asked for: `[start, end)` with the offset into `start`. */
  readonly asked: { readonly start: number; readonly end: number; readonly offset: number }[] = [];
  /** Chunks whose bytes the Assembler refused (their digest is not the manifest's). */
  readonly refused: number[] = [];
  /** Per answer with data: the bytes it carried and its largest data message's. */
  readonly answers: { readonly part: string; readonly bytes: number; readonly largest: number }[] = [];
  readonly storage: ChunkStorage;
  #key: CryptoKey | undefined;
  #next = 0;

  constructor(
    url: string,
    credentials: { readonly id: string; readonly access_key: string },
    options: { readonly storage?: ChunkStorage; readonly key?: CryptoKey } = {},
  ) {
    this.credentials = credentials;
    this.storage = options.storage ?? createMemoryStorage();
    this.#key = options.key;
    this.client = connectDevice({
      url,
      apiKey: credentials.access_key,
      deviceId: credentials.id,
      logger: silentLogger,
      onCommand: (payload) => this.received.push(payload),
    });
  }

  /** The key the device pinned (a restarted device keeps it). */
  get key(): CryptoKey | undefined {
    return this.#key;
  }

  /** Waits for the first message matching `match` and takes it out of `received`. */
  async next(match: (message: JsonObject) => boolean, what = 'a broker message'): Promise<JsonObject> {
    await eventually(() => this.received.some(match), what);
    return this.received.splice(
      this.received.findIndex((m) => match(m)),
      1,
    )[0]!;
  }

  async transaction(): Promise<PackageTransaction> {
    return (await this.next((m) => m.type === 'transaction', 'a transaction')) as unknown as PackageTransaction;
  }

  /** Sends a package request and collects its answer: data messages up to the closing one (or a package-error). */
  async request(payload: JsonObject): Promise<Answer> {
    const id = `r${this.#next++}`;
    this.client.send({ ...payload, id });
    const end = await this.next(
      (m) => m.id === id && m.type !== 'package-data',
      `the answer to ${String(payload.type)} ${id}`,
    );
    const data: JsonObject[] = [];
    for (let i = 0; i < this.received.length; ) {
      if (this.received[i]!.id === id) data.push(this.received.splice(i, 1)[0]!);
      else i++;
    }
    if (data.length > 0) {
      const sizes = data.map((m) => decodeBase64(m.data as string).length);
      this.answers.push({
        part: String(data[0]!.part),
        bytes: sizes.reduce((a, b) => a + b, 0),
        largest: Math.max(...sizes),
      });
    }
    return { data, end };
  }

  /** Pins the server's manifest key (a real device gets it at provisioning). */
  async trust(): Promise<void> {
    const { end } = await this.request({ type: 'package-key' });
    expect(end).toMatchObject({ type: 'package-key', algorithm: 'Ed25519' });
    const raw = decodeBase64(end['public-key'] as string);
    this.#key = await crypto.subtle.importKey('raw', new Uint8Array(raw), 'Ed25519', false, ['verify']);
  }

  /** The signed manifest's bytes, answer after answer; throws on a package-error. */
  async manifestBytes(name: string): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let offset = 0;
    for (;;) {
      const { data, end } = await this.request({ type: 'package-manifest', package: name, offset });
      if (end.type === 'package-error') throw new Error(`${end.code}: ${end.message}`);
      for (const message of data) {
        expect(message.offset).toBe(offset);
        const bytes = decodeBase64(message.data as string);
        parts.push(bytes);
        offset += bytes.length;
      }
      if (end.next === undefined) {
        expect(offset).toBe(end.size);
        break;
      }
      expect(end.next).toBe(offset);
    }
    const out = new Uint8Array(offset);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** The manifest, verified with the pinned key: throws chunked's `signature-invalid` for a forged one. */
  async manifest(name: string): Promise<Manifest> {
    return openSignedManifest(await this.manifestBytes(name), ed25519Verifier(this.#key!));
  }

  /**
   * Asks for every chunk the Assembler misses, following each answer's
   * `next`, and hands each completed chunk to it. `stopAfter` answers, the
   * download stops (a cut link); chunks the Assembler refuses stay missing.
   */
  async download(name: string, assembler: Assembler, stopAfter = Number.POSITIVE_INFINITY): Promise<number> {
    const manifest = assembler.manifest;
    // bytes of a chunk an earlier, cut answer began are of no use: the Assembler takes whole chunks
    this.#partial.clear();
    let answers = 0;
    for (const range of assembler.missing()) {
      let start = range.start;
      let offset = 0;
      while (start < range.end) {
        if (answers >= stopAfter) return answers;
        this.asked.push({ start, end: range.end, offset });
        const { data, end } = await this.request({
          type: 'package-chunks',
          package: name,
          start,
          end: range.end,
          offset,
        });
        answers++;
        if (end.type === 'package-error') throw new Error(`${end.code}: ${end.message}`);
        await this.#store(manifest, assembler, start, offset, data);
        const next = end.next as { start: number; offset: number } | undefined;
        if (next === undefined) break;
        start = next.start;
        offset = next.offset;
      }
    }
    return answers;
  }

  /** Chunk bytes gathered across data messages, keyed by chunk; a chunk complete goes to the Assembler. */
  readonly #partial = new Map<number, Uint8Array[]>();

  async #store(manifest: Manifest, assembler: Assembler, start: number, offset: number, data: JsonObject[]) {
    let at = start * manifest.chunkSize + offset;
    for (const message of data) {
      expect(message.offset).toBe(at);
      let bytes = decodeBase64(message.data as string);
      at += bytes.length;
      let position = message.offset as number;
      while (bytes.length > 0) {
        const index = Math.floor(position / manifest.chunkSize);
        const chunkEnd = Math.min(manifest.size, (index + 1) * manifest.chunkSize);
        const piece = bytes.subarray(0, chunkEnd - position);
        const parts = this.#partial.get(index) ?? [];
        parts.push(piece);
        this.#partial.set(index, parts);
        position += piece.length;
        bytes = bytes.subarray(piece.length);
        if (position === chunkEnd) {
          this.#partial.delete(index);
          const chunk = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
          let w = 0;
          for (const p of parts) {
            chunk.set(p, w);
            w += p.length;
          }
          try {
            await assembler.accept(index, chunk);
          } catch (error) {
            if (!(error instanceof ChunkedError)) throw error;
            this.refused.push(index);
          }
        }
      }
    }
  }

  /** Tells the server which chunks the Assembler holds; its answer. */
  async acknowledge(name: string, assembler: Assembler): Promise<JsonObject> {
    const { end } = await this.request({
      type: 'package-ack',
      package: name,
      bitmap: encodeBase64(assembler.bitmap()),
    });
    return end;
  }

  async report(name: string, body: JsonObject): Promise<JsonObject> {
    return (await this.request({ type: 'package-status', package: name, ...body })).end;
  }

  async inventory(packages?: { name: string; version: string }[]): Promise<JsonObject> {
    return (await this.request({ type: 'package-inventory', ...(packages === undefined ? {} : { packages }) })).end;
  }

  close(): void {
    this.client.close();
  }
}
