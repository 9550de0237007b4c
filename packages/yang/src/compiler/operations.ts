import { YangError, YangErrorCode } from '../errors.ts';
import { where } from '../parser/statement.ts';
import type { ActionNode, NotificationNode, QualifiedName } from '../schema.ts';
import type { BuildNode } from './build-node.ts';
import { freezeNotification, freezeOperation } from './freeze.ts';

/** Actions and nested notifications, taken out of the data tree. */
export interface Lifted {
  readonly actions: ActionNode[];
  readonly notifications: NotificationNode[];
}

/**
 * Takes every action and every notification below a data node out of the
 * tree (they are not data: a configuration document cannot hold them) and
 * records the data nodes on the way to each. RFC 7950 §7.15 and §7.16: none
 * may sit inside an RPC, action or notification, nor below a list without
 * keys (its instance could not be named).
 */
export function liftOperations(tops: readonly BuildNode[]): Lifted {
  const out: Lifted = { actions: [], notifications: [] };
  for (const top of tops) {
    if (top.kind === 'operation' || top.kind === 'notification') refuseNested(top, top);
    else lift(top, [], out);
  }
  return out;
}

function lift(n: BuildNode, path: readonly BuildNode[], out: Lifted): void {
  const data = n.kind !== 'choice' && n.kind !== 'case';
  const here = data ? [...path, n] : path;
  const kept: BuildNode[] = [];
  for (const c of n.children) {
    if (c.kind !== 'operation' && c.kind !== 'notification') {
      kept.push(c);
      lift(c, here, out);
      continue;
    }
    const keyless = here.find((p) => p.kind === 'list' && (p.keys === undefined || p.keys.length === 0));
    if (keyless !== undefined)
      throw new YangError(
        YangErrorCode.Grammar,
        `${c.kind === 'operation' ? 'action' : 'notification'} "${c.name}" cannot be defined below list "${keyless.name}", which has no key`,
        { location: where(c.statement) },
      );
    refuseNested(c, c);
    const parents: QualifiedName[] = here.map((p) => ({ module: p.module, name: p.name }));
    if (c.kind === 'operation') out.actions.push({ ...freezeOperation(c), parents });
    else out.notifications.push({ ...freezeNotification(c), parents });
  }
  n.children = kept;
}

/** No operation or notification inside an operation or notification (through groupings, augments). */
function refuseNested(n: BuildNode, outer: BuildNode): void {
  for (const c of n.children) {
    if (c !== outer && (c.kind === 'operation' || c.kind === 'notification'))
      throw new YangError(
        YangErrorCode.Grammar,
        `${c.kind === 'operation' ? 'action' : 'notification'} "${c.name}" cannot be defined inside ${outer.kind === 'operation' ? 'an operation' : 'a notification'} ("${outer.name}")`,
        { location: where(c.statement) },
      );
    refuseNested(c, outer);
  }
}
