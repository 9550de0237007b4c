import type { ServerContext } from '../context.ts';
import { ServerError, ServerErrorCode } from '../errors.ts';
import { LoginThrottle } from '../login-throttle.ts';
import { DeviceEngine } from './engine.ts';
import { TokenBuckets } from './rate-limit.ts';

/** Options of the device protocol plugins (`openServer({ devices })`); docs/server.md §Devices lists them. */
export interface DeviceOptions {
  /** Calls a device may make at once (per-device token bucket). Default 30. */
  readonly rateBurst?: number;
  /** Calls a second a device may keep up; beyond it, 429. Default 5. */
  readonly ratePerSecond?: number;
  /** The `hub_url` a registration answers. Default: the origin the registration request was sent to. */
  readonly hubUrl?: string;
  /** Longest wait of an `exoport:get-messages` long poll, in ms. Default 60 000. */
  readonly maxPollMs?: number;
  /** Keys of outside `/control` connections to the server's broker. Default: one random key nobody knows. */
  readonly brokerControlKeys?: readonly string[];
  /** The broker's WebSocket ping interval in ms; 0 turns it off. Default 30 000. */
  readonly brokerHeartbeatMs?: number;
  /**
   * How long a device's `last_seen` (the `is-connected` attribute) stands before a call writes it again, in
   * ms; 0 writes it on every call. Default 1000, at most 60 000: `is-connected` is accurate to this interval.
   */
  readonly lastSeenWriteMs?: number;
}

/** {@link DeviceOptions} with every default filled in. */
export interface ResolvedDeviceOptions {
  readonly rateBurst: number;
  readonly ratePerSecond: number;
  readonly hubUrl: string | undefined;
  readonly maxPollMs: number;
  readonly brokerControlKeys: readonly string[] | undefined;
  readonly brokerHeartbeatMs: number;
  readonly lastSeenWriteMs: number;
}

function count(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
  const expected = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  throw new ServerError(ServerErrorCode.InvalidOption, `Cannot start as devices.${name} must be ${expected}`, {
    details: { path: `devices.${name}`, expected, got: value },
  });
}

/** Checks the options and fills in the defaults; throws `invalid-option` naming the field. */
export function resolveDeviceOptions(options: DeviceOptions = {}): ResolvedDeviceOptions {
  if (options.hubUrl !== undefined && !/^https?:\/\//i.test(options.hubUrl)) {
    throw new ServerError(ServerErrorCode.InvalidOption, 'Cannot start as devices.hubUrl must be an http(s) URL', {
      details: { path: 'devices.hubUrl', expected: 'an http(s) URL', got: options.hubUrl },
    });
  }
  const keys = options.brokerControlKeys;
  if (keys !== undefined && (keys.length === 0 || !keys.every((key) => typeof key === 'string' && key !== ''))) {
    throw new ServerError(
      ServerErrorCode.InvalidOption,
      'Cannot start as devices.brokerControlKeys must hold at least one non-empty key',
      { details: { path: 'devices.brokerControlKeys', expected: 'non-empty strings', got: keys } },
    );
  }
  return {
    rateBurst: count('rateBurst', options.rateBurst, 30, 1),
    ratePerSecond: count('ratePerSecond', options.ratePerSecond, 5, 1),
    hubUrl: options.hubUrl?.replace(/\/+$/, ''),
    maxPollMs: count('maxPollMs', options.maxPollMs, 60_000, 0),
    brokerControlKeys: options.brokerControlKeys,
    brokerHeartbeatMs: count('brokerHeartbeatMs', options.brokerHeartbeatMs, 30_000, 0),
    // longer would leave is-connected wrong for too long around a session timeout
    lastSeenWriteMs: count('lastSeenWriteMs', options.lastSeenWriteMs, 1000, 0, 60_000),
  };
}

/** What every plugin shares: the server, the engine, the per-device rate limit and the registration throttle. */
export interface DeviceRuntime {
  readonly server: ServerContext;
  readonly engine: DeviceEngine;
  readonly options: ResolvedDeviceOptions;
  /** Per-device call budget (key: the device's queue name). */
  readonly limits: TokenBuckets;
  /** Slows repeated refused registrations per account and per source address. */
  readonly registrations: LoginThrottle;
}

/** The runtime the plugins share. */
export function deviceRuntime(server: ServerContext, options: ResolvedDeviceOptions): DeviceRuntime {
  return {
    server,
    engine: new DeviceEngine(server, { lastSeenWriteMs: options.lastSeenWriteMs }),
    options,
    limits: new TokenBuckets({ clock: server.clock, burst: options.rateBurst, perSecond: options.ratePerSecond }),
    registrations: new LoginThrottle({ clock: server.clock }),
  };
}
