/** Why a value does not fit its type. */
export interface TypeFailure {
  readonly fail: true;
  readonly kind: 'type' | 'range' | 'length' | 'pattern' | 'enum' | 'identity';
  readonly expected: string;
  readonly message?: string;
}

/**
 * Checks one RFC 7951 JSON value; returns its canonical string (the XPath
 * string-value) or a failure. With `canonical` false a success may return
 * any string: callers that keep no data node skip building it.
 */
export type ValueCheck = (value: unknown, canonical?: boolean) => string | TypeFailure;

/** A failure result. */
export function failure(kind: TypeFailure['kind'], expected: string, message?: string): TypeFailure {
  return message === undefined ? { fail: true, kind, expected } : { fail: true, kind, expected, message };
}
