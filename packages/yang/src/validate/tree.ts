import { addNode, type DataNode } from '../xpath/data-node.ts';
import { addDefaults, casesActive, implicitContainers, mandatoryChoices, missing } from './absent.ts';
import { childPath, pathOf } from './issue.ts';
import { walkLeafList, walkList } from './lists.ts';
import type { RuntimeChoice, RuntimeNode } from './runtime-node.ts';
import { defer, hasMember, isObject, issue, typeIssue, type Walk } from './walk.ts';

export { issue, type TreeMode, type Walk } from './walk.ts';

const SEEN_MAX = 32;

const PLACEHOLDER: DataNode = Object.freeze({
  name: '',
  module: '',
  parent: undefined,
  schema: undefined,
  value: undefined,
  children: [],
});

/** Validates the members of a JSON object against the children of `node`, building data nodes under `dataNode`. */
export function walkMembers(walk: Walk, node: RuntimeNode, object: Record<string, unknown>, dataNode: DataNode): void {
  // Children are gathered in a list reused per depth, then kept as an exact-size
  // copy: a list grown by push keeps spare slots, and the tree outlives the
  // walk, so its size sets the speed of large documents
  // (docs/decisions/yang-002-compiled-validator.md).
  // Each list starts with a placeholder that is never cut: V8 drops the
  // storage of an array whose length is set to 0, and regrowing it would
  // allocate once per list entry. The placeholder matches no name.
  const ownChildren = dataNode.children;
  let gathered = walk.scratch[walk.depth];
  if (gathered === undefined) {
    gathered = [PLACEHOLDER];
    walk.scratch[walk.depth] = gathered;
  }
  walk.depth++;
  dataNode.children = gathered;
  walkChildren(walk, node, object, dataNode);
  walk.depth--;
  dataNode.children =
    gathered.length === 1
      ? ownChildren
      : ownChildren.length === 0
        ? gathered.slice(1)
        : ownChildren.concat(gathered.slice(1));
  gathered.length = 1;
  if (!walk.tree) return;
  // plain leaves were only checked and list entries may be gone: the node completes them if XPath ever walks into it (validate/lazy.ts)
  dataNode.source = object;
  if (node.lazy !== undefined) dataNode.lazy = walk.mode === 'config' ? node.lazy.config : node.lazy.data;
  if (node.earlyLeaves.length > 0) earlyMusts(walk, node, object, dataNode);
}

/** The `must`s of early leaves, on the finished node (they read only its leaves); a failure sends the run to the generic path. */
function earlyMusts(walk: Walk, node: RuntimeNode, object: Record<string, unknown>, dataNode: DataNode): void {
  const config = walk.mode === 'config';
  const early = node.earlyLeaves;
  for (let i = 0; i < early.length; i++) {
    const leaf = early[i]!;
    const { musts, self } = leaf.early!;
    if (config && !leaf.schema.config) continue;
    for (let j = 0; j < leaf.jsonNames.length; j++) {
      const value = object[leaf.jsonNames[j]!];
      if (value === undefined) continue;
      // the walk checked the value already; only a must reading `.` needs its canonical string. A value
      // that failed its type has no node and no must on the generic path: a must failing on it here only
      // sends the run there (the walk reported the type issue either way)
      const canonical = self ? leaf.check!(value, true) : '';
      if (typeof canonical !== 'string') continue;
      for (let mustIndex = 0; mustIndex < musts.length; mustIndex++) {
        if (!musts[mustIndex]!(undefined, dataNode, canonical, config)) {
          walk.fallback = true;
          return;
        }
      }
    }
  }
}

