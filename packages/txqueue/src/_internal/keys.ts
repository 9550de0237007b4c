import type { Target } from '../types.ts';

/** Storage key of a target: devices and groups have separate id spaces. */
export function targetKey(target: Target): string {
  return 'device' in target ? `d:${target.device}` : `g:${target.group}`;
}

export function deviceKey(device: string): string {
  return `d:${device}`;
}

export function groupKey(group: string): string {
  return `g:${group}`;
}

/** The target a storage key names. */
export function parseTargetKey(key: string): Target {
  return key.startsWith('g:') ? { group: key.slice(2) } : { device: key.slice(2) };
}
