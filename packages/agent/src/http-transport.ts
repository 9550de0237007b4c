import { isJsonRpcResponse } from '@fleetkit/jsonrpc';
import { callJson, type FetchFunction, isRefusedWith } from './_internal/http-call.ts';
import { authDataOf, commandOf, configOf, licensesOf, pendingOf } from './_internal/replies.ts';
import { AgentError, AgentErrorCode } from './errors.ts';
import { HttpPackageChannel } from './http-packages.ts';
import type { PackageChannel, Session, Transport } from './transport.ts';
import type {
  AuthData,
  Command,
  CommandUpdate,
  ConfigDocument,
  ConfigReport,
  License,
  LicenseState,
  Pending,
  Registration,
  TelemetryReport,
} from './types.ts';

/** Options of {@link httpTransport}. */
export interface HttpTransportOptions {
  /** The server's provisioning URL: registrations go to `<url>/v1/devices`. */
  readonly url: string;
  /** Default: the runtime's `fetch`. */
  readonly fetch?: FetchFunction;
}

/** The registration body of `POST /v1/devices`. */
export function registrationBody(registration: Registration): Record<string, string> {
  const body: Record<string, string> = {
    account: registration.account,
    provisioning_key: registration.provisioningKey,
  };
  if (registration.deviceId !== undefined) body.device_id = registration.deviceId;
  if (registration.cloudId !== undefined) body.cloud_id = registration.cloudId;
  if (registration.mac !== undefined) body.mac = registration.mac;
  if (registration.sn !== undefined) body.sn = registration.sn;
  if (registration.firmwareVersion !== undefined) body.firmware_version = registration.firmwareVersion;
  if (registration.name !== undefined) body.name = registration.name;
  return body;
}

/** The URL of `/v1/devices` under a base URL. */
export function devicesUrl(base: string): string {
  return `${base.replace(/\/+$/, '')}/v1/devices`;
}

/** `POST /v1/devices` with a fetch function: the shared first step of every transport. */
export async function registerOverHttp(
  fetchFunction: FetchFunction,
  url: string,
  registration: Registration,
  signal: AbortSignal,
): Promise<AuthData> {
  const reply = await callJson(
    fetchFunction,
    { method: 'POST', url: devicesUrl(url), body: registrationBody(registration) },
    signal,
  );
  return authDataOf(reply, url);
}

function checkUrl(url: string): void {
  if (!/^https?:\/\/[^/]/i.test(url)) {
    throw new AgentError(
      AgentErrorCode.InvalidOption,
      `Cannot use ${JSON.stringify(url)} as the server URL: expected http(s)`,
      {
        details: { path: 'url', expected: 'an http(s) URL', got: url },
      },
    );
  }
}

/**
 * The device API over HTTP (fleetkit's `fleetkit-http` plugin, after the
 * Xyte device API): `Authorization: <access key>`, the public id in the
 * URL. Sessions hold no connection of their own, so one transport serves
 * any number of agents.
 */
export function httpTransport(options: HttpTransportOptions): Transport {
  checkUrl(options.url);
  const fetchFunction: FetchFunction = options.fetch ?? ((input, init) => fetch(input, init));
  return {
    register: (registration, signal) => registerOverHttp(fetchFunction, options.url, registration, signal),
    open: (auth) => new HttpSession(fetchFunction, auth),
  };
}

/** One device's calls: URLs under `<hub>/v1/devices/<id>/`. */
class HttpSession implements Session {
  readonly #fetch: FetchFunction;
  readonly #base: string;
  readonly #key: string;
  #rpcId = 0;

  constructor(fetchFunction: FetchFunction, auth: AuthData) {
    this.#fetch = fetchFunction;
    this.#base = `${devicesUrl(auth.hubUrl)}/${encodeURIComponent(auth.id)}/`;
    this.#key = auth.accessKey;
  }

  #call(method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal): Promise<unknown> {
    return callJson(
      this.#fetch,
      { method, url: this.#base + path, authorization: this.#key, ...(body === undefined ? {} : { body }) },
      signal,
    );
  }

  async telemetry(report: TelemetryReport, signal: AbortSignal): Promise<Pending> {
    return pendingOf(await this.#call('POST', 'telemetry', report, signal));
  }

  async command(signal: AbortSignal): Promise<Command | undefined> {
    try {
      return commandOf(await this.#call('GET', 'command', undefined, signal));
    } catch (error) {
      // 404 no-command: nothing waits
      if (isRefusedWith(error, 404)) return undefined;
      throw error;
    }
  }

  async updateCommand(update: CommandUpdate, signal: AbortSignal): Promise<void> {
    await this.#call('POST', 'command', update, signal);
  }

  async config(signal: AbortSignal): Promise<ConfigDocument> {
    return configOf(await this.#call('GET', 'config', undefined, signal));
  }

  async reportConfig(report: ConfigReport, signal: AbortSignal): Promise<void> {
    await this.#call('POST', 'config', report, signal);
  }

  async licenses(signal: AbortSignal): Promise<readonly License[]> {
    return licensesOf(await this.#call('GET', 'licenses', undefined, signal));
  }

  async confirmLicense(id: string, state: LicenseState, signal: AbortSignal): Promise<void> {
    await this.#call('POST', 'licenses', { id, state }, signal);
  }

  async rpc(method: string, params: unknown, signal: AbortSignal): Promise<unknown> {
    const id = ++this.#rpcId;
    const reply = await this.#call('POST', 'rpc', { jsonrpc: '2.0', method, params, id }, signal);
    return resultOf(reply, method);
  }

  async notify(method: string, params: unknown, signal: AbortSignal): Promise<void> {
    await this.#call('POST', 'rpc', { jsonrpc: '2.0', method, params }, signal);
  }

  close(): void {}

  /** Made when a package command first needs it: an idle device holds none. */
  get packages(): PackageChannel {
    return new HttpPackageChannel(this.#fetch, this.#base, this.#key);
  }
}

/** The result of a JSON-RPC response, or `rpc-failed` holding its error. */
export function resultOf(reply: unknown, method: string): unknown {
  if (!isJsonRpcResponse(reply)) {
    throw new AgentError(AgentErrorCode.InvalidReply, `Cannot read the answer to ${method}: not a JSON-RPC response`, {
      details: { reply: 'rpc', got: reply },
    });
  }
  if ('error' in reply) {
    throw new AgentError(AgentErrorCode.RpcFailed, `${method} failed: ${reply.error.message} (${reply.error.code})`, {
      details: { method, error: reply.error },
    });
  }
  return reply.result;
}