function walkChildren(walk: Walk, node: RuntimeNode, object: Record<string, unknown>, dataNode: DataNode): void {
  const active = node.choices.length > 0 ? new Map<RuntimeChoice, string>() : undefined;
  // objects of one list mostly list the same members in the same order: the
  // member met at each position last time is checked first (a string compare,
  // not a hash lookup); only a hint, always verified
  const seenKeys = node.seenKeys;
  const seenNodes = node.seenNodes;
  let position = 0;
  for (const key in object) {
    let child: RuntimeNode | undefined;
    if (seenKeys[position] === key) child = seenNodes[position];
    else {
      child = node.members.get(key);
      if (position < SEEN_MAX) {
        seenKeys[position] = key;
        seenNodes[position] = child;
      }
    }
    position++;
    if (child === undefined) {
      unknownMember(walk, node, key, dataNode);
      continue;
    }
    if (walk.mode === 'config' && !child.schema.config) {
      issue(
        walk,
        'state',
        childPath(dataNode, child.schema.module, child.schema.name),
        `Unexpected state node "${child.schema.name}" (config false) in configuration data`,
      );
      continue;
    }
    // an empty non-presence container, or a list given as [], is not data of
    // its case (libyang treats the container as a default node, [] as no entries)
    if (active !== undefined && !noData(child, object[key])) {
      for (const membership of child.cases) {
        const chosen = active.get(membership.choice);
        if (chosen === undefined) active.set(membership.choice, membership.name);
        else if (chosen !== membership.name)
          issue(
            walk,
            'choice',
            pathOf(dataNode),
            `Data for both cases "${chosen}" and "${membership.name}" of choice "${membership.choice.schema.name}" exist`,
          );
      }
    }
    walkValue(walk, child, object[key], dataNode);
  }
  const mustHave = walk.mode === 'config' ? node.mustHaveConfig : node.mustHaveAll;
  for (let i = 0; i < mustHave.length; i++) {
    const required = mustHave[i]!;
    if (hasMember(object, required)) continue;
    if (!casesActive(required, active)) continue;
    // built below as an implicit container, which reports what it misses
    if (required.implicitMust) continue;
    missing(walk, required, dataNode, childPath(dataNode, required.schema.module, required.schema.name));
  }
  if (node.choices.length > 0) mandatoryChoices(walk, node, dataNode, active);
  if (node.implicitContainers.length > 0) implicitContainers(walk, node, object, dataNode, active);
  if (node.xpath && node.withDefaults.length > 0) addDefaults(walk, node, object, dataNode, active);
}

/** A member the node does not define; an action or notification defined there is named itself, as libyang does. */
function unknownMember(walk: Walk, node: RuntimeNode, key: string, dataNode: DataNode): void {
  const operation = node.operations?.get(key);
  if (operation !== undefined) {
    const what = operation.kind === 'notification' ? 'notification' : operation.kind === 'action' ? 'action' : 'RPC';
    issue(
      walk,
      'unknown',
      childPath(dataNode, operation.module, operation.name),
      `Unexpected ${what} "${operation.name}" in data`,
      {
        received: key,
      },
    );
    return;
  }
  issue(
    walk,
    'unknown',
    pathOf(dataNode),
    `Node "${key}" not found as a child of ${dataNode.parent === undefined ? 'the data root' : `"${dataNode.name}"`}`,
    { received: key },
  );
}

/** Whether a member's value instantiates no data node: an empty non-presence container (recursively) or an empty list or leaf-list. */
function noData(node: RuntimeNode, value: unknown): boolean {
  const kind = node.schema.kind;
  if (kind === 'list' || kind === 'leaf-list') return Array.isArray(value) && value.length === 0;
  if (kind !== 'container' || node.schema.presence === true || !isObject(value)) return false;
  for (const key in value) {
    const child = node.members.get(key);
    if (child === undefined || !noData(child, value[key])) return false;
  }
  return true;
}

/** Validates one member's value (leaf, leaf-list, container, list, anydata). */
export function walkValue(walk: Walk, node: RuntimeNode, value: unknown, parent: DataNode): void {
  const schema = node.schema;
  switch (schema.kind) {
    case 'leaf': {
      const keep = (walk.tree && !node.lazyLeaf) || node.isKey;
      const leafref = node.early?.leafref === true;
      const canonical = node.check!(value, keep || leafref);
      if (typeof canonical === 'string') {
        if (leafref) walk.leafrefValues[walk.leafrefCount++] = canonical;
        if (keep) {
          const dataNode = addNode(parent, schema, schema.name, schema.module, canonical);
          if (node.ownXPath) defer(walk, node, dataNode, value);
        }
      } else typeIssue(walk, childPath(parent, schema.module, schema.name), canonical, value);
      return;
    }
    case 'leaf-list':
      walkLeafList(walk, node, value, parent);
      return;
    case 'container': {
      // yanglint names the parent for a member of the wrong JSON kind
      if (!isObject(value)) {
        issue(walk, 'type', pathOf(parent), `Container "${schema.name}" must be a JSON object`, {
          expected: 'object',
          received: value,
        });
        return;
      }
      const dataNode = addNode(parent, schema, schema.name, schema.module);
      if (node.ownXPath) walk.deferred.push(dataNode);
      walkMembers(walk, node, value, dataNode);
      return;
    }
    case 'list':
      walkList(walk, node, value, parent);
      return;
    default: {
      const dataNode = addNode(parent, schema, schema.name, schema.module);
      if (schema.kind === 'anydata' && !isObject(value))
        issue(walk, 'type', pathOf(dataNode), `anydata "${schema.name}" must be a JSON object`, {
          expected: 'object',
          received: value,
        });
      if (node.ownXPath) walk.deferred.push(dataNode);
    }
  }
}
