import { WireError } from './wire-errors.ts';

// 002 Step 3: "alphanumeric, hyphens, underscores, max 64 chars"
const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether `id` is a deviceId 002 accepts: letters, digits, `-`, `_`, 1 to 64 characters. */
export function isDeviceId(id: string): boolean {
  return DEVICE_ID.test(id);
}

/** The wire error for a `deviceId` field, or undefined when it is valid. */
export function deviceIdError(value: unknown): WireError | undefined {
  if (typeof value !== 'string' || value === '') return WireError.MissingDeviceId;
  return DEVICE_ID.test(value) ? undefined : WireError.InvalidDeviceId;
}
