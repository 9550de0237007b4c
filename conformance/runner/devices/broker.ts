import { CheckFailure } from '../check.ts';
import { show } from '../expect.ts';
import type { Tenant } from '../tenant.ts';
import type { AckOutcome, AckStatus, DeviceApi, PlayedDevice, RpcAnswer, Work } from './device.ts';
import { provisioningKey, register } from './fleetkit-http.ts';

type Payload = Record<string, unknown>;

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
  #socket: WebSocket | undefined;
  /** Message payloads from the server, in arrival order, not taken yet. */
  readonly #inbox: Payload[] = [];
  readonly #frames: Payload[] = [];
  #wake: (() => void) | undefined;
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
    if (this.#socket?.readyState === WebSocket.OPEN) return;
    const socket = new WebSocket(this.#url);
    this.#socket = socket;
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(String(event.data)) as Payload;
      if (frame.type === 'message' && typeof frame.payload === 'object') this.#inbox.push(frame.payload as Payload);
      else this.#frames.push(frame);
      this.#wake?.();
    });
    socket.addEventListener('close', () => this.#wake?.());
    await this.#frame((f) => f.type === 'welcome', 'the welcome', this.#waitMs);
    socket.send(JSON.stringify({ type: 'register', deviceId: this.#publicId }));
    const answer = await this.#frame(
      (f) => f.type === 'success' || f.type === 'error',
      'the registration',
      this.#waitMs,
    );
    if (answer.type !== 'success') throw new CheckFailure(`the broker refused the registration: ${show(answer)}`);
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
    const socket = this.#socket;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => socket.addEventListener('close', () => resolve()));
    socket.close(1000);
    await closed;
  }

  #send(payload: Payload): void {
    const socket = this.#socket;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN)
      throw new CheckFailure('the device is not connected');
    socket.send(JSON.stringify({ type: 'message', payload }));
  }

  /** The first server payload matching `match`, taken out of the inbox; undefined after `waitMs`. */
  async #message(match: (payload: Payload) => boolean, waitMs: number): Promise<Payload | undefined> {
    return this.#await(this.#inbox, match, waitMs);
  }

  async #frame(match: (frame: Payload) => boolean, what: string, waitMs: number): Promise<Payload> {
    const frame = await this.#await(this.#frames, match, waitMs);
    if (frame === undefined) throw new CheckFailure(`no ${what} from the broker within ${waitMs} ms`);
    return frame;
  }

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
