// exosense.yang `typedef status-code` (docs/sources.md, the real exodm server item 2, manual §8.3):
// names, numeric values and descriptions exactly as in the YANG module.
/** The exosense.yang status codes, plus fleetkit's `cancelled` (value 8, not in exosense.yang). */
export const StatusCode = {
  accepted: 0,
  complete: 1,
  'time-out': 2,
  'device-connected': 3,
  'device-unknown': 4,
  'device-error': 5,
  'format-error': 6,
  'value-error': 7,
  cancelled: 8,
} as const;
export type StatusCode = keyof typeof StatusCode;

const descriptions: Readonly<Record<StatusCode, string>> = {
  accepted: 'Operation has been accepted and is in progress.',
  complete: 'The operation has completed successfully.',
  'time-out': 'Operation has timed out.',
  'device-connected': 'A connection has been established with the device addressed by the operation.',
  'device-unknown': 'The device-id provided with the operation is unknown.',
  'device-error': 'The device encountered an error when carrying out the operation. See device-status.',
  'format-error': 'The RPC had an incorrect element structure.',
  'value-error': 'The RPC had illegal values in one or more of its elements.',
  cancelled: 'The operation was cancelled.',
};

/** The `rpc-status-string` of a status code (its YANG description). */
export function statusString(status: StatusCode): string {
  return descriptions[status];
}

/** Failure codes a device may report in a final ack. */
export const failureStatuses = ['device-error', 'format-error', 'value-error', 'device-unknown'] as const;
export type FailureStatus = (typeof failureStatuses)[number];
