import * as v from 'valibot';
import type { DeviceProperties } from '../store/devices.ts';
import { account, notificationUrl } from './params.ts';

/** Control characters, and UTF-16 halves without their pair, which PostgreSQL text and txqueue names refuse. */
const UNSAFE = /[\p{Cc}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

/**
 * A device, group or device-type id: exodm_type.yang `id-string` (1..64
 * characters), without control characters or unpaired surrogates.
 */
export const objectId = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(64),
  v.check((id) => !UNSAFE.test(id), 'an id without control characters'),
);

/** One or more ids: a JSON array (a YANG leaf-list) or a single string, without repeats. */
export const objectIds = v.pipe(
  v.union([objectId, v.array(objectId)]),
  v.transform((ids) => [...new Set(Array.isArray(ids) ? ids : [ids])]),
);

const MAX_UINT64 = 18_446_744_073_709_551_615n;

/** exodm_device.yang `uint64` keys: a JSON number up to 2^53 or decimal text up to 2^64-1, kept as text. */
const uint64 = v.pipe(
  v.union([
    v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER)),
    v.pipe(v.string(), v.regex(/^(0|[1-9][0-9]{0,19})$/, 'a decimal uint64')),
  ]),
  v.transform((value) => String(value)),
  v.check((text) => BigInt(text) <= MAX_UINT64, 'a uint64 (at most 18446744073709551615)'),
);

/** exodm_device.yang `decimal64 { fraction-digits 6; range "-limit..limit"; }`, as a number or decimal text. */
function coordinate(limit: number) {
  return v.pipe(
    v.union([v.number(), v.pipe(v.string(), v.regex(/^-?[0-9]{1,3}(\.[0-9]{1,6})?$/, 'a decimal number'))]),
    v.transform(Number),
    v.minValue(-limit),
    v.maxValue(limit),
    v.check((value) => Number(value.toFixed(6)) === value, 'at most 6 fraction digits'),
  );
}

const shortText = v.pipe(v.string(), v.maxLength(64));

/** The 1.x device-object fields (docs/sources.md, the real exodm server item 1 `create-device`). */
const propertyParams = {
  'server-key': v.optional(uint64),
  'device-key': v.optional(uint64),
  'session-timeout': v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(43_200))),
  msisdn: v.optional(shortText),
  imsi: v.optional(shortText),
  imei: v.optional(shortText),
  latitude: v.optional(coordinate(90)),
  longitude: v.optional(coordinate(180)),
};
export const PROPERTY_NAMES = Object.keys(propertyParams) as (keyof DeviceProperties)[];

export const deviceParams = {
  account,
  'device-id': objectId,
  description: v.optional(v.pipe(v.string(), v.maxLength(1024))),
  'notification-url': v.optional(notificationUrl),
  ...propertyParams,
  // 2.x: anyxml shaped by the device type's YANG container (manual §5.5)
  attributes: v.optional(
    v.custom<Record<string, unknown>>(
      (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
      'Invalid type: Expected a JSON object',
    ),
  ),
};

type PropertyInput = { readonly [K in keyof DeviceProperties]?: DeviceProperties[K] | undefined };

export function propertiesOf(given: PropertyInput, base: DeviceProperties = {}): DeviceProperties {
  const properties: Record<string, unknown> = { ...base };
  for (const name of PROPERTY_NAMES) if (given[name] !== undefined) properties[name] = given[name];
  return properties as DeviceProperties;
}
