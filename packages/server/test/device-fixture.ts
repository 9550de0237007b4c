import { expect } from 'vitest';
import type { RpcReply, TestServer } from './harness.ts';

/** The account admin of every device test. */
export const ACME = { login: 'acme-admin', password: 'acme-admin-pw' };

/** A provisioning key of the device types the tests create (at least 16 characters). */
export const PROVISIONING_KEY = 'meter-provisioning-key-0001';

/** The test module: device RPCs the backend sends, RPCs and notifications the device sends. */
export const TEST_YANG = `module test {
  namespace "urn:fleetkit:test";
  prefix t;
  import exosense { prefix exo; }
  revision 2024-01-01;
  rpc echo {
    input { uses exo:std-request; leaf text { type string; } }
    output { leaf echoed { type string; } }
  }
  rpc list-even {
    input { leaf limit { type uint32; mandatory true; } }
    output { leaf-list evens { type uint32; } }
  }
  rpc status-report {
    input { leaf device-id { type string; } leaf level { type uint8; } }
    output { leaf ack { type string; mandatory true; } }
  }
  notification alarm {
    leaf device-id { type string; }
    leaf severity { type enumeration { enum minor; enum major; } }
  }
  notification echo-callback {
    uses exo:std-callback;
    leaf message { type string; }
  }
}`;

/** A backend call as the account admin. */
export function acmeCall(t: TestServer) {
  return (method: string, params?: unknown): Promise<RpcReply> => t.call(ACME.login, ACME.password, method, params);
}

/** Creates account acme, its `test` module (with execute rights for admin) and a device type per protocol. */
export async function setUpAccount(t: TestServer): Promise<void> {
  await t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
  const acme = acmeCall(t);
  const ok = async (method: string, params: unknown) =>
    expect((await acme(method, params)).result, method).toEqual({ result: 'ok' });
  await ok('exodm:create-yang-module', { name: 'test.yang', 'yang-module': TEST_YANG });
  await ok('exodm:add-role-execution-permission', { role: 'admin', 'package-name': 'test', 'rpc-name': 'echo' });
  await ok('exodm:create-device-type', {
    name: 'meter',
    protocol: 'fleetkit-http',
    'provisioning-key': PROVISIONING_KEY,
  });
  await ok('exodm:create-device-type', {
    name: 'gateway',
    protocol: 'exoport_http',
    'provisioning-key': `${PROVISIONING_KEY}-gateway`,
  });
  await ok('exodm:create-device-type', {
    name: 'sensor',
    protocol: 'broker',
    'provisioning-key': `${PROVISIONING_KEY}-sensor`,
  });
}

/** What a registration answers. */
export interface Credentials {
  readonly id: string;
  readonly access_key: string;
  readonly hub_url: string;
}

/** One device of the HTTP device API (docs/sources.md, the Xyte device API), as a Xyte agent calls it. */
export class HttpDevice {
  readonly base: string;
  credentials: Credentials | undefined;

  constructor(base: string, credentials?: Credentials) {
    this.base = base;
    this.credentials = credentials;
  }

  /** `POST /v1/devices`; keeps the credentials of a success. */
  async register(body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(new URL('v1/devices', this.base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const parsed = (await response.json()) as Record<string, unknown>;
    if (response.status === 200) this.credentials = parsed as unknown as Credentials;
    return { status: response.status, body: parsed };
  }

  /** A call with the access key, at `/v1/devices/{id}/{path}`. */
  async call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
    const credentials = this.credentials;
    if (credentials === undefined) throw new Error('not registered');
    const response = await fetch(
      new URL(`v1/devices/${encodeURIComponent(credentials.id)}/${path}`, credentials.hub_url),
      {
        method,
        headers: { authorization: credentials.access_key, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
    );
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
      headers: response.headers,
    };
  }

  telemetry(body: Record<string, unknown> = { status: 'online' }) {
    return this.call('POST', 'telemetry', body);
  }
}

/** Registers a device of type `meter` (or the type whose key is given) and returns it. */
export async function registered(t: TestServer, deviceId: string, key: string = PROVISIONING_KEY): Promise<HttpDevice> {
  const device = new HttpDevice(t.url);
  const reply = await device.register({ account: 'acme', device_id: deviceId, provisioning_key: key });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return device;
}
