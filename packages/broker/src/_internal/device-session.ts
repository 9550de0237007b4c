import type { Connection } from '../connection.ts';
import { CloseCode } from '../protocol/close-codes.ts';
import { deviceIdError } from '../protocol/device-id.ts';
import { OutFrame } from '../protocol/frame.ts';
import { isJsonObject, type JsonObject } from '../protocol/messages.ts';
import { parseFrame } from '../protocol/parse.ts';
import { WireError } from '../protocol/wire-errors.ts';
import type { Hub } from './hub.ts';
import { Peer } from './peer.ts';

/** One connection on `/devices` (002 Steps 2 to 5). */
export class DeviceSession extends Peer {
  /** Set by a successful `register`. */
  deviceId: string | undefined = undefined;
  metadata: JsonObject = {};
  /** Wall time of registration, epoch ms. */
  connectedAt = 0;
  /** Heartbeat rounds seen before registering. */
  unregisteredRounds = 0;

  constructor(hub: Hub, conn: Connection) {
    super(hub, conn);
    hub.peers.add(this);
  }

  protected handle(text: string): void {
    const parsed = parseFrame(text, this.hub.options.maxMessageBytes);
    if (!parsed.ok) return this.fail(parsed.error, parsed.detail);
    const m = parsed.message;
    if (parsed.type === 'message') return this.publish(m.payload);
    if (parsed.type === 'register') return this.register(m.deviceId, m.metadata);
    this.fail(WireError.UnknownType, JSON.stringify(parsed.type.slice(0, 64)));
  }

  /** 002 Step 3. Registering again under the same id refreshes the metadata (002 "Idempotent Registration"). */
  private register(id: unknown, metadata: unknown): void {
    const idError = deviceIdError(id);
    if (idError !== undefined) return this.fail(idError);
    const deviceId = id as string;
    if (metadata !== undefined && !isJsonObject(metadata)) return this.fail(WireError.InvalidMetadata);
    if (this.deviceId !== undefined && this.deviceId !== deviceId)
      return this.fail(WireError.AlreadyRegistered, this.deviceId);
    const hub = this.hub;
    const previous = hub.devices.get(deviceId);
    const evicted = previous !== undefined && previous !== this;
    if (evicted) {
      hub.stats.evictions++;
      // detach first so the old session's cleanup leaves the new registration alone
      previous.deviceId = undefined;
      previous.shut(CloseCode.Replaced, 'Replaced by a newer connection with the same deviceId');
    }
    this.deviceId = deviceId;
    this.metadata = metadata ?? {};
    if (previous !== this) this.connectedAt = hub.options.clock.now();
    hub.devices.set(deviceId, this);
    const timestamp = hub.timestamp();
    this.deliver(
      OutFrame.json({ type: 'success', action: 'registered', deviceId, previousConnection: evicted, timestamp }),
    );
    if (previous !== this) {
      this.notify(
        OutFrame.json({
          type: 'device_connected',
          deviceId,
          metadata: this.metadata,
          previousConnection: evicted,
          timestamp,
        }),
      );
    }
  }

  /** 002 Step 4: relay to every subscribed control app as `{type, deviceId, payload, timestamp}`. */
  private publish(payload: unknown): void {
    const deviceId = this.deviceId;
    if (deviceId === undefined) return this.fail(WireError.NotRegistered);
    if (!isJsonObject(payload)) return this.fail(WireError.InvalidPayload);
    const hub = this.hub;
    hub.stats.published++;
    const subs = hub.subscribers.get(deviceId);
    if (subs === undefined || subs.size === 0) return;
    const frame = OutFrame.json({ type: 'message', deviceId, payload, timestamp: hub.timestamp() });
    for (const s of subs) s.deliver(frame);
    hub.stats.delivered += subs.size;
  }

  /** Sends `frame` to the control apps subscribed to this device. */
  private notify(frame: OutFrame): void {
    const subs = this.hub.subscribers.get(this.deviceId ?? '');
    if (subs !== undefined) for (const s of subs) s.deliver(frame);
  }

  /** 002 Step 3 says register "immediately after connecting": a whole heartbeat interval without it ends the connection. */
  override sweep(): void {
    if (this.deviceId !== undefined || ++this.unregisteredRounds < 2) return;
    this.fail(WireError.RegistrationTimeout);
    this.shut(CloseCode.PolicyViolation, 'No register message in time');
  }

  detach(): void {
    const hub = this.hub;
    hub.peers.delete(this);
    const deviceId = this.deviceId;
    if (deviceId === undefined || hub.devices.get(deviceId) !== this) return;
    hub.devices.delete(deviceId);
    this.notify(OutFrame.json({ type: 'device_disconnected', deviceId, timestamp: hub.timestamp() }));
    this.deviceId = undefined;
  }
}
