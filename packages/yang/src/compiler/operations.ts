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

function lift(node: BuildNode, path: readonly BuildNode[], out: Lifted): void {
  const data = node.kind !== 'choice' && node.kind !== 'case';
  const here = data ? [...path, node] : path;
  const kept: BuildNode[] = [];
  for (const child of node.children) {
    if (child.kind !== 'operation' && child.kind !== 'notification') {
      kept.push(child);
      lift(child, here, out);
      continue;
    }
    const keyless = here.find(
      (ancestor) => ancestor.kind === 'list' && (ancestor.keys === undefined || ancestor.keys.length === 0),
    );
    if (keyless !== undefined)
      throw new YangError(
        YangErrorCode.Grammar,
        `${child.kind === 'operation' ? 'action' : 'notification'} "${child.name}" cannot be defined below list "${keyless.name}", which has no key`,
        { location: where(child.statement) },
      );
    refuseNested(child, child);
    const parents: QualifiedName[] = here.map((ancestor) => ({ module: ancestor.module, name: ancestor.name }));
    if (child.kind === 'operation') out.actions.push({ ...freezeOperation(child), parents });
    else out.notifications.push({ ...freezeNotification(child), parents });
  }
  node.children = kept;
}

/** No operation or notification inside an operation or notification (through groupings, augments). */
function refuseNested(node: BuildNode, outer: BuildNode): void {
  for (const child of node.children) {
    if (child !== outer && (child.kind === 'operation' || child.kind === 'notification'))
      throw new YangError(
        YangErrorCode.Grammar,
        `${child.kind === 'operation' ? 'action' : 'notification'} "${child.name}" cannot be defined inside ${outer.kind === 'operation' ? 'an operation' : 'a notification'} ("${outer.name}")`,
        { location: where(child.statement) },
      );
    refuseNested(child, outer);
  }
}
