export { type CallContext, type RequestInfo } from './context.ts';
export { JsonRpcError, JsonRpcErrorCode, type JsonRpcErrorOptions, RpcCode, RpcMessage } from './errors.ts';
export { describe as describeValue, type ParamsIssue, toParamsIssues } from './issues.ts';
export { type Handler, isStandardSchema, type MethodDefinition, type MethodTypes, type ParamsOf } from './method.ts';
export { type Middleware } from './middleware.ts';
export {
  isJsonRpcId,
  isJsonRpcResponse,
  type JsonRpcErrorObject,
  type JsonRpcId,
  type JsonRpcParams,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from './protocol.ts';
export { createRouter, type HandleResult, type MethodsOf, Router, type RouterOptions } from './router.ts';
export type { InferInput, InferOutput, StandardIssue, StandardResult, StandardSchemaProps, StandardSchemaV1 } from './standard-schema.ts';
