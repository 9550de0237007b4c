import { type TxEvent, type TxKind, toCallback } from '@fleetkit/txqueue';
import { splitQueueName } from '../context.ts';
import { addPackageStatus, PACKAGE_OPERATION_NOTIFICATION } from '../packages/notification.ts';

/** The RPC a transaction of a kind stands for when its enqueuer gave no tag (the 1.x names). */
const KIND_RPC: Readonly<Record<TxKind, string | undefined>> = {
  config: 'exodm:push-config-set',
  package: 'exodm:install-package',
  rpc: undefined,
};

/**
 * The JSON-RPC method of a transaction's callbacks: `<module>:<rpc>-callback`
 * (the real exodm server, docs/sources.md item 2: `exodm:push-config-set-callback`,
 * `test:echo-callback`). The RPC is the event's tag (the server's enqueuers
 * set it), else the `method` of an RPC transaction's payload, else the 1.x
 * RPC of the kind.
 */
export function callbackMethod(event: TxEvent, payload: unknown): string {
  if (event.kind === 'package') return PACKAGE_OPERATION_NOTIFICATION;
  const method =
    typeof payload === 'object' && payload !== null && 'method' in payload && typeof payload.method === 'string'
      ? payload.method
      : undefined;
  return `${event.tag ?? method ?? KIND_RPC[event.kind] ?? `exodm:${event.kind}`}-callback`;
}

/**
 * The `transaction-id` a callback carries: the one the request's receipt
 * gave, so the caller's own id when it sent one (the queue's client id, a
 * uint64 as digits), else the queue's. A number, as in the 1.x callback
 * example, unless it is too large for one.
 */
function transactionId(event: TxEvent): number | string {
  if (event.clientId === undefined) return event.transactionId;
  const value = Number(event.clientId);
  return /^\d+$/.test(event.clientId) && Number.isSafeInteger(value) ? value : event.clientId;
}

/** What the device reported with this event: progress detail, or the result of a final (or member) ack. */
function reported(event: TxEvent): unknown {
  return event.type === 'progress' ? event.progress : event.result;
}

/**
 * The params of an event's callback: exosense.yang `std-callback`
 * (`transaction-id` as the receipt gave it, `rpc-status`, `rpc-status-string`, `final`), whom it is
 * about without the account prefix of txqueue names (`device-id`: the device,
 * a group transaction's member, or the group itself as a request names it in
 * `device-id`; `group-id` for a group transaction), then the fields the
 * device reported, as the 1.x server forwarded a device's callback elements.
 * The standard fields win over a device field of the same name; a reported
 * value that is not an object goes under `result`.
 */
export function callbackParams(event: TxEvent): Record<string, unknown> {
  const std = toCallback(event);
  const params: Record<string, unknown> = { 'transaction-id': transactionId(event) };
  const device = std['device-id'] ?? std['group-id'];
  if (device !== undefined) params['device-id'] = splitQueueName(device).id;
  if (std['group-id'] !== undefined) params['group-id'] = splitQueueName(std['group-id']).id;
  params['rpc-status'] = std['rpc-status'];
  params['rpc-status-string'] = std['rpc-status-string'];
  params.final = std.final;
  const detail = reported(event);
  if (typeof detail === 'object' && detail !== null && !Array.isArray(detail)) {
    for (const [key, value] of Object.entries(detail)) {
      // a JSON `__proto__` member would set the prototype, not a field
      if (key !== '__proto__' && !Object.hasOwn(params, key)) params[key] = value;
    }
  } else if (detail !== undefined) {
    params.result = detail;
  }
  addPackageStatus(event, params);
  return params;
}

/** The callback notification of an event as the text to POST: JSON-RPC 2.0 without an id. */
export function notificationText(event: TxEvent, payload: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', method: callbackMethod(event, payload), params: callbackParams(event) });
}
