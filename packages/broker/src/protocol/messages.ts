import type { WireError } from './wire-errors.ts';

/** A JSON object as the wire carries it (payloads and metadata). */
export type JsonObject = { readonly [key: string]: unknown };

/** Whether `value` is a JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** 002 Step 2: the first frame on `/devices`. */
export function deviceWelcome(timestamp: string): object {
  return {
    type: 'welcome',
    message: 'Connected to device endpoint. Send register message with deviceId.',
    timestamp,
  };
}

/** docs/sources.md, the machine broker's control side: the first frame on `/control`, carrying the connection's id. */
export function controlWelcome(connectionId: string, timestamp: string): object {
  return {
    type: 'welcome',
    connectionId,
    message: 'Connected to control endpoint. Send list_devices, subscribe, unsubscribe or message.',
    timestamp,
  };
}

/** 002 "Error Messages": `{type, error, timestamp}`, plus our stable `code` and the detail, if any. */
export function errorFrame(error: WireError, timestamp: string, detail?: string, requestId?: string): object {
  return {
    type: 'error',
    code: error.code,
    error: detail === undefined ? error.text : `${error.text}: ${detail}`,
    ...(requestId === undefined ? {} : { requestId }),
    timestamp,
  };
}
