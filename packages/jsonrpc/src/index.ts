// re-exported from core: the one constant-time comparison every package shares
export { secretsEqual, timingSafeEqual } from '@fleetkit/core';
export type { Transport } from './_internal/post.ts';
export { readLimited } from './_internal/read-body.ts';
export {
  type AuthorizationDecision,
  type AuthorizationRequest,
  type Authorize,
  accountFromParams,
  allow,
  authorization,
  deny,
} from './authorization.ts';
export {
  type Authenticator,
  type BasicAuthOptions,
  type BasicCredentials,
  basicAuth,
  basicAuthHeader,
  type Principal,
  parseBasicAuth,
  type StaticUser,
  staticCredentials,
} from './basic-auth.ts';
export {
  type BatchEntry,
  type BatchOutcome,
  type CallOptions,
  Client,
  type ClientOptions,
  createClient,
} from './client.ts';
export type { CallContext, RequestInfo } from './context.ts';
export {
  type DiscoveryInfo,
  type OpenRpcDocument,
  type OpenRpcMethod,
  openRpcDocument,
  withDiscovery,
} from './discovery.ts';
export {
  JsonRpcError,
  JsonRpcErrorCode,
  type JsonRpcErrorOptions,
  type ParamsIssueInput,
  RpcCode,
  RpcMessage,
} from './errors.ts';
export { createHttpHandler, type FetchHandler, type HttpHandlerOptions } from './http-handler.ts';
export { describe as describeValue, type ParamsIssue, toParamsIssues } from './issues.ts';
export {
  type Handler,
  isStandardSchema,
  type MethodDefinition,
  type MethodResolver,
  type MethodTypes,
  type ParamsOf,
} from './method.ts';
export { composeMiddleware, type Middleware } from './middleware.ts';
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
export { type Served, type ServeOptions, serve } from './serve.ts';
export type {
  InferInput,
  InferOutput,
  StandardIssue,
  StandardResult,
  StandardSchemaProps,
  StandardSchemaV1,
} from './standard-schema.ts';
