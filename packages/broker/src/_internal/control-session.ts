import type { Connection } from '../connection.ts';
import type { Subscription } from '../control.ts';
import { deviceIdError } from '../protocol/device-id.ts';
import { OutFrame } from '../protocol/frame.ts';
import { isJsonObject, type JsonObject } from '../protocol/messages.ts';
import { oversize, parseFrame } from '../protocol/parse.ts';
import { WireError } from '../protocol/wire-errors.ts';
import type { Hub } from './hub.ts';
import { Peer } from './peer.ts';

/** Why a control request was refused: the wire error and its detail. */
export interface Refusal {
  readonly error: WireError;
  readonly detail?: string;
}

/** A request's `success` fields, or its refusal. */
type Answer = { readonly fields: object; readonly error?: undefined } | Refusal;

/**
 * One control app (docs/sources.md, the machine broker's control side; the rest is ours, docs/broker.md §Control endpoint):
 * a `/control` connection, or the in-process API over a connection without a socket.
 */
export class ControlSession extends Peer {
  readonly connectionId: string;
  /** deviceIds this session listens to. */
  readonly subscriptions = new Set<string>();

  constructor(hub: Hub, conn: Connection, connectionId: string) {
    super(hub, conn);
    this.connectionId = connectionId;
    hub.peers.add(this);
    hub.controls.set(connectionId, this);
  }

  protected handle(text: string): void {
    const parsed = parseFrame(text, this.hub.options.maxMessageBytes);
    if (!parsed.ok) {
      this.fail(parsed.error, parsed.detail);
      return;
    }
    const requestId = parsed.message.requestId;
    if (requestId !== undefined && (typeof requestId !== 'string' || requestId.length > 128)) {
      this.fail(WireError.InvalidRequestId);
      return;
    }
    const answer = this.#answer(parsed.type, parsed.message);
    if (answer.error !== undefined) this.fail(answer.error, answer.detail, requestId);
    else this.#reply(answer.fields, requestId);
  }

  #answer(type: string, m: JsonObject): Answer {
    if (type === 'list_devices') return { fields: { action: 'list_devices', devices: this.hub.deviceList() } };
    if (type !== 'subscribe' && type !== 'unsubscribe' && type !== 'message') {
      return { error: WireError.UnknownType, detail: JSON.stringify(type.slice(0, 64)) };
    }
    const error = deviceIdError(m.deviceId);
    if (error !== undefined) return { error };
    const deviceId = m.deviceId as string;
    if (type === 'subscribe') return { fields: { action: 'subscribed', deviceId, ...this.subscribe(deviceId) } };
    if (type === 'unsubscribe') {
      this.unsubscribe(deviceId);
      return { fields: { action: 'unsubscribed', deviceId } };
    }
    if (!isJsonObject(m.payload)) return { error: WireError.InvalidPayload };
    return this.command(deviceId, m.payload) ?? { fields: { action: 'sent', deviceId } };
  }

  #reply(fields: object, requestId: string | undefined): void {
    const rid = requestId === undefined ? {} : { requestId };
    this.deliver(OutFrame.json({ type: 'success', ...fields, ...rid, timestamp: this.hub.timestamp() }));
  }

  /** A subscription names a deviceId, so it outlives the device's reconnects; `online` tells whether it is connected now. */
  subscribe(deviceId: string): Subscription {
    const hub = this.hub;
    let subs = hub.subscribers.get(deviceId);
    if (subs === undefined) {
      subs = new Set();
      hub.subscribers.set(deviceId, subs);
    }
    subs.add(this);
    this.subscriptions.add(deviceId);
    return { online: hub.devices.has(deviceId), subscriberCount: subs.size };
  }

  unsubscribe(deviceId: string): void {
    this.subscriptions.delete(deviceId);
    const subs = this.hub.subscribers.get(deviceId);
    if (subs === undefined) return;
    subs.delete(this);
    if (subs.size === 0) this.hub.subscribers.delete(deviceId);
  }

  /**
   * 002 Step 5: the device receives `{type: "message", payload, timestamp}`.
   * `maxBytes` bounds that frame for the in-process API; a request from a
   * socket was bounded when it arrived.
   */
  command(deviceId: string, payload: JsonObject, maxBytes = Number.POSITIVE_INFINITY): Refusal | undefined {
    const hub = this.hub;
    const device = hub.devices.get(deviceId);
    // 002 persists nothing: a command to an absent device is refused, not queued (docs/sources.md, the machine broker's control side)
    if (device === undefined || !device.open) return { error: WireError.DeviceNotConnected, detail: deviceId };
    let frame: OutFrame;
    try {
      frame = OutFrame.json({ type: 'message', payload, timestamp: hub.timestamp() });
    } catch {
      // only an in-process payload can fail here (a BigInt, a cycle): one from a socket was parsed JSON
      return { error: WireError.InvalidPayload, detail: 'not serialisable as JSON' };
    }
    const excess = oversize(frame.text, maxBytes);
    if (excess !== undefined) return { error: WireError.MessageTooLarge, detail: excess };
    device.deliver(frame);
    // the device may just have been closed as a slow consumer
    if (!device.open) return { error: WireError.DeviceNotConnected, detail: deviceId };
    hub.stats.commands++;
    return undefined;
  }

  detach(): void {
    this.hub.peers.delete(this);
    this.hub.controls.delete(this.connectionId);
    for (const deviceId of [...this.subscriptions]) this.unsubscribe(deviceId);
  }
}
