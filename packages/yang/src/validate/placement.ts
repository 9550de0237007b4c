import { YangError, YangErrorCode } from '../errors.ts';
import { addNode, type DataNode, positionedLeaf, positionedNode } from '../xpath/data-node.ts';
import type { PathStep } from './instance-path.ts';
import { childPath, pathOf } from './issue.ts';
import type { RuntimeOperation } from './operations.ts';
import type { Runtime, RuntimeNode } from './runtime.ts';
import { typedDefault } from './tree.ts';
import { hasMember, isObject, issue, typeIssue, type Walk } from './walk.ts';

// Where an RPC, action or notification sits in a data tree: the data node
// holding it (the root for an RPC), built before its content is validated so
// that XPath in the operation can read its ancestors (RFC 7950 §6.4.1: the
// accessible tree of an action holds the node it is invoked on).

/** An operation found in place: the data node holding it, which one it is, and its content. */
export interface Placement {
  readonly holder: DataNode;
  readonly operation: RuntimeOperation;
  readonly content: unknown;
}

/** Finds the operation of a runtime and builds its ancestors below `root`; undefined when issues leave nothing to validate. */
export type Locate = (w: Walk, rt: Runtime, root: DataNode) => Placement | undefined;

const LABEL: Record<RuntimeOperation['kind'], string> = { rpc: 'RPC', action: 'action', notification: 'notification' };

/**
 * The operation an instance path names (`/m:top/list[key='k']/action`),
 * its ancestors built from the path: containers, and list entries holding
 * their keys. A name the schema does not have is a bad argument (thrown);
 * a key value its type refuses is an issue.
 */
export function placeByPath(
  w: Walk,
  rt: Runtime,
  root: DataNode,
  steps: readonly PathStep[],
  kind: RuntimeOperation['kind'],
  content: unknown,
): Placement | undefined {
  let r = rt.data;
  let dn = root;
  const text = steps.map((s) => `/${s.module}:${s.name}`).join('');
  for (const step of steps.slice(0, -1)) {
    const child = r.members.get(`${step.module}:${step.name}`);
    if (child === undefined || (child.schema.kind !== 'container' && child.schema.kind !== 'list'))
      throw new YangError(
        YangErrorCode.InvalidArgument,
        `Cannot place ${LABEL[kind]} "${text}": "${step.name}" is not a container or list here`,
      );
    if (child.schema.kind === 'container') {
      dn = addNode(dn, child.schema, child.schema.name, child.schema.module);
    } else {
      const entry = addNode(dn, child.schema, child.schema.name, child.schema.module);
      for (const key of child.schema.keys ?? []) {
        const given = step.keys.find(([k]) => k === key);
        if (given === undefined)
          throw new YangError(
            YangErrorCode.InvalidArgument,
            `Cannot place ${LABEL[kind]} "${text}": list "${child.schema.name}" needs its key "${key}" as a predicate`,
          );
        const keyNode = child.members.get(key)!;
        const value = typedDefault(keyNode.schema, given[1]);
        const c = keyNode.check!(value, true);
        if (typeof c !== 'string') {
          typeIssue(w, childPath(entry, keyNode.schema.module, key), c, value);
          return undefined;
        }
        addNode(entry, keyNode.schema, key, keyNode.schema.module, c);
      }
      dn = entry;
    }
    r = child;
  }
  const last = steps[steps.length - 1]!;
  const op = r.operations?.get(`${last.module}:${last.name}`);
  if (op === undefined || op.kind !== kind) {
    const known = kind === 'action' ? rt.actions : rt.notifications;
    throw new YangError(
      YangErrorCode.InvalidArgument,
      `Unknown ${LABEL[kind]} "${text}": expected one of ${[...known.keys()].join(', ') || '(none)'}`,
    );
  }
  return { holder: dn, operation: op, content };
}

/**
 * The operation in yanglint's document form: `{"m:rpc": {…}}`, or for an
 * action or nested notification the data down to it, `{"m:top": {"list":
 * [{"key": "k", "action": {…}}]}}`. As libyang parses that data, its values
 * must have their types, its members must exist and its list entries their
 * keys; the rest of the data rules do not apply to it (it is context, not a
 * datastore). Exactly one operation of the kinds asked for must be there.
 */
