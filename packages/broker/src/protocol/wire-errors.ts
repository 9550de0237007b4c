/**
 * The `error` frames of both endpoints: a stable `code` for programs and the
 * `error` text for people. The first three texts are 002's "Common errors",
 * verbatim; the others are ours (docs/broker.md §Errors).
 */
export const WireError = {
  MissingDeviceId: { code: 'missing-device-id', text: 'Missing or invalid deviceId' },
  InvalidDeviceId: { code: 'invalid-device-id', text: 'Invalid deviceId format' },
  NotRegistered: { code: 'device-not-registered', text: 'Device not registered' },
  InvalidJson: { code: 'invalid-json', text: 'Invalid JSON' },
  InvalidMessage: { code: 'invalid-message', text: 'Message must be a JSON object with a string "type"' },
  UnknownType: { code: 'unknown-type', text: 'Unknown message type' },
  InvalidPayload: { code: 'invalid-payload', text: 'Invalid payload: expected a JSON object' },
  InvalidMetadata: { code: 'invalid-metadata', text: 'Invalid metadata: expected a JSON object' },
  MessageTooLarge: { code: 'message-too-large', text: 'Message too large' },
  AlreadyRegistered: { code: 'already-registered', text: 'Connection already registered with another deviceId' },
  InvalidApiKey: { code: 'invalid-api-key', text: 'Invalid or missing API key' },
  DeviceNotAuthorized: { code: 'device-not-authorized', text: 'API key not authorized for this deviceId' },
  RegistrationTimeout: { code: 'registration-timeout', text: 'No register message within one heartbeat interval' },
  DeviceNotConnected: { code: 'device-not-connected', text: 'Device not connected' },
  InvalidRequestId: {
    code: 'invalid-request-id',
    text: 'Invalid requestId: expected a string of at most 128 characters',
  },
} as const;
export type WireError = (typeof WireError)[keyof typeof WireError];
/** The `code` field of an `error` frame. */
export type WireErrorCode = WireError['code'];
