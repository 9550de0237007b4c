import { type Assembler, fetchMissing } from '@fleetkit/chunked';
import { decodeBase64, encodeBase64 } from './_internal/base64.ts';
import { callBytes, callJson, type FetchFunction, failureOf, unreachable } from './_internal/http-call.ts';
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

function invalid(what: string, got: unknown): AgentError {
  return new AgentError(AgentErrorCode.InvalidReply, `Cannot read the server's ${what}: unexpected shape`, {
    details: { reply: what, got },
  });
}

/**
 * A 403 that refuses the package, not the device: the HTTP call maps every
 * 403 to `auth-lost`, which would send the device back to registration.
 */
function packageRefusal(error: unknown): unknown {
  if (error instanceof AgentError && error.code === AgentErrorCode.AuthLost) {
    if (error.details?.error === 'package-not-allowed') {
      return new AgentError(AgentErrorCode.Refused, error.message, { details: error.details });
    }
  }
  return error;
}

/** The package transfer of the HTTP device API, under `<hub>/v1/devices/<id>/`. */
export class HttpPackageChannel implements PackageChannel {
  readonly #fetch: FetchFunction;
  readonly #base: string;
  readonly #key: string;

  constructor(fetchFunction: FetchFunction, base: string, accessKey: string) {
    this.#fetch = fetchFunction;
    this.#base = base;
    this.#key = accessKey;
  }

  async #call(method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal): Promise<unknown> {
    try {
      return await callJson(
        this.#fetch,
        { method, url: this.#base + path, authorization: this.#key, ...(body === undefined ? {} : { body }) },
        signal,
      );
    } catch (error) {
      throw packageRefusal(error);
    }
  }

  async key(signal: AbortSignal): Promise<Uint8Array> {
    const reply = await this.#call('GET', 'package-key', undefined, signal);
    const text = isObject(reply) && reply.algorithm === 'Ed25519' ? reply['public-key'] : undefined;
    const key = typeof text === 'string' ? decodeBase64(text) : undefined;
    if (key?.length !== 32) throw invalid('package key', reply);
    return key;
  }

  async manifest(target: PackageTarget, signal: AbortSignal): Promise<Uint8Array> {
    const url = this.#base + target.manifest;
    try {
      return await callBytes(this.#fetch, { method: 'GET', url, authorization: this.#key }, signal);
    } catch (error) {
      throw packageRefusal(error);
    }
  }

  /** chunked's `fetchMissing` with the device's credentials, `before` called ahead of each Range request. */
  download(target: PackageTarget, assembler: Assembler, options: DownloadOptions): Promise<void> {
    const url = this.#base + target.image;
    return fetchMissing(assembler, {
      url,
      chunksPerRequest: options.chunksPerRequest,
      signal: options.signal,
      fetch: async (request) => {
        await options.before();
        return this.#fetchImage(url, request);
      },
    });
  }

  async #fetchImage(url: string, request: Request): Promise<Response> {
    const headers: Record<string, string> = { authorization: this.#key };
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    let response: Response;
    try {
      response = await this.#fetch(request.url, { method: 'GET', headers, signal: request.signal });
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason;
      throw unreachable(url, error);
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    throw packageRefusal(failureOf({ method: 'GET', url }, response, body));
  }

  async acknowledge(target: PackageTarget, bitmap: Uint8Array, signal: AbortSignal): Promise<ChunkAcknowledgement> {
    const reply = await this.#call('POST', target.acknowledge, { bitmap: encodeBase64(bitmap) }, signal);
    if (!isObject(reply) || typeof reply.acknowledged !== 'number' || typeof reply.total !== 'number') {
      throw invalid('chunk acknowledgement', reply);
    }
    return { acknowledged: reply.acknowledged, total: reply.total };
  }

  async report(target: PackageTarget, report: PackageReport, signal: AbortSignal): Promise<void> {
    await this.#call('POST', target.report, reportFields(report), signal);
  }

  async inventory(packages: readonly InstalledPackage[], signal: AbortSignal): Promise<readonly PackageState[]> {
    return packageStatesOf(await this.#call('POST', 'packages', { packages: inventoryEntries(packages) }, signal));
  }

  /** Nothing to forget: the server hands out what is current. */
  finish(): void {}
}
