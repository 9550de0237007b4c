import { FleetkitError, type FleetkitErrorOptions } from '@fleetkit/core';
import { describeAt, type ParamsIssue } from './issues.ts';

/** Codes of `@fleetkit/jsonrpc`; each JSON-RPC error maps to one numeric code in {@link RpcCode}. */
export const JsonRpcErrorCode = {
  // specification §5.1, pre-defined errors
  ParseError: 'parse-error',
  InvalidRequest: 'invalid-request',
  MethodNotFound: 'method-not-found',
  InvalidParams: 'invalid-params',
  InternalError: 'internal-error',
  // ours, in the "server error" range -32000..-32099 (table in README)
  BatchTooLarge: 'batch-too-large',
  Unauthenticated: 'unauthenticated',
  PermissionDenied: 'permission-denied',
  // a wire code this package does not define (application-defined, specification §5.1)
  Application: 'application',
  // local failures of this package's API (never sent over the wire)
  InvalidDefinition: 'invalid-definition',
  Timeout: 'timeout',
  HttpStatus: 'http-status',
  TransportFailed: 'transport-failed',
  BadResponse: 'bad-response',
} as const;
/** One of the codes of {@link JsonRpcErrorCode}. */
export type JsonRpcErrorCode = (typeof JsonRpcErrorCode)[keyof typeof JsonRpcErrorCode];

/** The numeric `error.code` sent on the wire for each of our codes that can be. */
export const RpcCode = {
  'parse-error': -32700,
  'invalid-request': -32600,
  'method-not-found': -32601,
  'invalid-params': -32602,
  'internal-error': -32603,
  'batch-too-large': -32000,
  unauthenticated: -32001,
  'permission-denied': -32002,
} as const satisfies Partial<Record<JsonRpcErrorCode, number>>;

/** The `error.message` the router sends for each wire code (specification §5.1 wording). */
export const RpcMessage = {
  'parse-error': 'Parse error',
  'invalid-request': 'Invalid Request',
  'method-not-found': 'Method not found',
  'invalid-params': 'Invalid params',
  'internal-error': 'Internal error',
  'batch-too-large': 'Batch too large',
  unauthenticated: 'Unauthenticated',
  'permission-denied': 'Permission denied',
} as const satisfies Record<keyof typeof RpcCode, string>;

/** Options of {@link JsonRpcError} beside the {@link FleetkitErrorOptions}. */
export interface JsonRpcErrorOptions extends FleetkitErrorOptions {
  /** Numeric wire code; required for `application`, defaulted from {@link RpcCode} otherwise. */
  readonly rpcCode?: number;
  /** The `error.data` member sent to (or received from) the peer. */
  readonly data?: unknown;
}

/**
 * The error of `@fleetkit/jsonrpc`. A handler throws it to answer a precise
 * JSON-RPC error; the client throws it for error responses and failed calls.
 */
export class JsonRpcError extends FleetkitError<JsonRpcErrorCode> {
  /** The numeric `error.code` of the response (-32603 for local failures). */
  readonly rpcCode: number;
  /** The `error.data` member, if any. */
  readonly data: unknown;

  constructor(code: JsonRpcErrorCode, message: string, options: JsonRpcErrorOptions = {}) {
    super(code, message, options);
    this.rpcCode = options.rpcCode ?? (RpcCode as Record<string, number>)[code] ?? RpcCode['internal-error'];
    this.data = options.data;
  }

  /** An application-defined error (specification §5.1: codes outside -32768..-32000). */
  static application(rpcCode: number, message: string, data?: unknown): JsonRpcError {
    if (!Number.isSafeInteger(rpcCode) || (rpcCode >= -32768 && rpcCode <= -32000)) {
      throw new JsonRpcError(
        'invalid-definition',
        `Cannot use ${rpcCode} as an application error code: expected an integer outside -32768..-32000`,
        {
          details: { path: 'rpcCode', expected: 'integer outside -32768..-32000', got: rpcCode },
        },
      );
    }
    return new JsonRpcError('application', message, { rpcCode, data });
  }

  /**
   * A -32602 Invalid params error for a handler to throw when it finds the
   * params wrong beyond their schema (`data.issues`, as the schema check
   * sends them). Each issue needs a `message`; `path` defaults to the params
   * themselves, `expected` to `null`, and `got` to a description of the value
   * at `path` in `params` (`'unknown'` without `params`).
   */
  static invalidParams(issues: readonly ParamsIssueInput[], params?: unknown): JsonRpcError {
    const complete = issues.map((issue): ParamsIssue => {
      const path = issue.path ?? [];
      return {
        path,
        expected: issue.expected ?? null,
        got: issue.got ?? (params === undefined ? 'unknown' : describeAt(params, path)),
        message: issue.message,
      };
    });
    return new JsonRpcError('invalid-params', RpcMessage['invalid-params'], { data: { issues: complete } });
  }

  /** The error for a received wire `error` object, keyed by its numeric code. */
  static fromWire(error: { code: number; message: string; data?: unknown }): JsonRpcError {
    const code = codeOf(error.code);
    return new JsonRpcError(code, error.message, { rpcCode: error.code, data: error.data });
  }
}

/** An issue as a handler states it for {@link JsonRpcError.invalidParams}: only `message` is required. */
export interface ParamsIssueInput {
  /** Keys from the params root to the offending value; default `[]` (the params themselves). */
  readonly path?: readonly (string | number)[];
  /** What was wanted; default `null`. */
  readonly expected?: string | null;
  /** What was sent; default: described from the `params` argument. */
  readonly got?: string;
  /** Why the value is refused. */
  readonly message: string;
}

function codeOf(rpcCode: number): JsonRpcErrorCode {
  for (const [code, n] of Object.entries(RpcCode)) if (n === rpcCode) return code as JsonRpcErrorCode;
  return 'application';
}
