/**
 * WebSocket close codes the broker sends (002 "Connection Close Codes",
 * extended for the cases the guide leaves open; docs/broker.md §Close codes).
 */
export const CloseCode = {
  /** The peer closed on purpose. */
  Normal: 1000,
  /** 002: "Going away (server shutdown)". */
  GoingAway: 1001,
  /** A frame above the transport ceiling (`maxMessageBytes` × 16). */
  MessageTooBig: 1009,
  /** Bad or missing API key. */
  PolicyViolation: 1008,
  /** 002: "Server error": a handler failed unexpectedly. */
  ServerError: 1011,
  /** 002: "Service restart". */
  ServiceRestart: 1012,
  /** The subscriber read too slowly and its buffer passed the limit. */
  TryAgainLater: 1013,
  /** Another connection registered the same deviceId (002 Step 3, "previous connection is automatically closed"). */
  Replaced: 4000,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Codes after which a device reconnects (002 table: 1001, 1006, 1011, 1012;
 * 1000 "only if unintentional"; 1005 carries no code at all, and 1013 asks
 * for a later retry).
 */
export const RECONNECT_CODES: ReadonlySet<number> = new Set([1000, 1001, 1005, 1006, 1011, 1012, 1013]);
