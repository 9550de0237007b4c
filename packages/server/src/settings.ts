import type { ServerSettings } from './context.ts';
import { ServerError, ServerErrorCode } from './errors.ts';

/** The defaults of every setting (docs/server.md explains each). */
export const DEFAULT_SETTINGS: ServerSettings = {
  maxBodyBytes: 1 << 20,
  maxModuleBytes: 100_000,
  defaultTimeoutMs: 604_800_000,
  callbacksToGroupUrls: false,
  callbackTimeoutMs: 10_000,
  callbackMaxReplyBytes: 64 * 1024,
  callbackRetryMs: 1_000,
  callbackRetryMaxMs: 300_000,
  destinationsAllow: [],
  // link-local addresses hold cloud metadata services (169.254.169.254) on every major cloud
  destinationsDeny: ['169.254.0.0/16', 'fe80::/10'],
  deviceRpcTimeoutMs: 30_000,
};

/** Merges an operator's settings over the defaults, refusing values out of range. */
export function resolveSettings(given: Partial<ServerSettings> = {}): ServerSettings {
  const settings = { ...DEFAULT_SETTINGS, ...given };
  for (const [key, value] of Object.entries(settings)) {
    if (typeof value === 'number' && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new ServerError(ServerErrorCode.InvalidOption, `Cannot start as ${key} must be a non-negative integer`, {
        details: { path: key, expected: 'a non-negative integer', got: value },
      });
    }
  }
  return settings;
}
