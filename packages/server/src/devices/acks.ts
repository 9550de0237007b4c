import type { AckOutcome, AckStatus, Transaction } from '@fleetkit/txqueue';
import { REJECTION_STATUS } from './engine.ts';
import { problem } from './replies.ts';

/** The exosense `rpc-status` a device reports (name or number, exosense.yang status-code) as an ack status. */
export function statusOfRpcStatus(value: unknown, final: boolean): AckStatus | undefined {
  const names = [
    'accepted',
    'complete',
    'time-out',
    'device-connected',
    'device-unknown',
    'device-error',
    'format-error',
    'value-error',
    'cancelled',
  ];
  const name =
    typeof value === 'number'
      ? names[value]
      : typeof value === 'string' && /^\d+$/.test(value)
        ? names[Number(value)]
        : value;
  switch (name) {
    case 'accepted':
    case 'device-connected':
      return final ? undefined : 'progress';
    case 'complete':
    case 'cancelled':
    case 'device-unknown':
    case 'device-error':
    case 'format-error':
    case 'value-error':
      return final ? name : 'progress';
    // a device cannot time out the server's transaction; it reports that it failed
    case 'time-out':
      return final ? 'device-error' : 'progress';
    default:
      return undefined;
  }
}

/** The Xyte-style status of a transaction (docs/sources.md, the Xyte device API Get/Update Command). */
export function xyteStatus(transaction: Transaction): string {
  switch (transaction.state) {
    case 'queued':
    case 'delivered':
      return 'pending';
    case 'in-progress':
    case 'cancelling':
      return 'in_progress';
    case 'complete':
      return 'done';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'failed';
  }
}

/** The HTTP answer to a refused ack: its status from the shared table, the reason as the error code. */
export function rejected(outcome: AckOutcome & { readonly outcome: 'rejected' }, transactionId: number): Response {
  return problem(
    REJECTION_STATUS[outcome.reason],
    outcome.reason,
    `Cannot acknowledge transaction ${transactionId}: ${outcome.reason}`,
  );
}

/** A command id as the Xyte API carries it: `<transaction>.<attempt>`, or a bare transaction id (current attempt). */
export function parseCommandId(
  value: unknown,
): { readonly transactionId: number; readonly attempt?: number } | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  const match = /^(\d{1,15})(?:\.(\d{1,9}))?$/.exec(text);
  if (match === null) return undefined;
  const transactionId = Number(match[1]);
  return match[2] === undefined ? { transactionId } : { transactionId, attempt: Number(match[2]) };
}

/** The command id of a delivery: transaction and attempt, so an ack names the delivery it answers. */
export function commandId(transactionId: number, attempt: number): string {
  return `${transactionId}.${attempt}`;
}
