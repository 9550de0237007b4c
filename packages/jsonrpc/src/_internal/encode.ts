// Responses are built as strings: the envelope is fixed text, so only the
// result and the id go through JSON.stringify (specification §5).
import { JsonRpcError, RpcCode, RpcMessage } from '../errors.ts';
import type { JsonRpcId } from '../protocol.ts';

export function idText(id: JsonRpcId): string {
  return typeof id === 'number' ? `${id}` : JSON.stringify(id);
}

/** A success response; `undefined` results are sent as `null` (§5: result is REQUIRED). */
export function resultText(result: unknown, id: JsonRpcId): string {
  // finite numbers print the same through String as through JSON.stringify, without the call
  const json = typeof result === 'number' && Number.isFinite(result) ? `${result}` : JSON.stringify(result);
  return `{"jsonrpc":"2.0","result":${json === undefined ? 'null' : json},"id":${idText(id)}}`;
}

export function errorText(code: number, message: string, id: JsonRpcId, data?: unknown): string {
  let dataJson: string | undefined;
  if (data !== undefined) {
    try {
      dataJson = JSON.stringify(data);
    } catch {
      dataJson = undefined; // data that cannot be serialised is dropped, the error still goes out
    }
  }
  const tail = dataJson === undefined ? '' : `,"data":${dataJson}`;
  return `{"jsonrpc":"2.0","error":{"code":${code},"message":${JSON.stringify(message)}${tail}},"id":${idText(id)}}`;
}

/** One of our wire errors with its specification message. */
export function codeText(code: keyof typeof RpcCode, id: JsonRpcId, data?: unknown): string {
  return errorText(RpcCode[code], RpcMessage[code], id, data);
}

/** True when a thrown value is a JsonRpcError that may travel to the caller as is. */
export function isWireError(error: unknown): error is JsonRpcError {
  return error instanceof JsonRpcError && (error.code === 'application' || error.code in RpcCode);
}

export const PARSE_ERROR = codeText('parse-error', null);
export const INVALID_REQUEST = codeText('invalid-request', null);
