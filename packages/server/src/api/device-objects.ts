import { type Device, isConnected } from '../store/devices.ts';
import { PROPERTY_NAMES } from './device-params.ts';

/** Device keys are credentials: stored for 1.x callers, never read back (the real server hid them from lookup-device). */
const SECRET_PROPERTIES = new Set<string>(['server-key', 'device-key']);

/** The device object of lookup-device and list-devices: the 1.x fields plus the 2.x attributes. */
export function deviceObject(device: Device): Record<string, unknown> {
  const object: Record<string, unknown> = { 'device-id': device.deviceId, 'device-type': device.deviceType };
  if (device.description !== undefined) object.description = device.description;
  if (device.notificationUrl !== undefined) object['notification-url'] = device.notificationUrl;
  object['session-timeout'] = device.properties['session-timeout'] ?? 0;
  for (const name of PROPERTY_NAMES) {
    const value = device.properties[name];
    if (value !== undefined && !SECRET_PROPERTIES.has(name)) object[name] = value;
  }
  if (Object.keys(device.attributes).length > 0) object.attributes = device.attributes;
  return object;
}

/** One named value of a device for lookup-device-attributes: a 1.x field, a 2.x attribute or is-connected. */
function attributeValue(device: Device, name: string, now: number): unknown {
  if (name === 'is-connected') return String(isConnected(device, now));
  if (SECRET_PROPERTIES.has(name)) return undefined;
  const object = deviceObject(device);
  if (name !== 'attributes' && object[name] !== undefined) return object[name];
  return Object.hasOwn(device.attributes, name) ? device.attributes[name] : undefined;
}

export function attributeList(device: Device, names: readonly string[], now: number): { name: string; val: unknown }[] {
  const list: { name: string; val: unknown }[] = [];
  for (const name of names) {
    const val = attributeValue(device, name, now);
    if (val !== undefined) list.push({ name, val });
  }
  return list;
}
