import { YangError, YangErrorCode } from '../errors.ts';
import { type Statement, where } from '../parser/statement.ts';
import type { BuildNode } from './build-node.ts';
import { resolvePrefixed, type Scope } from './modules.ts';

/** Resolves a descendant schema node id (`a/b`, RFC 7950 §6.5) below `root`. */
export function findDescendant(root: BuildNode, path: string, scope: Scope, origin: Statement): BuildNode {
  const found = walk([root], path.replace(/^\.?\//, ''), scope, origin, false);
  if (found === undefined)
    throw new YangError(YangErrorCode.Unresolved, `Cannot find schema node "${path}" for ${origin.keyword}`, {
      location: where(origin),
    });
  return found;
}

/** Resolves an absolute schema node id (`/p:a/p:b`) among the top-level nodes, or undefined. */
export function findAbsolute(tops: BuildNode[], path: string, scope: Scope, origin: Statement): BuildNode | undefined {
  if (!path.startsWith('/'))
    throw new YangError(YangErrorCode.Grammar, `"${origin.keyword}" needs an absolute schema node id, got "${path}"`, {
      location: where(origin),
    });
  const root: BuildNode = {
    kind: 'container',
    name: '',
    module: '',
    statement: origin,
    children: tops,
    must: [],
    when: [],
  };
  return walk([root], path.slice(1), scope, origin, true);
}

function walk(
  start: BuildNode[],
  path: string,
  scope: Scope,
  origin: Statement,
  strictModule: boolean,
): BuildNode | undefined {
  let current = start[0]!;
  for (const step of path.split('/')) {
    const reference = step.trim();
    const { module, name } = resolvePrefixed(scope, reference, origin);
    const prefixed = reference.includes(':');
    const next = current.children.find(
      (child) =>
        child.name === name &&
        (child.kind === 'input' ||
          child.kind === 'output' ||
          (prefixed || strictModule ? child.module === module.name : true)),
    );
    if (next === undefined) return undefined;
    current = next;
  }
  return current;
}
