import { basicAuthHeader } from '@fleetkit/jsonrpc';
import { CheckFailure } from '../check.ts';
import { show } from '../expect.ts';
import type { AckOutcome, AckStatus, DeviceApi, PlayedDevice, RpcAnswer, Work } from './device.ts';

/** The delimiters of a `<D>account<D>device` login, in the real server's order (docs/sources.md, the real exodm). */
const DELIMITERS = "*=#_-/&+!%^:;.,()[]{}'`<>\\$";

/** The login of a device on exoport: `<D>account<D>device`, D the first delimiter in neither name. */
export function exoportLogin(account: string, device: string): string {
  const delimiter = [...DELIMITERS].find((d) => !account.includes(d) && !device.includes(d));
  if (delimiter === undefined) throw new CheckFailure(`no delimiter fits ${account} and ${device}`);
  return `${delimiter}${account}${delimiter}${device}`;
}

/** The server's exoport message (the real exodm's HTTP device endpoint). */
interface Message {
  readonly class?: unknown;
  readonly method?: unknown;
  readonly params?: Record<string, unknown>;
}

/**
 * The real exodm's HTTP device endpoint, `POST /exoport` (JSON-RPC with
 * Basic auth `<D>account<D>device` and the 1.x `device-key`): the device
 * polls `exoport:get-messages` and answers each call with its
 * std-callback notification.
 */
export function exoport(base: string): DeviceApi {
  let serial = 0;
  return {
    name: 'exoport',
    protocol: 'exoport_http',
    typeParams: () => ({}),
    async provision(tenant, id, type) {
      // a 1.x device-key (uint64), unique enough per run
      const key = String(1_000_000_000_000 + Math.floor(Math.random() * 1e9) * 100 + (++serial % 100));
      await tenant.ok('exodm:create-device', { 'device-id': id, 'device-type': type, 'device-key': key });
      return new ExoportDevice(
        id,
        new URL('exoport', base).toString(),
        basicAuthHeader(exoportLogin(tenant.account, id), key),
      );
    },
  };
}

class ExoportDevice implements PlayedDevice {
  readonly id: string;
  readonly #url: string;
  readonly #auth: string;
  /** Messages a poll brought that no check took yet. */
  readonly #inbox: Message[] = [];
  #next = 0;

  constructor(id: string, url: string, auth: string) {
    this.id = id;
    this.#url = url;
    this.#auth = auth;
  }

  async connect(): Promise<void> {
    // calling in is a poll: what it brings is the device's to work on
    this.#inbox.push(...(await this.#poll(50, 0)));
  }

  async take(waitMs: number): Promise<Work | undefined> {
    if (this.#inbox.length === 0) this.#inbox.push(...(await this.#poll(1, waitMs)));
    const message = this.#inbox.shift();
    if (message === undefined) return undefined;
    const method = String(message.method);
    const { 'transaction-id': id, ...params } = message.params ?? {};
    const config = method === 'exodm:configure' || method.endsWith(':push_config_set');
    return { transactionId: Number(id), kind: config ? 'config' : 'rpc', name: method, params, raw: message };
  }

  async ack(work: Work, status: AckStatus, detail?: Record<string, unknown>): Promise<AckOutcome> {
    const reply = await this.#send(
      `${work.name}-callback`,
      {
        ...detail,
        'transaction-id': work.transactionId,
        'rpc-status': status === 'progress' ? 'accepted' : status,
        final: status !== 'progress',
      },
      true,
    );
    return { accepted: reply.error === undefined, answer: reply };
  }

  async rpc(method: string, params: Record<string, unknown>): Promise<RpcAnswer> {
    return this.#send(method, params, true);
  }

  async notify(method: string, params: Record<string, unknown>): Promise<void> {
    await this.#send(method, params, false);
  }

  async close(): Promise<void> {}

  async #poll(n: number, timeout: number): Promise<Message[]> {
    const reply = await this.#send('exoport:get-messages', { n, timeout }, true);
    const result = reply.result as { result?: unknown; messages?: Message[] } | undefined;
    if (result?.result !== 'ok' || !Array.isArray(result.messages)) {
      throw new CheckFailure(`exoport:get-messages answered ${show(reply)}`);
    }
    return result.messages;
  }

  async #send(method: string, params: unknown, call: boolean): Promise<RpcAnswer> {
    const response = await fetch(this.#url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: this.#auth },
      body: JSON.stringify({ jsonrpc: '2.0', method, params, ...(call ? { id: ++this.#next } : {}) }),
    });
    const text = await response.text();
    if (response.status === 401 || response.status === 403) {
      throw new CheckFailure(`exoport refused the device with HTTP ${response.status}: ${text}`);
    }
    return text === '' ? {} : (JSON.parse(text) as RpcAnswer);
  }
}
