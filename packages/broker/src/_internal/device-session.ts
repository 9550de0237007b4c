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
  /** The connection's key while `authorizeDevice` may still be asked about it. */
  apiKey: string | undefined;
  /** Frames that arrived while `authorizeDevice` was deciding: handled in order once it has. */
  #held: { readonly texts: string[]; bytes: number } | undefined = undefined;

  constructor(hub: Hub, conn: Connection, apiKey: string | undefined) {
    super(hub, conn);
    this.apiKey = apiKey;
    hub.peers.add(this);
  }

  protected handle(text: string): void {
    if (this.#held !== undefined) {
      this.#hold(this.#held, text);
      return;
    }
    const parsed = parseFrame(text, this.hub.options.maxMessageBytes);
    if (!parsed.ok) this.fail(parsed.error, parsed.detail);
    else if (parsed.type === 'message') this.#publish(parsed.message.payload);
    else if (parsed.type === 'register') this.#register(parsed.message.deviceId, parsed.message.metadata);
    else this.fail(WireError.UnknownType, JSON.stringify(parsed.type.slice(0, 64)));
  }

  /** 002 Step 3. Registering again under the same id refreshes the metadata (002 "Idempotent Registration"). */
  #register(id: unknown, metadata: unknown): void {
    const idError = deviceIdError(id);
    if (idError !== undefined) {
      this.fail(idError);
      return;
    }
    const deviceId = id as string;
    if (metadata !== undefined && !isJsonObject(metadata)) {
      this.fail(WireError.InvalidMetadata);
      return;
    }
    if (this.deviceId !== undefined && this.deviceId !== deviceId) {
      this.fail(WireError.AlreadyRegistered, this.deviceId);
      return;
    }
    const authorize = this.hub.options.authorizeDevice;
    // a connection asks once: afterwards it can only refresh the deviceId it holds
    if (authorize === undefined || this.deviceId === deviceId) {
      this.#complete(deviceId, metadata ?? {});
      return;
    }
    let verdict: unknown;
    try {
      verdict = authorize({ apiKey: this.apiKey ?? '', deviceId });
    } catch (cause) {
      this.#authorizerFailed(cause, deviceId);
      return;
    }
    if (!isThenable(verdict)) {
      this.#decide(verdict === true, deviceId, metadata ?? {});
      return;
    }
    this.#held = { texts: [], bytes: 0 };
    verdict.then(
      (allowed) => this.#resume(allowed === true, deviceId, metadata ?? {}),
      (cause: unknown) => this.#authorizerFailed(cause, deviceId),
    );
  }

  /** The end of an asynchronous authorization: decide, then handle what arrived meanwhile. */
  #resume(allowed: boolean, deviceId: string, metadata: JsonObject): void {
    const held = this.#held?.texts ?? [];
    this.#held = undefined;
    if (!this.open) return;
    try {
      this.#decide(allowed, deviceId, metadata);
      for (const text of held) if (this.open) this.handle(text);
    } catch (cause) {
      this.crashed(cause);
    }
  }

  /** Frames queue behind a pending authorization, up to `maxBufferedBytes`; a flood beyond it is cut with 1013. */
  #hold(held: { readonly texts: string[]; bytes: number }, text: string): void {
    held.bytes += text.length;
    if (held.bytes > this.hub.options.maxBufferedBytes) {
      this.shut(CloseCode.TryAgainLater, 'Too much data while the registration was being authorized');
      return;
    }
    held.texts.push(text);
  }

  #decide(allowed: boolean, deviceId: string, metadata: JsonObject): void {
    if (allowed) {
      this.apiKey = undefined;
      this.#complete(deviceId, metadata);
      return;
    }
    this.fail(WireError.DeviceNotAuthorized, deviceId);
    this.shut(CloseCode.PolicyViolation, 'API key not authorized for this deviceId');
  }

  #authorizerFailed(cause: unknown, deviceId: string): void {
    this.#held = undefined;
    if (!this.open) return;
    this.hub.logger.error('broker authorizeDevice failed', { cause, deviceId });
    this.shut(CloseCode.ServerError, 'Server error');
  }

  #complete(deviceId: string, metadata: JsonObject): void {
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
    this.metadata = metadata;
    if (previous !== this) this.connectedAt = hub.options.clock.now();
    hub.devices.set(deviceId, this);
    const timestamp = hub.timestamp();
    this.deliver(
      OutFrame.json({ type: 'success', action: 'registered', deviceId, previousConnection: evicted, timestamp }),
    );
    if (previous !== this) {
      this.#notify(
        OutFrame.json({ type: 'device_connected', deviceId, metadata, previousConnection: evicted, timestamp }),
      );
    }
  }

  /** 002 Step 4: relay to every subscribed control app as `{type, deviceId, payload, timestamp}`. */
  #publish(payload: unknown): void {
    const deviceId = this.deviceId;
    if (deviceId === undefined) {
      this.fail(WireError.NotRegistered);
      return;
    }
    if (!isJsonObject(payload)) {
      this.fail(WireError.InvalidPayload);
      return;
    }
    const hub = this.hub;
    hub.stats.published++;
    const subs = hub.subscribers.get(deviceId);
    if (subs === undefined || subs.size === 0) return;
    const frame = OutFrame.json({ type: 'message', deviceId, payload, timestamp: hub.timestamp() });
    for (const s of subs) s.deliver(frame);
    hub.stats.delivered += subs.size;
  }

  /** Sends `frame` to the control apps subscribed to this device. */
  #notify(frame: OutFrame): void {
    const subs = this.hub.subscribers.get(this.deviceId ?? '');
    if (subs !== undefined) for (const s of subs) s.deliver(frame);
  }

  /** 002 Step 3 says register "immediately after connecting": a whole heartbeat interval without it ends the connection. */
  override sweep(): void {
    if (this.deviceId !== undefined) return;
    this.unregisteredRounds++;
    if (this.unregisteredRounds < 2) return;
    this.fail(WireError.RegistrationTimeout);
    this.shut(CloseCode.PolicyViolation, 'No register message in time');
  }

  detach(): void {
    const hub = this.hub;
    hub.peers.delete(this);
    const deviceId = this.deviceId;
    if (deviceId === undefined || hub.devices.get(deviceId) !== this) return;
    hub.devices.delete(deviceId);
    this.#notify(OutFrame.json({ type: 'device_disconnected', deviceId, timestamp: hub.timestamp() }));
    this.deviceId = undefined;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
