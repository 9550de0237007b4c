/**
 * The leaves of exosense's `std-request` grouping that the server itself
 * acts on (docs/sources.md, the real exodm server item 2, §3): whom a device request is for, how
 * long it may wait, where its callbacks go and the caller's own id.
 */
export const STD_REQUEST_LEAVES = ['device-id', 'timeout', 'notification-url', 'transaction-id'] as const;

/** Milliseconds per unit of a timer's `{in …}` form (kvdb_cron's units of fixed length). */
const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

/**
 * An exosense `timer` as a timeout in milliseconds: a non-negative integer
 * (JSON number or decimal text) means milliseconds, `{in 30 sec}` or
 * `{in 1 hr, 30 min}` a sum of steps (kvdb_cron's relative form). Units of
 * no fixed length (months, years) and absolute `{at …}` times are refused:
 * a transaction's deadline is a duration. Undefined when unreadable.
 */
export function timerMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return checked(Number(text));
  const relative = /^\{\s*in\s+(.+?)\s*\}$/i.exec(text);
  if (relative === null) return undefined;
  let total = 0;
  for (const step of relative[1]!.split(',')) {
    const parts = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(step);
    if (parts === null) return undefined;
    const unit = parts[2]!.toLowerCase();
    const scale = unit === '' ? 1 : UNITS[unit];
    if (scale === undefined) return undefined;
    total += Number(parts[1]) * scale;
  }
  return checked(total);
}

function checked(ms: number): number | undefined {
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** The device or group a request names: `device-id`, or the older key `dev-id` (docs/sources.md, the real exodm server item 3). */
export function requestTarget(params: Readonly<Record<string, unknown>>): unknown {
  return params['device-id'] ?? params['dev-id'];
}

/**
 * A caller's `transaction-id` as the queue's client id: exosense's
 * `transaction-id` is a uint64, sent as a JSON number or (RFC 7951) as text.
 */
export function clientIdOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return value;
  return undefined;
}

/**
 * The immediate answer to a queued device request, exactly as the real
 * server's `accept_response` (docs/sources.md, the real exodm server item 1 example: the transaction id is a
 * string, as RFC 7951 encodes a uint64).
 */
export function acceptedReceipt(transactionId: string): {
  readonly 'transaction-id': string;
  readonly 'rpc-status': 'accepted';
  readonly 'rpc-status-string': string;
  readonly final: false;
} {
  return {
    'transaction-id': transactionId,
    'rpc-status': 'accepted',
    'rpc-status-string': 'Operation has been accepted and is in progress.',
    final: false,
  };
}
