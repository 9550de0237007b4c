import type { Connection } from '../connection.ts';
import type { BrokerControl, DeviceMessage, PresenceEvent, SendOutcome, Subscription } from '../control.ts';
import { BrokerError, BrokerErrorCode } from '../errors.ts';
import { CloseCode } from '../protocol/close-codes.ts';
import { deviceIdError } from '../protocol/device-id.ts';
import type { OutFrame } from '../protocol/frame.ts';
import { isJsonObject, type JsonObject } from '../protocol/messages.ts';
import { ControlSession } from './control-session.ts';
import type { DeviceInfo, Hub } from './hub.ts';

const SENT: SendOutcome = Object.freeze({ sent: true });

/**
 * {@link BrokerControl} as a control session whose connection is a function
 * call: the broker's frames reach the listeners as the values they were
 * serialised from, and nothing ever queues, so the slow-consumer policy and
 * the heartbeat (no `ping`) leave it alone.
 */
export class LocalControl implements BrokerControl {
  readonly #hub: Hub;
  readonly #session: ControlSession;
  readonly #messageListeners = new Set<(message: DeviceMessage) => void>();
  readonly #presenceListeners = new Set<(event: PresenceEvent) => void>();

  constructor(hub: Hub) {
    this.#hub = hub;
    const conn: Connection = {
      send: (frame: OutFrame) => this.#dispatch(frame.value),
      bufferedAmount: () => 0,
      close: () => {},
      terminate: () => {},
    };
    this.#session = new ControlSession(hub, conn, hub.options.random.uuid());
  }

  get connectionId(): string {
    return this.#session.connectionId;
  }

  get closed(): boolean {
    return !this.#session.open;
  }

  subscribe(deviceId: string): Subscription {
    this.#check('subscribe', deviceId);
    return this.#session.subscribe(deviceId);
  }

  unsubscribe(deviceId: string): void {
    this.#check('unsubscribe', deviceId);
    this.#session.unsubscribe(deviceId);
  }

  send(deviceId: string, payload: JsonObject): SendOutcome {
    this.#check('send', deviceId);
    if (!isJsonObject(payload)) throw invalidPayload(deviceId, Array.isArray(payload) ? 'an array' : typeof payload);
    const refusal = this.#session.command(deviceId, payload, this.#hub.options.maxMessageBytes);
    if (refusal === undefined) return SENT;
    const code = refusal.error.code;
    const error = refusal.detail === undefined ? refusal.error.text : `${refusal.error.text}: ${refusal.detail}`;
    if (code === 'device-not-connected' || code === 'message-too-large') return { sent: false, code, error };
    throw invalidPayload(deviceId, refusal.detail ?? code);
  }

  onMessage(listener: (message: DeviceMessage) => void): () => void {
    this.#messageListeners.add(listener);
    return () => this.#messageListeners.delete(listener);
  }

  onPresence(listener: (event: PresenceEvent) => void): () => void {
    this.#presenceListeners.add(listener);
    return () => this.#presenceListeners.delete(listener);
  }

  devices(): DeviceInfo[] {
    return this.#hub.deviceList();
  }

  close(): void {
    this.#session.shut(CloseCode.Normal, 'Control closed');
  }

  #check(action: string, deviceId: string): void {
    if (this.closed) {
      throw new BrokerError(BrokerErrorCode.Closed, `Cannot ${action} as this control is closed`);
    }
    const error = deviceIdError(deviceId);
    if (error === undefined) return;
    throw new BrokerError(
      BrokerErrorCode.InvalidArgument,
      `Cannot ${action} as the deviceId must be 1 to 64 letters, digits, "-" or "_": got ${JSON.stringify(deviceId)}`,
      { details: { path: 'deviceId', expected: '1 to 64 of A-Z a-z 0-9 - _', got: deviceId, wireCode: error.code } },
    );
  }

  /** The frames a control app gets unasked: a subscribed device's messages and presence. */
  #dispatch(value: unknown): void {
    const type = (value as { readonly type?: unknown } | undefined)?.type;
    if (type === 'message') this.#emit(this.#messageListeners, value as DeviceMessage);
    else if (type === 'device_connected' || type === 'device_disconnected') {
      this.#emit(this.#presenceListeners, value as PresenceEvent);
    }
  }

  #emit<Event>(listeners: ReadonlySet<(event: Event) => void>, event: Event): void {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (cause) {
        // the server's bug must not close the device whose frame is being handled
        this.#hub.logger.error('broker control listener failed', { cause, connectionId: this.connectionId });
      }
    }
  }
}

function invalidPayload(deviceId: string, got: string): BrokerError {
  return new BrokerError(
    BrokerErrorCode.InvalidArgument,
    `Cannot send to ${deviceId} as the payload must be a JSON object: got ${got}`,
    { details: { path: 'payload', expected: 'a JSON object', got } },
  );
}
