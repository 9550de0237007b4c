import type { DeviceInfo } from './_internal/hub.ts';
import type { JsonObject } from './protocol/messages.ts';

/** What {@link BrokerControl.subscribe} reports, as the wire's `subscribed` answer does. */
export interface Subscription {
  /** Whether the device is connected now. */
  readonly online: boolean;
  /** Control apps subscribed to the device, this one included. */
  readonly subscriberCount: number;
}

/** A subscribed device's data: the wire's `message` event, as an object. */
export interface DeviceMessage {
  readonly type: 'message';
  readonly deviceId: string;
  readonly payload: JsonObject;
  readonly timestamp: string;
}

/** A subscribed device registered: the wire's `device_connected` event. */
export interface DeviceConnected {
  readonly type: 'device_connected';
  readonly deviceId: string;
  readonly metadata: JsonObject;
  /** True when this registration replaced (closed with 4000) another connection of the device. */
  readonly previousConnection: boolean;
  readonly timestamp: string;
}

/** A subscribed device's connection closed: the wire's `device_disconnected` event. */
export interface DeviceDisconnected {
  readonly type: 'device_disconnected';
  readonly deviceId: string;
  readonly timestamp: string;
}

/** A subscribed device came or went. */
export type PresenceEvent = DeviceConnected | DeviceDisconnected;

/** Wire codes with which {@link BrokerControl.send} can be refused. */
export type SendRefusalCode = 'device-not-connected' | 'message-too-large';

/**
 * What became of {@link BrokerControl.send}. `sent` means the frame is queued
 * on the device's connection, not that the device acted on it: its answer, if
 * any, arrives as one of its messages.
 */
export type SendOutcome =
  | { readonly sent: true }
  | { readonly sent: false; readonly code: SendRefusalCode; readonly error: string };

/**
 * A control app inside the broker's process, from `Broker.control()`: the
 * same subscriptions, commands and events as a `/control` connection
 * (it counts in `subscriberCount`, `connectionCount` and the stats), without
 * a socket or JSON. Listeners run synchronously as the broker handles the
 * device's frame; their events are shared, read-only objects; a listener
 * that throws is logged and does not disturb the device (docs/broker.md
 * §In-process control).
 */
export interface BrokerControl {
  /** The connection id a `welcome` would carry. */
  readonly connectionId: string;
  /** True after {@link close} or the broker's shutdown. */
  readonly closed: boolean;
  /** Listens to `deviceId`, online or not; the subscription survives the device's reconnects. */
  subscribe(deviceId: string): Subscription;
  /** Stops listening to `deviceId`. */
  unsubscribe(deviceId: string): void;
  /** Hands `payload` to the device as `{type: "message", payload, timestamp}` (002 Step 5). */
  send(deviceId: string, payload: JsonObject): SendOutcome;
  /** Calls `listener` with each message of a subscribed device; returns a function that removes it. */
  onMessage(listener: (message: DeviceMessage) => void): () => void;
  /** Calls `listener` when a subscribed device registers or its connection closes; returns a function that removes it. */
  onPresence(listener: (event: PresenceEvent) => void): () => void;
  /** The registered devices, as `list_devices` reports them. */
  devices(): DeviceInfo[];
  /** Drops every subscription; idempotent. */
  close(): void;
}
