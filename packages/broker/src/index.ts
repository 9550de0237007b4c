export type { BrokerStats, DeviceInfo } from './_internal/hub.ts';
export type {
  BrokerOptions,
  DeviceAuthorization,
  DeviceAuthorizer,
  ResolvedOptions,
  SlowConsumerPolicy,
} from './_internal/options.ts';
export type { BrokerMount, BrokerServer, ListenOptions, MountOptions } from './adapters/server.ts';
export { Broker, type ShutdownKind } from './broker.ts';
export { type BackoffOptions, reconnectDelay } from './client/backoff.ts';
export {
  type BrokerErrorFrame,
  connectDevice,
  DeviceClient,
  type DeviceClientOptions,
  type DeviceClientState,
  type StateDetail,
} from './client/device-client.ts';
export { type ClientSocket, globalSocket, type SocketFactory } from './client/socket.ts';
export {
  type AcceptRequest,
  apiKeyOf,
  type Connection,
  type Endpoint,
  endpointOf,
  type Session,
} from './connection.ts';
export type {
  BrokerControl,
  DeviceConnected,
  DeviceDisconnected,
  DeviceMessage,
  PresenceEvent,
  SendOutcome,
  SendRefusalCode,
  Subscription,
} from './control.ts';
export { BrokerError, BrokerErrorCode } from './errors.ts';
export { KeyRing } from './keys.ts';
export { CloseCode, RECONNECT_CODES } from './protocol/close-codes.ts';
export { isDeviceId } from './protocol/device-id.ts';
export { OutFrame } from './protocol/frame.ts';
export { isJsonObject, type JsonObject } from './protocol/messages.ts';
export { WireError, type WireErrorCode } from './protocol/wire-errors.ts';
