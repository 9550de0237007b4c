import { type CompiledSchema, createValidator, type SchemaNode, type Validator } from '@fleetkit/yang';
import { uniqueUrls } from './callbacks/subscriber.ts';
import type { ServerContext } from './context.ts';
import { postJson, redactUrl } from './http-post.ts';
import { modulesOf } from './modules.ts';
import { nextValue } from './store/counters.ts';
import type { Device } from './store/devices.ts';
import { groupsOfDevice } from './store/groups.ts';

/**
 * JSON-RPC error codes a device gets for its own RPCs (docs/server.md
 * §Device-originated RPCs), beside the specification's -32601 and -32602.
 */
export const RoutingErrorCode = {
  /** Neither the device nor any of its groups has a notification URL. */
  NoDestination: -32020,
  /** The backend that answers for the device could not be reached, timed out or answered an HTTP error. */
  BackendFailed: -32021,
  /** The backend's answer is not a JSON-RPC response to the request, or its result breaks the RPC's output. */
  InvalidReply: -32022,
  /** A transaction ack the queue refused (exoport, broker): `data.reason` says why (txqueue's rejection). */
  TransactionRejected: -32023,
  MethodNotFound: -32601,
  InvalidParams: -32602,
} as const;

/** A JSON-RPC error object as the device receives it. */
export interface RoutingError {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** An RPC or notification a device sends (without `id`: a notification). */
export interface DeviceMessage {
  readonly method: string;
  readonly params: unknown;
  readonly notification: boolean;
}

/** What becomes of a device's message: the backend's result or error, or a notification passed on. */
export type RoutedReply =
  | { readonly kind: 'result'; readonly result: unknown }
  | { readonly kind: 'error'; readonly error: RoutingError }
  | { readonly kind: 'forwarded' };

/** Where a device's messages go, and which URL's reply goes back to it. */
export interface Destinations {
  /** Every URL, deduplicated after trailing-slash normalisation, the answering one first. */
  readonly urls: readonly string[];
  /** The URL whose reply the device gets; undefined when there is none. */
  readonly replyUrl: string | undefined;
}

const validators = new WeakMap<CompiledSchema, Validator>();

function validatorOf(schema: CompiledSchema): Validator {
  let validator = validators.get(schema);
  if (validator === undefined) {
    validator = createValidator(schema);
    validators.set(schema, validator);
  }
  return validator;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function failure(code: number, message: string, data?: unknown): RoutedReply {
  return { kind: 'error', error: { code, message, ...(data === undefined ? {} : { data }) } };
}

/**
 * Where a device's RPCs go (manual §5.4, §5.8, Fig. 2): the device's own
 * notification URL and every group's. The reply is read from the device's
 * URL; without one, from its primary group's; without that, from the group
 * it was last added to (of those with a URL). Replies of the others are
 * dropped.
 */
export async function destinationsOf(server: ServerContext, device: Device): Promise<Destinations> {
  const groups = (await groupsOfDevice(server.db, device.account, device.deviceId)).filter(
    (group) => group.notificationUrl !== undefined && group.notificationUrl !== '',
  );
  // groupsOfDevice lists the group the device was last added to first
  const replyUrl =
    device.notificationUrl ?? groups.find((group) => group.primary)?.notificationUrl ?? groups[0]?.notificationUrl;
  const others = groups.map((group) => group.notificationUrl as string);
  const urls = uniqueUrls(replyUrl === undefined ? others : [replyUrl, ...others]);
  return { urls, replyUrl };
}

/** The data nodes of an operation's input or a notification at the top, through choices and cases. */
function topLeaves(nodes: readonly SchemaNode[]): SchemaNode[] {
  return nodes.flatMap((node) =>
    node.kind === 'choice' || node.kind === 'case' ? topLeaves(node.children ?? []) : [node],
  );
}

/** The params with `device-id` set to the sender, when the RPC or notification declares the leaf. */
function withSender(params: Record<string, unknown>, nodes: readonly SchemaNode[], device: Device) {
  if (!topLeaves(nodes).some((node) => node.name === 'device-id')) return params;
  // a device never speaks for another: the leaf is the server's to fill
  return { ...params, 'device-id': device.deviceId };
}

function issuesData(issues: readonly { readonly path: string; readonly message: string }[]) {
  return { issues: issues.slice(0, 20).map((issue) => ({ path: issue.path, message: issue.message })) };
}

/**
 * Routes a device's RPC or notification to the backend (manual §5.4, §5.8;
 * docs/sources.md, the real exodm server item 2 "Device-originated RPCs"): `<module>:<rpc>` of a module the
 * account sees, its params checked against the RPC's input, sent as a
 * JSON-RPC request (id from the account's counter) to every destination;
 * the answering backend's result is checked against the RPC's output
 * before the device gets it. A notification (a YANG notification, or any
 * message without an id) is only passed on.
 */
export async function routeFromDevice(
  server: ServerContext,
  device: Device,
  message: DeviceMessage,
): Promise<RoutedReply> {
  const colon = message.method.indexOf(':');
  const module = colon > 0 ? message.method.slice(0, colon) : '';
  const name = message.method.slice(colon + 1);
  if (module === '' || module === 'exodm' || name === '') {
    return failure(RoutingErrorCode.MethodNotFound, 'Method not found', { method: message.method });
  }
  const compiled = await modulesOf(server).compiled(device.account, module);
  const rpc = compiled?.rpc(name);
  const event = compiled?.schema.notifications.find(
    (n) => n.module === compiled.module && n.name === name && n.parents === undefined,
  );
  if (compiled === undefined || (rpc === undefined && event === undefined)) {
    return failure(RoutingErrorCode.MethodNotFound, 'Method not found', { method: message.method });
  }
  const given = message.params === undefined ? {} : message.params;
  if (!isObject(given)) {
    return failure(RoutingErrorCode.InvalidParams, 'Invalid params', {
      issues: [{ path: '', message: 'Expected the params as a JSON object' }],
    });
  }
  const qualified = `${compiled.module}:${name}`;
  const validator = validatorOf(compiled.schema);
  const params = withSender(given, rpc === undefined ? event!.children : rpc.input, device);
  const checked =
    rpc === undefined
      ? validator.validateNotification(qualified, params)
      : validator.validateRpcInput(qualified, params);
  if (!checked.valid) return failure(RoutingErrorCode.InvalidParams, 'Invalid params', issuesData(checked.issues));
  const destinations = await destinationsOf(server, device);
  if (rpc === undefined || message.notification) {
    await notify(server, device, destinations.urls, { method: qualified, params });
    return { kind: 'forwarded' };
  }
  if (destinations.replyUrl === undefined) {
    return failure(RoutingErrorCode.NoDestination, 'No notification URL for the device', {
      'device-id': device.deviceId,
    });
  }
  const id = await nextValue(server.db, device.account, 'device-request');
  const body = JSON.stringify({ jsonrpc: '2.0', method: qualified, id, params });
  const [first, ...others] = destinations.urls;
  for (const url of others) {
    // manual §5.8: sent to every group, answered by one; the others' replies are dropped unread
    void post(server, device, url, body).catch((error: unknown) => {
      server.logger.info('device RPC not delivered to a group URL', {
        account: device.account,
        device: device.deviceId,
        url: redactUrl(url),
        error,
      });
    });
  }
  let reply: { readonly status: number; readonly body: string; readonly truncated: boolean };
  try {
    reply = await post(server, device, first!, body);
  } catch (error) {
    server.logger.warn('device RPC: the backend did not answer', {
      account: device.account,
      device: device.deviceId,
      url: redactUrl(first!),
      error,
    });
    return failure(RoutingErrorCode.BackendFailed, 'The backend did not answer', { reason: 'unreachable' });
  }
  return readReply(validator, { qualified, id, hasOutput: rpc.output.length > 0 }, reply);
}

/** Reads the answering backend's reply: its error as it is, or its result once the RPC's output accepts it. */
function readReply(
  validator: Validator,
  request: { readonly qualified: string; readonly id: number; readonly hasOutput: boolean },
  reply: { readonly status: number; readonly body: string; readonly truncated: boolean },
): RoutedReply {
  if (reply.status < 200 || reply.status > 299) {
    return failure(RoutingErrorCode.BackendFailed, 'The backend answered an HTTP error', { status: reply.status });
  }
  if (reply.truncated) return failure(RoutingErrorCode.InvalidReply, 'The backend reply is too large');
  let parsed: unknown;
  try {
    parsed = JSON.parse(reply.body);
  } catch {
    return failure(RoutingErrorCode.InvalidReply, 'The backend reply is not JSON');
  }
  if (!isObject(parsed) || (parsed.id !== request.id && parsed.id !== String(request.id))) {
    return failure(RoutingErrorCode.InvalidReply, 'The backend reply is not a response to the request');
  }
  if (isObject(parsed.error)) {
    const { code, message, data } = parsed.error;
    if (typeof code === 'number' && Number.isInteger(code) && typeof message === 'string') {
      return { kind: 'error', error: { code, message, ...(data === undefined ? {} : { data }) } };
    }
    return failure(RoutingErrorCode.InvalidReply, 'The backend error is not a JSON-RPC error object');
  }
  if (!('result' in parsed)) return failure(RoutingErrorCode.InvalidReply, 'The backend reply has no result');
  // an RPC without an output statement promises nothing to check
  if (!request.hasOutput) return { kind: 'result', result: parsed.result };
  const checked = validator.validateRpcOutput(request.qualified, parsed.result);
  if (!checked.valid) {
    return failure(
      RoutingErrorCode.InvalidReply,
      'The backend result does not match the RPC output',
      issuesData(checked.issues),
    );
  }
  return { kind: 'result', result: parsed.result };
}

function post(server: ServerContext, device: Device, url: string, body: string) {
  return postJson(server, url, {
    body,
    timeoutMs: server.settings.deviceRpcTimeoutMs,
    // whom the message is from, for a backend serving several accounts at one URL
    headers: { 'x-fleetkit-account': device.account, 'x-fleetkit-device-id': device.deviceId },
  });
}

/** Sends a notification to every destination; a failed one is logged, the others still get it. */
async function notify(
  server: ServerContext,
  device: Device,
  urls: readonly string[],
  message: { readonly method: string; readonly params: unknown },
): Promise<void> {
  const body = JSON.stringify({ jsonrpc: '2.0', method: message.method, params: message.params });
  const sent = await Promise.allSettled(urls.map((url) => post(server, device, url, body)));
  sent.forEach((outcome, index) => {
    const status = outcome.status === 'fulfilled' ? outcome.value.status : undefined;
    if (status !== undefined && status >= 200 && status < 300) return;
    server.logger.info('device notification not delivered', {
      account: device.account,
      device: device.deviceId,
      url: redactUrl(urls[index]!),
      ...(outcome.status === 'rejected' ? { error: outcome.reason } : { status }),
    });
  });
}
