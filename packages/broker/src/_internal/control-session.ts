import type { Connection } from '../connection.ts';
import { deviceIdError } from '../protocol/device-id.ts';
import { OutFrame } from '../protocol/frame.ts';
import { isJsonObject, type JsonObject } from '../protocol/messages.ts';
import { parseFrame } from '../protocol/parse.ts';
import { WireError } from '../protocol/wire-errors.ts';
import type { Hub } from './hub.ts';
import { Peer } from './peer.ts';

/** One connection on `/control` (platforms.md §2; the rest is ours, docs/broker.md §Control endpoint). */
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
    if (!parsed.ok) return this.fail(parsed.error, parsed.detail);
    const m = parsed.message;
    const requestId = m.requestId;
    if (requestId !== undefined && (typeof requestId !== 'string' || requestId.length > 128)) {
      return this.fail(WireError.InvalidRequestId);
    }
    switch (parsed.type) {
      case 'list_devices':
        return this.reply({ action: 'list_devices', devices: this.hub.deviceList() }, requestId);
      case 'subscribe':
        return this.subscribe(m, requestId);
      case 'unsubscribe':
        return this.unsubscribe(m, requestId);
      case 'message':
        return this.command(m, requestId);
      default:
        return this.fail(WireError.UnknownType, JSON.stringify(parsed.type.slice(0, 64)), requestId);
    }
  }

  private reply(fields: object, requestId: string | undefined): void {
    const rid = requestId === undefined ? {} : { requestId };
    this.deliver(OutFrame.json({ type: 'success', ...fields, ...rid, timestamp: this.hub.timestamp() }));
  }

  /** A subscription names a deviceId, so it outlives the device's reconnects; `online` tells whether it is connected now. */
  private subscribe(m: JsonObject, requestId: string | undefined): void {
    const error = deviceIdError(m.deviceId);
    if (error !== undefined) return this.fail(error, undefined, requestId);
    const deviceId = m.deviceId as string;
    const hub = this.hub;
    let subs = hub.subscribers.get(deviceId);
    if (subs === undefined) hub.subscribers.set(deviceId, (subs = new Set()));
    subs.add(this);
    this.subscriptions.add(deviceId);
    this.reply(
      { action: 'subscribed', deviceId, online: hub.devices.has(deviceId), subscriberCount: subs.size },
      requestId,
    );
  }

  private unsubscribe(m: JsonObject, requestId: string | undefined): void {
    const error = deviceIdError(m.deviceId);
    if (error !== undefined) return this.fail(error, undefined, requestId);
    const deviceId = m.deviceId as string;
    this.drop(deviceId);
    this.reply({ action: 'unsubscribed', deviceId }, requestId);
  }

  /** 002 Step 5: the device receives `{type: "message", payload, timestamp}`. */
  private command(m: JsonObject, requestId: string | undefined): void {
    const error = deviceIdError(m.deviceId);
    if (error !== undefined) return this.fail(error, undefined, requestId);
    if (!isJsonObject(m.payload)) return this.fail(WireError.InvalidPayload, undefined, requestId);
    const deviceId = m.deviceId as string;
    const hub = this.hub;
    const device = hub.devices.get(deviceId);
    // 002 persists nothing: a command to an absent device is refused, not queued (platforms.md §2)
    if (device === undefined || !device.open) return this.fail(WireError.DeviceNotConnected, deviceId, requestId);
    const timestamp = hub.timestamp();
    device.deliver(OutFrame.json({ type: 'message', payload: m.payload, timestamp }));
    // the device may just have been closed as a slow consumer
    if (!device.open) return this.fail(WireError.DeviceNotConnected, deviceId, requestId);
    hub.stats.commands++;
    this.reply({ action: 'sent', deviceId }, requestId);
  }

  private drop(deviceId: string): void {
    this.subscriptions.delete(deviceId);
    const subs = this.hub.subscribers.get(deviceId);
    if (subs === undefined) return;
    subs.delete(this);
    if (subs.size === 0) this.hub.subscribers.delete(deviceId);
  }

  detach(): void {
    this.hub.peers.delete(this);
    this.hub.controls.delete(this.connectionId);
    for (const deviceId of [...this.subscriptions]) this.drop(deviceId);
  }
}
