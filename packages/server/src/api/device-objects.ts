import type { DeviceReport } from '../store/device-keys.ts';
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

/** Pseudo-attributes read from the device's last telemetry report (the Xyte device API's Send Telemetry). */
const REPORTED: Readonly<Record<string, (report: DeviceReport) => unknown>> = {
  'reported-status': (report) => report.status,
  'reported-message': (report) => report.message,
  'reported-at': (report) => (report.reportedAt === undefined ? undefined : new Date(report.reportedAt).toISOString()),
  'reported-firmware-version': (report) => report.firmwareVersion,
};
/** `telemetry:<name>`: one value of the report's `telemetries`, as the device sent it. */
const TELEMETRY = 'telemetry:';

/** Whether any of `names` is read from the device's last report, so the caller must read it. */
export function namesReport(names: readonly string[]): boolean {
  return names.some((name) => Object.hasOwn(REPORTED, name) || name.startsWith(TELEMETRY));
}

/**
 * One named value of a device for lookup-device-attributes: the pseudo-attribute
 * is-connected, a value of its last report (`reported-…`, `telemetry:<name>`),
 * a 1.x field or a 2.x attribute.
 */
function attributeValue(device: Device, name: string, now: number, report: DeviceReport | undefined): unknown {
  if (name === 'is-connected') return String(isConnected(device, now));
  if (report !== undefined) {
    if (Object.hasOwn(REPORTED, name)) return REPORTED[name]!(report);
    if (name.startsWith(TELEMETRY)) {
      const key = name.slice(TELEMETRY.length);
      return Object.hasOwn(report.telemetries, key) ? report.telemetries[key] : undefined;
    }
  }
  if (SECRET_PROPERTIES.has(name)) return undefined;
  const object = deviceObject(device);
  if (name !== 'attributes' && object[name] !== undefined) return object[name];
  return Object.hasOwn(device.attributes, name) ? device.attributes[name] : undefined;
}

/** The named values a device has, as name/val pairs; `report` is its last report when any name reads it. */
export function attributeList(
  device: Device,
  names: readonly string[],
  now: number,
  report?: DeviceReport,
): { name: string; val: unknown }[] {
  const list: { name: string; val: unknown }[] = [];
  for (const name of names) {
    const val = attributeValue(device, name, now, report);
    if (val !== undefined) list.push({ name, val });
  }
  return list;
}
