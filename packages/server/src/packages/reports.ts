import { ChunkBitmap } from '@fleetkit/chunked';
import * as v from 'valibot';
import { base64Problem, decodeBase64 } from './base64.ts';
import type { DevicePackage } from './device-store.ts';
import type { OperationPayload } from './operations.ts';
import type { Refused } from './refusal.ts';

/** A device's acknowledgement of the chunks it verified and stored (`POST …/chunks`). */
export const acknowledgement = v.object({
  /** The assembler's received-chunks bitmap (chunked `Assembler.bitmap()`), base64. */
  bitmap: v.optional(v.pipe(v.string(), v.maxLength(4 << 20))),
  ranges: v.optional(
    v.pipe(
      v.array(
        v.object({
          start: v.pipe(v.number(), v.integer(), v.minValue(0)),
          end: v.pipe(v.number(), v.integer(), v.minValue(0)),
        }),
      ),
      v.maxLength(100_000),
    ),
  ),
});

/** Statuses a device reports about its package operation (the 2.x package-operation-notification's). */
export const REPORTED = [
  'transmitted',
  'installed',
  'upgraded',
  'uninstalled',
  'not-installed',
  'transmit-failed',
  'install-failed',
  'upgrade-failed',
  'uninstall-failed',
  'unsupported-package',
  'dependency-failure',
] as const;

/** A package name a device's request names. */
const packageName = v.pipe(v.string(), v.minLength(1), v.maxLength(64));

/** A device's inventory after a start (`POST …/packages`): what it runs. */
export const inventory = v.object({
  packages: v.pipe(
    v.array(
      v.object({
        name: v.optional(packageName),
        'package-name': v.optional(packageName),
        version: v.optional(packageName),
      }),
    ),
    v.maxLength(10_000),
  ),
});

/** A device's report of its package operation (`POST …/status`). */
export const report = v.object({
  'package-status': v.picklist(REPORTED),
  /** The version the device runs: required when it reports again after the restart an install needed. */
  version: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
  /** The install is done but takes effect after a restart: it is confirmed by the report after it. */
  reboot: v.optional(v.boolean()),
  message: v.optional(v.pipe(v.string(), v.maxLength(1024))),
});

/** What each operation's success is called, and the statuses that end it successfully. */
export const SUCCESS: Readonly<Record<OperationPayload['operation'], readonly string[]>> = {
  install: ['installed'],
  upgrade: ['upgraded', 'installed'],
  uninstall: ['uninstalled', 'not-installed'],
  transmit: ['transmitted'],
};

/** The detail of an ack about a package: its name first. */
export function detail(payload: OperationPayload, more: Record<string, unknown>): Record<string, unknown> {
  return { 'package-name': payload['package-name'], ...more };
}

/** Merges a device's acknowledgement into the chunks it acknowledged before; a string says what is wrong. */
export function merged(
  row: DevicePackage,
  total: number,
  body: v.InferOutput<typeof acknowledgement>,
): ChunkBitmap | string {
  const bits = new ChunkBitmap(total, row.bitmap?.length === Math.ceil(total / 8) ? row.bitmap : undefined);
  if (body.bitmap !== undefined) {
    const bad = base64Problem(body.bitmap);
    if (bad !== undefined) return `bitmap: ${bad}`;
    const bytes = decodeBase64(body.bitmap);
    let given: ChunkBitmap;
    try {
      given = new ChunkBitmap(total, bytes);
    } catch {
      return `bitmap: expected ${Math.ceil(total / 8)} bytes with no bit past chunk ${total - 1}`;
    }
    for (let i = 0; i < total; i++) if (given.has(i)) bits.set(i);
  }
  for (const range of body.ranges ?? []) {
    if (range.start > range.end || range.end > total)
      return `ranges: ${range.start}..${range.end} is not within 0..${total}`;
    for (let i = range.start; i < range.end; i++) bits.set(i);
  }
  return bits;
}

/** The ack a device's report makes. */
export interface ReportAck {
  readonly status: 'progress' | 'complete' | 'device-error';
  readonly detail: Record<string, unknown>;
  /** The operation's status to record while it goes on. */
  readonly mark?: string;
}

/**
 * What a device runs after the restart an install needed decides it: the
 * package's version confirms it, anything else (another version, or the
 * package missing) fails it.
 */
export function afterRestart(
  payload: OperationPayload,
  running: { readonly version?: string | undefined } | undefined,
): ReportAck {
  const done = payload.operation === 'upgrade' ? 'upgraded' : 'installed';
  if (running?.version === payload.version) {
    return {
      status: 'complete',
      detail: detail(payload, { 'package-status': done, confirmed: true, version: running.version }),
    };
  }
  const reason =
    running === undefined
      ? `the device restarted without ${payload['package-name']}`
      : `the device restarted on version ${running.version ?? '(none)'}, not ${payload.version}`;
  return {
    status: 'device-error',
    detail: detail(payload, {
      'package-status': `${payload.operation}-failed`,
      reason,
      ...(running?.version === undefined ? {} : { version: running.version }),
    }),
  };
}

function refuse(status: number, code: string, message: string): Refused {
  return { refused: { status, code, message } };
}

/** A device's report of its operation as the ack it makes, or the refusal to answer. */
export function ackOfReport(
  payload: OperationPayload,
  row: DevicePackage | undefined,
  body: v.InferOutput<typeof report>,
): ReportAck | Refused {
  const status = body['package-status'];
  const message = body.message === undefined ? {} : { reason: body.message };
  const succeeded = SUCCESS[payload.operation].includes(status);
  if (
    !succeeded &&
    status.endsWith('-failed') === false &&
    status !== 'unsupported-package' &&
    status !== 'dependency-failure'
  ) {
    if (status === 'transmitted' && payload.operation !== 'uninstall') {
      return { status: 'progress', detail: detail(payload, { 'package-status': 'transmitted' }), mark: 'transmitted' };
    }
    return refuse(409, 'wrong-status', `${status} does not answer a ${payload.operation} operation`);
  }
  if (!succeeded) return { status: 'device-error', detail: detail(payload, { 'package-status': status, ...message }) };
  const awaitingRestart = row?.opReboot === true;
  if (awaitingRestart) {
    // the report after the restart: confirmed only if the device runs the new version
    if (body.version === undefined) {
      return refuse(400, 'version-required', 'Report the version running after the restart');
    }
    return afterRestart(payload, { version: body.version });
  }
  if (body.reboot === true && (payload.operation === 'install' || payload.operation === 'upgrade')) {
    return {
      status: 'progress',
      detail: detail(payload, { 'package-status': status, confirmed: false, reboot: true, ...message }),
      mark: status,
    };
  }
  return {
    status: 'complete',
    detail: detail(payload, {
      'package-status': status,
      confirmed: true,
      ...(body.version === undefined ? {} : { version: body.version }),
    }),
  };
}
