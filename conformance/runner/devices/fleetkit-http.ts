import { CheckFailure } from '../check.ts';
import { show } from '../expect.ts';
import type { Tenant } from '../tenant.ts';
import {
  type AckOutcome,
  type AckStatus,
  type DeviceApi,
  type PlayedDevice,
  pause,
  type RpcAnswer,
  type Work,
} from './device.ts';

/** The pause between two polls: the server's per-device budget (docs/server.md) is a few calls a second. */
const POLL_MS = 400;

interface Credentials {
  readonly id: string;
  readonly access_key: string;
  readonly hub_url: string;
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** The provisioning key the suites give a device type of theirs (at least 16 characters). */
export function provisioningKey(tenant: Tenant, type: string): string {
  return `${tenant.account}-${type}-provisioning-key`;
}

/**
 * The server's HTTP device API (`fleetkit-http`, after Xyte's device API):
 * registration with the type's provisioning key, telemetry, commands and
 * configuration under `/v1/devices/{id}` with the access key.
 */
export function fleetkitHttp(base: string): DeviceApi {
  return {
    name: 'fleetkit-http',
    protocol: 'fleetkit-http',
    typeParams: (tenant, type) => ({ 'provisioning-key': provisioningKey(tenant, type) }),
    async provision(tenant, id, type) {
      await tenant.ok('exodm:create-device', { 'device-id': id, 'device-type': type });
      const credentials = await register(base, {
        account: tenant.account,
        device_id: id,
        provisioning_key: provisioningKey(tenant, type),
      });
      return new HttpDevice(id, credentials);
    },
  };
}

/** `POST /v1/devices`: the device's public id and access key. */
export async function register(base: string, body: Record<string, unknown>): Promise<Credentials> {
  const response = await fetch(new URL('v1/devices', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new CheckFailure(`device registration answered HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as Credentials;
}

class HttpDevice implements PlayedDevice {
  readonly id: string;
  readonly #credentials: Credentials;

  constructor(id: string, credentials: Credentials) {
    this.id = id;
    this.#credentials = credentials;
  }

  async connect(): Promise<void> {
    const reply = await this.#call('POST', 'telemetry', { status: 'online' });
    if (reply.status !== 200) throw new CheckFailure(`telemetry answered HTTP ${reply.status}: ${show(reply.body)}`);
  }

  async take(waitMs: number): Promise<Work | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const command = await this.#call('GET', 'command');
      if (command.status === 200) {
        return {
          transactionId: Number(String(command.body.id).split('.')[0]),
          kind: 'rpc',
          name: String(command.body.name),
          params: (command.body.parameters ?? {}) as Record<string, unknown>,
          raw: command.body,
        };
      }
      const config = await this.#call('GET', 'config');
      const body = config.body as { id?: unknown; config?: Record<string, unknown> };
      if (config.status === 200 && body.id !== undefined) {
        const { version: _version, ...params } = body.config ?? {};
        return { transactionId: Number(body.config?.version), kind: 'config', name: 'config', params, raw: body };
      }
      if (Date.now() + POLL_MS > deadline) return undefined;
      await pause(POLL_MS);
    }
  }

  async ack(work: Work, status: AckStatus, detail?: Record<string, unknown>): Promise<AckOutcome> {
    const id = (work.raw as { id: unknown }).id;
    const update =
      status === 'complete'
        ? { id, status: 'done', ...(detail === undefined ? {} : { result: detail }) }
        : status === 'progress'
          ? { id, status: 'in_progress', progress: detail ?? {} }
          : { id, status: 'failed', error: status, ...(detail === undefined ? {} : { result: detail }) };
    const reply = await this.#call('POST', work.kind === 'config' ? 'config' : 'command', update);
    return { accepted: reply.status === 200, answer: reply };
  }

  async rpc(method: string, params: Record<string, unknown>): Promise<RpcAnswer> {
    const reply = await this.#call('POST', 'rpc', { jsonrpc: '2.0', id: 1, method, params });
    return reply.body as RpcAnswer;
  }

  async notify(method: string, params: Record<string, unknown>): Promise<void> {
    const reply = await this.#call('POST', 'rpc', { jsonrpc: '2.0', method, params });
    if (reply.status >= 300)
      throw new CheckFailure(`the notification answered HTTP ${reply.status}: ${show(reply.body)}`);
  }

  async close(): Promise<void> {}

  /** A call with the access key; waits out a 429 (the device's call budget). */
  async #call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
    const url = new URL(`v1/devices/${encodeURIComponent(this.#credentials.id)}/${path}`, this.#credentials.hub_url);
    for (;;) {
      const response = await fetch(url, {
        method,
        headers: { authorization: this.#credentials.access_key, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (response.status === 429) {
        await pause(Number(response.headers.get('retry-after') ?? '1') * 1000);
        continue;
      }
      if (text === '') return { status: response.status, body: {} };
      try {
        return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
      } catch {
        throw new CheckFailure(`${method} ${path} answered HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
      }
    }
  }
}
