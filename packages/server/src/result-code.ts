/**
 * The real server's `result-code` enum (exodm_type.yang, reference shapes in
 * docs/server.md): business outcomes come back inside a successful JSON-RPC
 * result as `{"result": "<code>"}`, never as a JSON-RPC error.
 */
export const ResultCode = {
  Ok: 'ok',
  PermissionDenied: 'permission-denied',
  ValidationFailed: 'validation-failed',
  ObjectExists: 'object-exists',
  ObjectNotFound: 'object-not-found',
  DeviceNotFound: 'device-not-found',
  ObjectNotEmpty: 'object-not-empty',
  AccountNotSpecified: 'account-not-specified',
  IllegalName: 'illegal-name',
  MissingOption: 'missing-option',
} as const;
export type ResultCode = (typeof ResultCode)[keyof typeof ResultCode];

const codes = new Set<string>(Object.values(ResultCode));

/** True for a value of the `result-code` enum. */
export function isResultCode(value: unknown): value is ResultCode {
  return typeof value === 'string' && codes.has(value);
}

/**
 * A business outcome other than `ok`, thrown by a handler and turned into the
 * result `{"result": code, "reason": …}` by the outcome middleware, so that
 * handlers read straight-line and the wire shape is decided in one place.
 */
export class Outcome extends Error {
  readonly result: Exclude<ResultCode, 'ok'>;
  /** Which param or object the outcome is about, for the caller's log. */
  readonly reason: string;

  constructor(result: Exclude<ResultCode, 'ok'>, reason: string) {
    super(`${result}: ${reason}`);
    this.result = result;
    this.reason = reason;
  }

  toResult(): { readonly result: ResultCode; readonly reason: string } {
    return { result: this.result, reason: this.reason };
  }
}

/** Shorthand for `throw new Outcome(...)` in expression position. */
export function fail(result: Exclude<ResultCode, 'ok'>, reason: string): never {
  throw new Outcome(result, reason);
}
