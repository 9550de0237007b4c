import type { SchemaNode } from '../schema.ts';
import { addNode, type DataNode } from '../xpath/data-node.ts';
import { pathOf } from './issue.ts';
import type { RuntimeChoice, RuntimeNode } from './runtime-node.ts';
import { walkMembers } from './tree.ts';
import { hasMember, issue, type Walk } from './walk.ts';

// What an object leaves out: mandatory nodes and choices it misses, the
// non-presence containers that exist without it (RFC 7950 §7.5.1) and the
// defaults XPath rules read (§7.6.1).

/** A mandatory choice without data is named at the data node holding it (a choice is no data node). */
export function mandatoryChoices(
  walk: Walk,
  node: RuntimeNode,
  dataNode: DataNode,
  active: Map<RuntimeChoice, string> | undefined,
): void {
  for (const choice of node.choices) {
    if (choice.schema.mandatory !== true || (walk.mode === 'config' && !choice.schema.config)) continue;
    if (active?.has(choice) === true) continue;
    if (choice.outer !== undefined && active?.get(choice.outer.choice) !== choice.outer.name) continue;
    issue(walk, 'mandatory', pathOf(dataNode), `Mandatory choice "${choice.schema.name}" has no case with data`);
  }
}

/**
 * RFC 7950 §7.5.1, §7.5.3: an absent non-presence container exists with its
 * parent, so its `must`s (and those below it) apply. Built as if given as
 * `{}`; one with a `when` waits until the tree is complete, since it exists
 * only while that holds. Only the active case's (else the default case's)
 * containers exist.
 */
export function implicitContainers(
  walk: Walk,
  node: RuntimeNode,
  object: Record<string, unknown>,
  dataNode: DataNode,
  active: Map<RuntimeChoice, string> | undefined,
): void {
  for (const container of node.implicitContainers) {
    if (hasMember(object, container) || (walk.mode === 'config' && !container.schema.config)) continue;
    if (
      !container.cases.every(
        (membership) => (active?.get(membership.choice) ?? membership.choice.schema.defaultCase) === membership.name,
      )
    )
      continue;
    if ((container.schema.when?.length ?? 0) > 0) walk.implicitWhen.push({ node: container, parent: dataNode });
    else
      walkImplicit(
        walk,
        container,
        addNode(dataNode, container.schema, container.schema.name, container.schema.module),
      );
  }
}

/** Walks an absent non-presence container's node as an empty object. */
export function walkImplicit(walk: Walk, node: RuntimeNode, dataNode: DataNode): void {
  if (node.ownXPath) walk.deferred.push(dataNode);
  walkMembers(walk, node, {}, dataNode);
}

/** The node is in the active case of every choice it is in. */
export function casesActive(node: RuntimeNode, active: Map<RuntimeChoice, string> | undefined): boolean {
  for (const membership of node.cases) if (active?.get(membership.choice) !== membership.name) return false;
  return true;
}

/** Reports a missing mandatory node; an absent non-presence container reports what it misses. */
export function missing(walk: Walk, node: RuntimeNode, parent: DataNode, path: string): void {
  if ((node.schema.when?.length ?? 0) > 0) {
    walk.guarded.push({ node, parent, path });
    return;
  }
  const schema = node.schema;
  if (schema.kind === 'container' && schema.presence !== true) {
    for (const child of node.children)
      if ((walk.mode === 'config' ? child.mandatoryConfig : child.mandatoryAll) && child.cases.length === 0)
        missing(
          walk,
          child,
          parent,
          `${path}/${child.schema.module === schema.module ? child.schema.name : `${child.schema.module}:${child.schema.name}`}`,
        );
    for (const choice of node.choices)
      if (choice.schema.mandatory === true && choice.outer === undefined)
        issue(walk, 'mandatory', path, `Mandatory choice "${choice.schema.name}" has no case with data`);
    return;
  }
  if (schema.kind === 'list' || schema.kind === 'leaf-list')
    issue(
      walk,
      'min-elements',
      path,
      `Too few "${schema.name}" instances: at least ${schema.minElements} required, got 0`,
    );
  else issue(walk, 'mandatory', path, `Mandatory node "${schema.name}" instance does not exist`);
}

/** RFC 7950 §7.6.1: defaults are in the tree for XPath; added only where XPath rules need them. Their own `must`s apply, as libyang checks them. */
export function addDefaults(
  walk: Walk,
  node: RuntimeNode,
  object: Record<string, unknown>,
  dataNode: DataNode,
  active: Map<RuntimeChoice, string> | undefined,
): void {
  for (const leaf of node.withDefaults) {
    const schema = leaf.schema;
    if (schema.defaults === undefined) continue;
    if (leaf.jsonNames.some((name) => object[name] !== undefined)) continue;
    if (
      !leaf.cases.every(
        (membership) => (active?.get(membership.choice) ?? membership.choice.schema.defaultCase) === membership.name,
      )
    )
      continue;
    for (const text of schema.defaults) {
      const canonical = leaf.check?.(typedDefault(schema, text));
      const defaultNode = addNode(
        dataNode,
        schema,
        schema.name,
        schema.module,
        typeof canonical === 'string' ? canonical : text,
        true,
      );
      if (schema.must !== undefined) walk.deferred.push(defaultNode);
    }
  }
}

/** A value written in YANG text (a default, a key in a path) as RFC 7951 JSON would carry it. */
export function typedDefault(schema: SchemaNode, text: string): unknown {
  const base = schema.type?.base;
  if (
    base === 'int8' ||
    base === 'int16' ||
    base === 'int32' ||
    base === 'uint8' ||
    base === 'uint16' ||
    base === 'uint32'
  )
    return Number(text);
  if (base === 'boolean') return text === 'true';
  if (base === 'empty') return [null];
  return text;
}
