import type { JsonObject } from '@fleetkit/broker';
import { type Assembler, chunkLength } from '@fleetkit/chunked';
import { decodeBase64, encodeBase64 } from './_internal/base64.ts';
import { inventoryEntries, reportFields } from './_internal/package-bodies.ts';
import { isObject, packageStatesOf } from './_internal/replies.ts';
import { AgentError, AgentErrorCode } from './errors.ts';
import type { InstalledPackage } from './packages.ts';
import type {
  ChunkAcknowledgement,
  DownloadOptions,
  PackageChannel,
  PackageReport,
  PackageState,
  PackageTarget,
} from './transport.ts';

/** What a broker session lends its package channel. */
export interface BrokerLink {
  /** Sends a package request; yields the messages answering it, through the closing one. */
  exchange(message: JsonObject, signal: AbortSignal): AsyncGenerator<JsonObject>;
  /** Forgets the transaction of a command whose operation ended. */
  finish(commandId: string): void;
}

function invalid(what: string, got: unknown): AgentError {
  return new AgentError(AgentErrorCode.InvalidReply, `Cannot read the broker's ${what}: unexpected shape`, {
    details: { reply: what, got },
  });
}

/** A `package-error` as the error the HTTP route's answer would have made. */
function refusal(message: JsonObject): AgentError {
  const status = typeof message.status === 'number' ? message.status : 400;
  const code = String(message.code);
  const details = { status, error: code };
  const text = `The server refused ${String(message.request)} (${status} ${code}): ${String(message.message)}`;
  return new AgentError(status >= 500 ? AgentErrorCode.Unavailable : AgentErrorCode.Refused, text, { details });
}

/** `package-data` bytes of `part`, checked to start where the last ones ended. */
function dataOf(message: JsonObject, part: string, at: number): Uint8Array {
  const bytes = typeof message.data === 'string' ? decodeBase64(message.data) : undefined;
  if (message.part !== part || message.offset !== at || bytes === undefined) throw invalid(`${part} data`, message);
  return bytes;
}

/** The package messages of the server's broker plugin (docs/server.md, Packages, Transfer (plugin `broker`)). */
export class BrokerPackageChannel implements PackageChannel {
  readonly #link: BrokerLink;

  constructor(link: BrokerLink) {
    this.#link = link;
  }

  /** The closing message of a request without data; `package-error` thrown. */
  async #ask(message: JsonObject, signal: AbortSignal): Promise<JsonObject> {
    let last: JsonObject | undefined;
    for await (const answer of this.#link.exchange(message, signal)) last = answer;
    if (last?.type === 'package-error') throw refusal(last);
    if (last === undefined || last.type !== message.type) throw invalid(String(message.type), last);
    return last;
  }

  async key(signal: AbortSignal): Promise<Uint8Array> {
    const answer = await this.#ask({ type: 'package-key' }, signal);
    const text = answer.algorithm === 'Ed25519' ? answer['public-key'] : undefined;
    const key = typeof text === 'string' ? decodeBase64(text) : undefined;
    if (key?.length !== 32) throw invalid('package key', answer);
    return key;
  }

  async manifest(target: PackageTarget, signal: AbortSignal): Promise<Uint8Array> {
    const pieces: Uint8Array[] = [];
    let at = 0;
    for (;;) {
      let closing: JsonObject | undefined;
      const request = { type: 'package-manifest', package: target.name, offset: at };
      for await (const answer of this.#link.exchange(request, signal)) {
        if (answer.type === 'package-data') {
          const bytes = dataOf(answer, 'manifest', at);
          pieces.push(bytes);
          at += bytes.length;
        } else closing = answer;
      }
      if (closing?.type === 'package-error') throw refusal(closing);
      if (closing?.type !== 'package-manifest' || typeof closing.size !== 'number') throw invalid('manifest', closing);
      if (typeof closing.next !== 'number') {
        if (at !== closing.size) throw invalid('manifest', closing);
        const envelope = new Uint8Array(at);
        let offset = 0;
        for (const piece of pieces) {
          envelope.set(piece, offset);
          offset += piece.length;
        }
        return envelope;
      }
      if (closing.next !== at) throw invalid('manifest', closing);
    }
  }

  /** Asks for each missing run in slices of `chunksPerRequest`, following `next`, and feeds every completed chunk. */
  async download(target: PackageTarget, assembler: Assembler, options: DownloadOptions): Promise<void> {
    const per = Math.max(1, options.chunksPerRequest);
    for (const run of assembler.missing()) {
      for (let first = run.start; first < run.end; first += per) {
        await options.before();
        await this.#chunks(target, assembler, { start: first, end: Math.min(run.end, first + per) }, options.signal);
      }
    }
  }

  async #chunks(
    target: PackageTarget,
    assembler: Assembler,
    range: { readonly start: number; readonly end: number },
    signal: AbortSignal,
  ): Promise<void> {
    const { manifest } = assembler;
    let index = range.start;
    let chunk = new Uint8Array(chunkLength(manifest, index));
    let filled = 0;
    while (index < range.end) {
      let closing: JsonObject | undefined;
      const request = { type: 'package-chunks', package: target.name, start: index, end: range.end, offset: filled };
      for await (const answer of this.#link.exchange(request, signal)) {
        if (answer.type !== 'package-data') {
          closing = answer;
          continue;
        }
        let bytes = dataOf(answer, 'image', index * manifest.chunkSize + filled);
        while (bytes.length > 0) {
          if (index >= range.end) throw invalid('image data', answer);
          const take = Math.min(bytes.length, chunk.length - filled);
          chunk.set(bytes.subarray(0, take), filled);
          filled += take;
          bytes = bytes.subarray(take);
          if (filled === chunk.length) {
            await assembler.accept(index, chunk);
            index++;
            filled = 0;
            if (index < range.end) chunk = new Uint8Array(chunkLength(manifest, index));
          }
        }
      }
      if (closing?.type === 'package-error') throw refusal(closing);
      const next = closing?.next;
      if (closing?.type !== 'package-chunks') throw invalid('image', closing);
      if (next === undefined && index < range.end) throw invalid('image', closing);
      if (isObject(next) && (next.start !== index || next.offset !== filled)) throw invalid('image', closing);
    }
  }

  async acknowledge(target: PackageTarget, bitmap: Uint8Array, signal: AbortSignal): Promise<ChunkAcknowledgement> {
    const answer = await this.#ask({ type: 'package-ack', package: target.name, bitmap: encodeBase64(bitmap) }, signal);
    if (typeof answer.acknowledged !== 'number' || typeof answer.total !== 'number') {
      throw invalid('chunk acknowledgement', answer);
    }
    return { acknowledged: answer.acknowledged, total: answer.total };
  }

  async report(target: PackageTarget, report: PackageReport, signal: AbortSignal): Promise<void> {
    await this.#ask(
      {
        type: 'package-status',
        package: target.name,
        ...reportFields(report),
      },
      signal,
    );
  }

  async inventory(packages: readonly InstalledPackage[], signal: AbortSignal): Promise<readonly PackageState[]> {
    return packageStatesOf(
      await this.#ask({ type: 'package-inventory', packages: inventoryEntries(packages) }, signal),
    );
  }

  finish(commandId: string): void {
    this.#link.finish(commandId);
  }
}
