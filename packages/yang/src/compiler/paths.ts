import { YangError, YangErrorCode } from '../errors.ts';
import { type Statement, where } from '../parser/statement.ts';
import type { BuildNode } from './build-node.ts';
import { resolvePrefixed, type Scope } from './modules.ts';

/** Resolves a descendant schema node id (`a/b`, RFC 7950 §6.5) below `root`. */
export function findDescendant(root: BuildNode, path: string, scope: Scope, at: Statement): BuildNode {
  const found = walk([root], path.replace(/^\.?\//, ''), scope, at, false);
  if (found === undefined)
    throw new YangError(YangErrorCode.Unresolved, `Cannot find schema node "${path}" for ${at.keyword}`, {
      location: where(at),
    });
  return found;
}

/** Resolves an absolute schema node id (`/p:a/p:b`) among the top-level nodes, or undefined. */
export function findAbsolute(tops: BuildNode[], path: string, scope: Scope, at: Statement): BuildNode | undefined {
  if (!path.startsWith('/'))
    throw new YangError(YangErrorCode.Grammar, `"${at.keyword}" needs an absolute schema node id, got "${path}"`, {
      location: where(at),
    });
  const root: BuildNode = {
    kind: 'container',
    name: '',
    module: '',
    statement: at,
    children: tops,
    must: [],
    when: [],
  };
  return walk([root], path.slice(1), scope, at, true);
}

function walk(
  start: BuildNode[],
  path: string,
  scope: Scope,
  at: Statement,
  strictModule: boolean,
): BuildNode | undefined {
  let cur = start[0]!;
  for (const step of path.split('/')) {
    const ref = step.trim();
    const { module: mod, name } = resolvePrefixed(scope, ref, at);
    const prefixed = ref.includes(':');
    const next = cur.children.find(
      (c) =>
        c.name === name &&
        (c.kind === 'input' || c.kind === 'output' || (prefixed || strictModule ? c.module === mod.name : true)),
    );
    if (next === undefined) return undefined;
    cur = next;
  }
  return cur;
}
