import type { StatusCode } from './status.ts';
import type { TxEvent } from './types.ts';

/**
 * exosense.yang `grouping std-callback` (the params of a callback
 * notification), plus whom it is about: transaction ids are per device (and
 * per group), so `transaction-id` alone names no transaction to a backend.
 */
export interface StdCallback {
  readonly 'transaction-id': number;
  /** The group of a group transaction's callback. */
  readonly 'group-id'?: string;
  /** The device of a device transaction's callback, or the member device of a group's `member` event. */
  readonly 'device-id'?: string;
  readonly 'rpc-status': StatusCode;
  readonly 'rpc-status-string': string;
  readonly final: boolean;
}

/**
 * The params of an event's callback notification, ready to POST as the
 * JSON-RPC notification the event's `tag` names (`<module>:<rpc>-callback`,
 * docs/sources.md, the real exodm server item 2). A device transaction's callback has `device-id`; a
 * group transaction's has `group-id`, and its `member` events (manual §5.8:
 * one per member device) also `device-id`, the member, with the member's
 * status and `final: false` (the group's own final callback comes last).
 */
export function toCallback(event: TxEvent): StdCallback {
  const callback: { -readonly [K in keyof StdCallback]?: StdCallback[K] } = {
    'transaction-id': event.transactionId,
  };
  if ('group' in event.target) callback['group-id'] = event.target.group;
  const device = 'device' in event.target ? event.target.device : event.member?.device;
  if (device !== undefined) callback['device-id'] = device;
  callback['rpc-status'] = event.status;
  callback['rpc-status-string'] = event.statusString;
  callback.final = event.final;
  return callback as StdCallback;
}
