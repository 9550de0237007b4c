import type { Delivery, Transaction, TxKind } from '@fleetkit/txqueue';
import { deliveryPayload } from '../api/config-data.ts';
import type { ServerContext } from '../context.ts';

/** The name a configuration transaction carries on every device protocol (docs/server.md §Devices). */
export const CONFIGURE = 'exodm:configure';

/** A transaction as a device receives it, whichever protocol carries it. */
export interface Work {
  readonly transactionId: number;
  /** The delivery attempt an ack must quote. */
  readonly attempt: number;
  readonly kind: TxKind;
  /** `execute`, or `cancel`: stop it and confirm with a `cancelled` ack. */
  readonly action: 'execute' | 'cancel';
  /** True once the device reported progress (Xyte `in_progress`). */
  readonly inProgress: boolean;
  /** The RPC to run: `module:rpc`, `exodm:configure` for configuration data. */
  readonly name: string;
  /** Its params: the RPC's input, or the configuration updates. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Epoch ms after which an ack is refused (`timed-out`). */
  readonly deadline: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What a transaction asks of the device: an RPC transaction's payload is
 * `{method, params}` (api/device-rpcs.ts), a configuration transaction's
 * `{push-id, config-set?, updates}` (api/config-data.ts; the push id is the
 * server's own), a package transaction's payload is passed as it is.
 */
export function callOf(
  kind: TxKind,
  tag: string | undefined,
  payload: unknown,
): { readonly name: string; readonly params: Readonly<Record<string, unknown>> } {
  if (kind === 'config') {
    const params: Record<string, unknown> = {};
    if (isObject(payload))
      for (const [key, value] of Object.entries(payload)) if (key !== 'push-id') params[key] = value;
    return { name: CONFIGURE, params };
  }
  const method = isObject(payload) && typeof payload.method === 'string' ? payload.method : undefined;
  if (kind === 'rpc' && method !== undefined) {
    const params = isObject(payload) && isObject(payload.params) ? payload.params : {};
    return { name: tag ?? method, params };
  }
  return {
    name: tag ?? (kind === 'package' ? 'exodm:install-package' : 'exodm:rpc'),
    params: isObject(payload) ? payload : { value: payload },
  };
}

/** A delivery (fresh from call-in) or an open transaction already delivered, as the device receives it. */
export async function workOf(server: ServerContext, queue: string, delivered: Delivery | Transaction): Promise<Work> {
  const delivery: Delivery =
    'transactionId' in delivered
      ? delivered
      : {
          transactionId: delivered.id,
          attempt: delivered.attempt,
          kind: delivered.kind,
          ...(delivered.tag === undefined ? {} : { tag: delivered.tag }),
          payload: delivered.payload,
          action: delivered.state === 'cancelling' ? 'cancel' : 'execute',
          deadline: delivered.deadline,
          ...(delivered.parent === undefined ? {} : { parent: delivered.parent }),
        };
  // a group's configuration merges the member's own values at delivery (manual §5.8)
  const payload = await deliveryPayload(server, queue, delivery);
  const { name, params } = callOf(delivery.kind, delivery.tag, payload);
  const state = 'transactionId' in delivered ? undefined : delivered.state;
  return {
    transactionId: delivery.transactionId,
    attempt: delivery.attempt,
    kind: delivery.kind,
    action: delivery.action,
    inProgress: state === 'in-progress',
    name,
    params,
    deadline: delivery.deadline,
  };
}