export function placeInDocument(kinds: readonly RuntimeOperation['kind'][], doc: unknown): Locate {
  return (w, rt, root) => {
    if (!isObject(doc)) {
      issue(w, 'type', '/', 'Expected a JSON object', { expected: 'object', received: doc });
      return undefined;
    }
    const found: { at: Placement | undefined } = { at: undefined };
    around(w, rt.data, doc, root, kinds, found);
    if (found.at === undefined) {
      const what = kinds.map((k) => LABEL[k]).join(' or ');
      issue(w, 'unknown', '/', `Missing the operation: the document names no ${what}`, {
        expected: `one ${what}`,
        received: Object.keys(doc),
      });
    }
    return found.at;
  };
}

function around(
  w: Walk,
  r: RuntimeNode,
  obj: Record<string, unknown>,
  dn: DataNode,
  kinds: readonly RuntimeOperation['kind'][],
  found: { at: Placement | undefined },
): void {
  for (const key in obj) {
    const v = obj[key];
    const op = r.operations?.get(key);
    if (op !== undefined) {
      const path = childPath(dn, op.module, op.name);
      if (!kinds.includes(op.kind)) issue(w, 'unknown', path, `Unexpected ${LABEL[op.kind]} "${op.name}" here`);
      else if (found.at !== undefined)
        issue(
          w,
          'unknown',
          path,
          `Unexpected ${LABEL[op.kind]} "${op.name}": "${found.at.operation.name}" is already given`,
        );
      else found.at = { holder: dn, operation: op, content: v };
      continue;
    }
    const c = r.members.get(key);
    if (c === undefined) {
      issue(
        w,
        'unknown',
        pathOf(dn),
        `Node "${key}" not found as a child of ${dn.parent === undefined ? 'the data root' : `"${dn.name}"`}`,
        { received: key },
      );
      continue;
    }
    member(w, c, v, dn, kinds, found);
  }
}

function member(
  w: Walk,
  c: RuntimeNode,
  v: unknown,
  dn: DataNode,
  kinds: readonly RuntimeOperation['kind'][],
  found: { at: Placement | undefined },
): void {
  const s = c.schema;
  switch (s.kind) {
    case 'leaf':
    case 'leaf-list': {
      const values = s.kind === 'leaf' ? [v] : Array.isArray(v) ? v : undefined;
      if (values === undefined) {
        issue(w, 'type', pathOf(dn), `Leaf-list "${s.name}" must be a JSON array`, { expected: 'array', received: v });
        return;
      }
      values.forEach((x, i) => {
        const canonical = c.check!(x, true);
        if (typeof canonical !== 'string') typeIssue(w, childPath(dn, s.module, s.name), canonical, x);
        else if (s.kind === 'leaf-list' && !s.config) positionedLeaf(dn, s, canonical, i + 1);
        else addNode(dn, s, s.name, s.module, canonical);
      });
      return;
    }
    case 'container':
      if (!isObject(v)) {
        issue(w, 'type', pathOf(dn), `Container "${s.name}" must be a JSON object`, {
          expected: 'object',
          received: v,
        });
        return;
      }
      around(w, c, v, addNode(dn, s, s.name, s.module), kinds, found);
      return;
    case 'list': {
      if (!Array.isArray(v) || !v.every(isObject)) {
        issue(w, 'type', pathOf(dn), `List "${s.name}" must be a JSON array of objects`, {
          expected: 'array',
          received: v,
        });
        return;
      }
      const keys = s.keys ?? [];
      v.forEach((entry, i) => {
        const missing = keys.find((k) => !hasMember(entry, c.members.get(k)!));
        if (missing !== undefined) {
          issue(w, 'missing-key', childPath(dn, s.module, s.name), `List instance is missing its key "${missing}"`);
          return;
        }
        const n = keys.length === 0 ? positionedNode(dn, s, i + 1, false) : addNode(dn, s, s.name, s.module);
        around(w, c, entry, n, kinds, found);
      });
      return;
    }
    default:
      addNode(dn, s, s.name, s.module);
  }
}
