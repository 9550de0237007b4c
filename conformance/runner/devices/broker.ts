import { CheckFailure } from '../check.ts';
import type { Tenant } from '../tenant.ts';
import { BrokerSocket, type Payload } from './broker-socket.ts';
import type { AckOutcome, AckStatus, DeviceApi, PlayedDevice, RpcAnswer, Work } from './device.ts';
import { provisioningKey, register } from './fleetkit-http.ts';

/**
 * Devices on the machine broker (document 002): the access key from the
 * HTTP registration as `apiKey`, the public id as `deviceId`; transactions,
 * acks and the device's own RPCs travel as message payloads (docs/server.md,
 * broker messages). The web platform's WebSocket, so the runner stays portable.
 */
export function brokerDevices(base: string, brokerUrl: string, waitMs: number): DeviceApi {
  return {
    name: 'broker',
    protocol: 'broker',
    typeParams: (tenant: Tenant, type: string) => ({ 'provisioning-key': provisioningKey(tenant, type) }),
    async provision(tenant, id, type) {
      await tenant.ok('exodm:create-device', { 'device-id': id, 'device-type': type });
      const credentials = await register(base, {
        account: tenant.account,
        device_id: id,
        provisioning_key: provisioningKey(tenant, type),
      });
      const url = `${brokerUrl.replace(/\/+$/, '')}/devices?apiKey=${encodeURIComponent(credentials.access_key)}`;
      return new BrokerDevice(id, credentials.id, url, waitMs);
    },
  };
}

class BrokerDevice implements PlayedDevice {
  readonly id: string;
  readonly #publicId: string;
  readonly #url: string;
  readonly #waitMs: number;
  #connection: BrokerSocket | undefined;
  #nextRpc = 0;
  /** `transactionId.attempt` of every transaction this device finished. */
  readonly #finished = new Set<string>();

  constructor(id: string, publicId: string, url: string, waitMs: number) {
    this.id = id;
    this.#publicId = publicId;
    this.#url = url;
    this.#waitMs = waitMs;
  }

  async connect(): Promise<void> {
    // a connected device stays on its connection: a second one would replace it (002, close 4000)
    const previous = this.#connection;
    if (previous?.open) return;
    this.#connection = new BrokerSocket(this.#url);
    // what the last connection brought and no check took yet is still the device's to take
    if (previous !== undefined) this.#connection.inbox.push(...previous.inbox);
    await this.#connection.register(this.#publicId, this.#waitMs);
  }

  async take(waitMs: number): Promise<Work | undefined> {
    // a device keys its work by transaction and attempt: a copy of one it finished is no new work
    const message = await this.#message(
      (m) => m.type === 'transaction' && !this.#finished.has(`${String(m.transactionId)}.${String(m.attempt)}`),
      waitMs,
    );
    if (message === undefined) return undefined;
    const kind = message.kind === 'config' ? 'config' : 'rpc';
    return {
      transactionId: Number(message.transactionId),
      kind,
      name: String(message.name),
      params: (message.params ?? {}) as Record<string, unknown>,
      raw: message,
    };
  }

  async ack(work: Work, status: AckStatus, detail?: Record<string, unknown>): Promise<AckOutcome> {
    const { transactionId, attempt } = work.raw as Payload;
    if (status !== 'progress') this.#finished.add(`${String(transactionId)}.${String(attempt)}`);
    this.#send({
      type: 'ack',
      transactionId,
      attempt,
      status,
      ...(detail === undefined ? {} : status === 'progress' ? { progress: detail } : { result: detail }),
    });
    const answer = await this.#message(
      (m) => m.type === 'ack-result' && m.transactionId === transactionId,
      this.#waitMs,
    );
    if (answer === undefined) throw new CheckFailure(`no ack-result for transaction ${String(transactionId)}`);
    return { accepted: answer.outcome === 'applied' || answer.outcome === 'duplicate', answer };
  }

  async rpc(method: string, params: Record<string, unknown>): Promise<RpcAnswer> {
    const id = `rpc-${++this.#nextRpc}`;
    this.#send({ type: 'rpc', id, method, params });
    const reply = await this.#message((m) => m.type === 'rpc-reply' && m.id === id, this.#waitMs);
    if (reply === undefined) throw new CheckFailure(`no rpc-reply to ${method}`);
    return reply as RpcAnswer;
  }

  async notify(method: string, params: Record<string, unknown>): Promise<void> {
    this.#send({ type: 'rpc', method, params });
  }

  async close(): Promise<void> {
    await this.#connection?.close();
  }

  #send(payload: Payload): void {
    if (this.#connection === undefined) throw new CheckFailure('the device is not connected to the broker');
    this.#connection.send(payload);
  }

  /** The first server payload matching `match`, taken out of the inbox; undefined after `waitMs`. */
  async #message(match: (payload: Payload) => boolean, waitMs: number): Promise<Payload | undefined> {
    const connection = this.#connection;
    return connection === undefined ? undefined : connection.take(connection.inbox, match, waitMs);
  }
}
