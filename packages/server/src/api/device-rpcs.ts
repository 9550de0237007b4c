import type { CallContext, MethodDefinition, StandardSchemaV1 } from '@fleetkit/jsonrpc';
import { TxQueueError, TxQueueErrorCode } from '@fleetkit/txqueue';
import type { OperationNode, SchemaNode, YangIssue } from '@fleetkit/yang';
import { paramPath } from '../attributes.ts';
import { queueName, type ServerContext } from '../context.ts';
import { acceptedReceipt, clientIdOf, requestTarget, STD_REQUEST_LEAVES, timerMs } from '../modules/std-request.ts';
import { type CompiledModule, modulesOf } from '../modules.ts';
import { requirePackageForRpc } from '../packages/installed.ts';
import { fail, Outcome, ResultCode } from '../result-code.ts';
import { findTarget } from '../store/config.ts';
import { callOf, outcomeOf } from './method.ts';

/** A device RPC call after its params passed: the request leaves the server acts on, and the RPC's input. */
export interface DeviceRequest {
  readonly target: string;
  readonly timeoutMs: number | undefined;
  readonly notify: string | undefined;
  readonly clientId: string | undefined;
  /** What the device receives: the params the RPC's input declares, validated. */
  readonly input: Record<string, unknown>;
}

type Issue = {
  readonly message: string;
  readonly path: readonly (string | number)[];
  readonly expected?: string;
  readonly received?: string;
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The definition of a device RPC `<module>:<rpc>` (docs/sources.md, the real exodm server item 3) for the
 * account the access middleware settled on: the method the router's
 * resolver answers with. Undefined (-32601) when the account sees no such
 * module or the module no such RPC; `exodm:` names are never device RPCs.
 */
export async function resolveDeviceRpc(
  server: ServerContext,
  method: string,
  ctx: CallContext,
): Promise<MethodDefinition | undefined> {
  const colon = method.indexOf(':');
  if (colon <= 0 || ctx.account === undefined) return undefined;
  const module = method.slice(0, colon);
  const name = method.slice(colon + 1);
  if (module === 'exodm' || name === '') return undefined;
  const compiled = await modulesOf(server).compiled(ctx.account, module);
  const rpc = compiled?.rpc(name);
  if (compiled === undefined || rpc === undefined) return undefined;
  return {
    summary: `Queues ${method} for a device or group`,
    params: requestSchema(compiled, rpc),
    handler: (request, context) => enqueueRpc(server, method, compiled.module, request as DeviceRequest, context),
  };
}

async function enqueueRpc(
  server: ServerContext,
  method: string,
  module: string,
  request: DeviceRequest,
  ctx: CallContext,
): Promise<unknown> {
  const call = callOf(ctx);
  try {
    const kind = await findTarget(server.db, call.account, request.target);
    if (kind === undefined) fail(ResultCode.DeviceNotFound, `${request.target} names no device or group`);
    // a package's RPCs go only to devices that have it installed (docs/decisions/server-packages-targets.md)
    await requirePackageForRpc(server, call.account, { method, module, target: request.target });
    const id = queueName(call.account, request.target);
    const { transaction } = await server.queue.enqueue({
      target: kind === 'device' ? { device: id } : { group: id },
      kind: 'rpc',
      payload: { method, params: request.input },
      timeoutMs: request.timeoutMs ?? server.settings.defaultTimeoutMs,
      ...(request.notify === undefined ? {} : { notify: request.notify }),
      ...(request.clientId === undefined ? {} : { clientId: request.clientId }),
      tag: method,
      // manual §5.8 Fig. 3: a group's RPC reports each member device's outcome
      ...(kind === 'group' ? { memberEvents: true } : {}),
    });
    // the real server keeps a caller's transaction-id (docs/sources.md, the real exodm server item 2)
    return acceptedReceipt(request.clientId ?? String(transaction.id));
  } catch (error) {
    return outcomeOf(queueOutcome(error));
  }
}

/** A queue refusal as the business outcome a caller can act on; anything else is rethrown. */
export function queueOutcome(error: unknown): unknown {
  if (error instanceof TxQueueError && error.code === TxQueueErrorCode.IdempotencyConflict) {
    return new Outcome(ResultCode.ObjectExists, 'the transaction-id was used for another request');
  }
  if (error instanceof TxQueueError && error.code === TxQueueErrorCode.InvalidArgument) {
    return new Outcome(ResultCode.ValidationFailed, error.message);
  }
  return error;
}

/**
 * The params check of a device RPC, run after authorisation and before
 * anything is queued: the `std-request` leaves the server acts on, then the
 * RPC's input validated by `@fleetkit/yang` (on the worker pool when large).
 * Request leaves the RPC does not declare are the server's only; those it
 * declares reach the device too. A failure is -32602 with the YANG issue's
 * path, where the real server answered -32603 (docs/decisions/server-device-rpcs.md).
 */
function requestSchema(compiled: CompiledModule, rpc: OperationNode): StandardSchemaV1<unknown, DeviceRequest> {
  const declared = new Map(inputLeaves(rpc.input).map((node) => [node.name, node]));
  return {
    '~standard': {
      version: 1,
      vendor: 'fleetkit-server',
      async validate(value) {
        if (!isObject(value)) return { issues: [{ message: 'Expected the params as a JSON object', path: [] }] };
        const issues: Issue[] = [];
        const target = requestTarget(value);
        const targetKey = value['device-id'] === undefined && value['dev-id'] !== undefined ? 'dev-id' : 'device-id';
        if (typeof target !== 'string' || target.length === 0 || target.length > 64) {
          issues.push({ message: 'Expected the id of a device or group (1..64 characters)', path: [targetKey] });
        }
        const timeoutMs = value.timeout === undefined ? undefined : timerMs(value.timeout);
        if (value.timeout !== undefined && timeoutMs === undefined) {
          issues.push({ message: 'Expected a timer: milliseconds, or {in <n> <unit>}', path: ['timeout'] });
        }
        const notify = value['notification-url'];
        if (notify !== undefined && !isHttpUrl(notify)) {
          issues.push({ message: 'Expected an http(s) URL of at most 256 characters', path: ['notification-url'] });
        }
        const clientId = value['transaction-id'] === undefined ? undefined : clientIdOf(value['transaction-id']);
        if (value['transaction-id'] !== undefined && clientId === undefined) {
          issues.push({ message: 'Expected a transaction id (uint64)', path: ['transaction-id'] });
        }
        if (issues.length > 0) return { issues };
        const input = rpcInput(value, declared);
        const result = await compiled.validateRpcInput(rpc.name, input);
        if (!result.valid)
          return { issues: result.issues.map((i) => paramIssue(i, `/${rpc.module}:${rpc.name}`, input)) };
        return {
          value: {
            target: target as string,
            timeoutMs,
            notify: notify as string | undefined,
            clientId,
            input,
          },
        };
      },
    },
  };
}

/** The params the device receives: all but the server's own request leaves, unless the RPC declares them. */
function rpcInput(params: Record<string, unknown>, declared: ReadonlyMap<string, SchemaNode>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === 'account') continue;
    if (key === 'dev-id') {
      if (declared.has('device-id') && params['device-id'] === undefined) input['device-id'] = value;
      continue;
    }
    if ((STD_REQUEST_LEAVES as readonly string[]).includes(key) && !declared.has(key)) continue;
    // exosense's timer is a string and its transaction-id a uint64 (RFC 7951: a string); callers send numbers
    const base = declared.get(key)?.type?.base;
    const asText = base === 'string' || base === 'uint64' || base === 'int64';
    input[key] =
      asText && (key === 'timeout' || key === 'transaction-id') && typeof value === 'number' ? String(value) : value;
  }
  return input;
}

/** The data nodes at the top of an input, through choices and cases. */
function inputLeaves(nodes: readonly SchemaNode[]): SchemaNode[] {
  return nodes.flatMap((node) =>
    node.kind === 'choice' || node.kind === 'case' ? inputLeaves(node.children ?? []) : [node],
  );
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 256 || !/^https?:\/\//i.test(value)) return false;
  return URL.canParse(value);
}

/** A YANG issue as a -32602 issue: its instance path below the RPC as the keys and indexes of the params. */
function paramIssue(issue: YangIssue, root: string, input: Record<string, unknown>): Issue {
  const below = issue.path.startsWith(root) ? issue.path.slice(root.length) : issue.path;
  return {
    message: `${issue.message} (at ${issue.path})`,
    path: paramPath(below, input).path,
    ...(issue.expected === undefined ? {} : { expected: issue.expected }),
  };
}
