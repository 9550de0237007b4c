/**
 * A device's package request refused: the HTTP status and code the
 * `fleetkit-http` routes answer with (`{error: code, message}`), which the
 * broker's `package-error` message carries as they are.
 */
export interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** Where a request of the wrong shape is wrong: `{path, message}` pairs. */
  readonly issues?: readonly { readonly path: string; readonly message: string }[];
}

/** The answer a refused request gets instead of its value. */
export interface Refused {
  readonly refused: Refusal;
}
