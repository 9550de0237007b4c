// Wire types of the JSON-RPC 2.0 specification (https://www.jsonrpc.org/specification).

/** A request id (§4: string, number or null; absent means notification). */
export type JsonRpcId = string | number | null;

/** Structured params (§4.2): by position or by name. */
export type JsonRpcParams = readonly unknown[] | Readonly<Record<string, unknown>>;

/** A Request object (§4); without `id` it is a notification (§4.1). */
export interface JsonRpcRequest {
  readonly jsonrpc: '2.0';
  readonly method: string;
  readonly params?: JsonRpcParams;
  readonly id?: JsonRpcId;
}

/** The Error object of a response (§5.1). */
export interface JsonRpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** A Response object (§5): exactly one of `result` and `error`. */
export type JsonRpcResponse =
  | { readonly jsonrpc: '2.0'; readonly result: unknown; readonly id: JsonRpcId }
  | { readonly jsonrpc: '2.0'; readonly error: JsonRpcErrorObject; readonly id: JsonRpcId };

/** True for a value that may be a request id (§4). */
export function isJsonRpcId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** True when `value` is a well-formed Response object (§5, §5.1). */
export function isJsonRpcResponse(value: unknown): value is JsonRpcResponse {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const r = value as Record<string, unknown>;
  if (r.jsonrpc !== '2.0' || !('id' in r) || !isJsonRpcId(r.id)) return false;
  const hasResult = 'result' in r;
  const hasError = 'error' in r;
  if (hasResult === hasError) return false;
  if (hasResult) return true;
  const e = r.error;
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return false;
  const eo = e as Record<string, unknown>;
  return Number.isInteger(eo.code) && typeof eo.message === 'string';
}
