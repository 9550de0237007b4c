import { YangError, YangErrorCode } from '../errors.ts';
import { addNode, type DataNode, positionedLeaf, positionedNode } from '../xpath/data-node.ts';
import { typedDefault } from './absent.ts';
import type { PathStep } from './instance-path.ts';
import { childPath, pathOf } from './issue.ts';
import type { RuntimeOperation } from './operations.ts';
import type { Runtime } from './runtime.ts';
import type { RuntimeNode } from './runtime-node.ts';
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
export type Locate = (walk: Walk, runtime: Runtime, root: DataNode) => Placement | undefined;

/** An action or nested notification named by its instance path (`/m:top/list[key='k']/action`), and its content. */
export interface PathTarget {
  readonly steps: readonly PathStep[];
  readonly kind: RuntimeOperation['kind'];
  readonly content: unknown;
}

/** A search of a document for its one operation (yanglint's form): issues go to `walk`, the operation once met to `found`. */
interface Search {
  readonly walk: Walk;
  readonly kinds: readonly RuntimeOperation['kind'][];
  found: Placement | undefined;
}

const LABEL: Record<RuntimeOperation['kind'], string> = { rpc: 'RPC', action: 'action', notification: 'notification' };

/**
 * The operation an instance path names, its ancestors built from the path:
 * containers, and list entries holding their keys. A name the schema does
 * not have is a bad argument (thrown); a key value its type refuses is an
 * issue.
 */
export function placeByPath(walk: Walk, runtime: Runtime, root: DataNode, target: PathTarget): Placement | undefined {
  const { steps, kind, content } = target;
  let node = runtime.data;
  let dataNode = root;
  const text = steps.map((pathStep) => `/${pathStep.module}:${pathStep.name}`).join('');
  for (const step of steps.slice(0, -1)) {
    const child = node.members.get(`${step.module}:${step.name}`);
    if (child === undefined || (child.schema.kind !== 'container' && child.schema.kind !== 'list'))
      throw new YangError(
        YangErrorCode.InvalidArgument,
        `Cannot place ${LABEL[kind]} "${text}": "${step.name}" is not a container or list here`,
      );
    if (child.schema.kind === 'container') {
      dataNode = addNode(dataNode, child.schema, child.schema.name, child.schema.module);
    } else {
      const entry = addNode(dataNode, child.schema, child.schema.name, child.schema.module);
      for (const key of child.schema.keys ?? []) {
        const given = step.keys.find(([name]) => name === key);
        if (given === undefined)
          throw new YangError(
            YangErrorCode.InvalidArgument,
            `Cannot place ${LABEL[kind]} "${text}": list "${child.schema.name}" needs its key "${key}" as a predicate`,
          );
        const keyNode = child.members.get(key)!;
        const value = typedDefault(keyNode.schema, given[1]);
        const canonical = keyNode.check!(value, true);
        if (typeof canonical !== 'string') {
          typeIssue(walk, childPath(entry, keyNode.schema.module, key), canonical, value);
          return undefined;
        }
        addNode(entry, keyNode.schema, key, keyNode.schema.module, canonical);
      }
      dataNode = entry;
    }
    node = child;
  }
  const last = steps[steps.length - 1]!;
  const operation = node.operations?.get(`${last.module}:${last.name}`);
  if (operation === undefined || operation.kind !== kind) {
    const known = kind === 'action' ? runtime.actions : runtime.notifications;
    throw new YangError(
      YangErrorCode.InvalidArgument,
      `Unknown ${LABEL[kind]} "${text}": expected one of ${[...known.keys()].join(', ') || '(none)'}`,
    );
  }
  return { holder: dataNode, operation, content };
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
  return (walk, runtime, root) => {
    if (!isObject(doc)) {
      issue(walk, 'type', '/', 'Expected a JSON object', { expected: 'object', received: doc });
      return undefined;
    }
    const search: Search = { walk, kinds, found: undefined };
    around(search, runtime.data, doc, root);
    if (search.found === undefined) {
      const what = kinds.map((kind) => LABEL[kind]).join(' or ');
      issue(walk, 'unknown', '/', `Missing the operation: the document names no ${what}`, {
        expected: `one ${what}`,
        received: Object.keys(doc),
      });
    }
    return search.found;
  };
}

function around(search: Search, node: RuntimeNode, object: Record<string, unknown>, dataNode: DataNode): void {
  const { walk, kinds } = search;
  for (const key in object) {
    const value = object[key];
    const operation = node.operations?.get(key);
    if (operation !== undefined) {
      const path = childPath(dataNode, operation.module, operation.name);
      if (!kinds.includes(operation.kind))
        issue(walk, 'unknown', path, `Unexpected ${LABEL[operation.kind]} "${operation.name}" here`);
      else if (search.found !== undefined)
        issue(
          walk,
          'unknown',
          path,
          `Unexpected ${LABEL[operation.kind]} "${operation.name}": "${search.found.operation.name}" is already given`,
        );
      else search.found = { holder: dataNode, operation, content: value };
      continue;
    }
    const child = node.members.get(key);
    if (child === undefined) {
      issue(
        walk,
        'unknown',
        pathOf(dataNode),
        `Node "${key}" not found as a child of ${dataNode.parent === undefined ? 'the data root' : `"${dataNode.name}"`}`,
        { received: key },
      );
      continue;
    }
    member(search, child, value, dataNode);
  }
}

function member(search: Search, node: RuntimeNode, value: unknown, dataNode: DataNode): void {
  const walk = search.walk;
  const schema = node.schema;
  switch (schema.kind) {
    case 'leaf':
    case 'leaf-list': {
      const values = schema.kind === 'leaf' ? [value] : Array.isArray(value) ? value : undefined;
      if (values === undefined) {
        issue(walk, 'type', pathOf(dataNode), `Leaf-list "${schema.name}" must be a JSON array`, {
          expected: 'array',
          received: value,
        });
        return;
      }
      values.forEach((item, index) => {
        const canonical = node.check!(item, true);
        if (typeof canonical !== 'string')
          typeIssue(walk, childPath(dataNode, schema.module, schema.name), canonical, item);
        else if (schema.kind === 'leaf-list' && !schema.config) positionedLeaf(dataNode, schema, canonical, index + 1);
        else addNode(dataNode, schema, schema.name, schema.module, canonical);
      });
      return;
    }
    case 'container':
      if (!isObject(value)) {
        issue(walk, 'type', pathOf(dataNode), `Container "${schema.name}" must be a JSON object`, {
          expected: 'object',
          received: value,
        });
        return;
      }
      around(search, node, value, addNode(dataNode, schema, schema.name, schema.module));
      return;
    case 'list': {
      if (!Array.isArray(value) || !value.every(isObject)) {
        issue(walk, 'type', pathOf(dataNode), `List "${schema.name}" must be a JSON array of objects`, {
          expected: 'array',
          received: value,
        });
        return;
      }
      const keys = schema.keys ?? [];
      value.forEach((entry, index) => {
        const missing = keys.find((key) => !hasMember(entry, node.members.get(key)!));
        if (missing !== undefined) {
          issue(
            walk,
            'missing-key',
            childPath(dataNode, schema.module, schema.name),
            `List instance is missing its key "${missing}"`,
          );
          return;
        }
        const entryNode =
          keys.length === 0
            ? positionedNode(dataNode, schema, index + 1, false)
            : addNode(dataNode, schema, schema.name, schema.module);
        around(search, node, entry, entryNode);
      });
      return;
    }
    default:
      addNode(dataNode, schema, schema.name, schema.module);
  }
}
