import type { StatusCode } from './status.ts';
import type { TxEvent } from './types.ts';

/** exosense.yang `grouping std-callback`: the params of a callback notification. */
export interface StdCallback {
  readonly 'transaction-id': number;
  readonly 'rpc-status': StatusCode;
  readonly 'rpc-status-string': string;
  readonly final: boolean;
}

/**
 * The `std-callback` params of an event, ready to POST as the JSON-RPC
 * notification `<module>:<rpc>-callback` (reference/exodm.md §2).
 */
export function toCallback(event: TxEvent): StdCallback {
  return {
    'transaction-id': event.transactionId,
    'rpc-status': event.status,
    'rpc-status-string': event.statusString,
    final: event.final,
  };
}
