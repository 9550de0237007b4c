import { YangError, YangErrorCode } from '../errors.ts';
import { type Statement, sub, subArg, subs, where } from '../parser/statement.ts';
import type { BuildNode } from './build-node.ts';
import type { Scope } from './modules.ts';
import { conditions, removeNode } from './nodes.ts';
import { findAbsolute } from './paths.ts';
import { resolveType } from './types.ts';

/** Applies the `deviation` statements of one (sub)module (RFC 7950 §7.20.3). */
export function applyDeviations(tops: BuildNode[], statement: Statement, scope: Scope): void {
  for (const deviation of subs(statement, 'deviation')) {
    const target = findAbsolute(tops, deviation.arg!, scope, deviation);
    if (target === undefined)
      throw new YangError(YangErrorCode.Unresolved, `deviation target "${deviation.arg}" does not exist`, {
        location: where(deviation),
      });
    for (const change of subs(deviation, 'deviate')) {
      if (change.arg === 'not-supported') {
        const root: BuildNode = {
          kind: 'container',
          name: '',
          module: '',
          statement: deviation,
          children: tops,
          must: [],
          when: [],
        };
        removeNode(root, target);
        continue;
      }
      if (change.arg !== 'add' && change.arg !== 'replace' && change.arg !== 'delete')
        throw new YangError(
          YangErrorCode.Grammar,
          `deviate "${change.arg}": expected not-supported, add, replace or delete`,
          { location: where(change) },
        );
      deviate(target, change, change.arg, scope);
    }
  }
}

function deviate(node: BuildNode, change: Statement, how: 'add' | 'replace' | 'delete', scope: Scope): void {
  const type = sub(change, 'type');
  if (type !== undefined) {
    if (how !== 'replace')
      throw new YangError(YangErrorCode.Grammar, `"type" can only be replaced by a deviation`, {
        location: where(type),
      });
    node.type = resolveType(type, scope, node.module).spec;
  }
  const defaults = subs(change, 'default').map((child) => child.arg!);
  if (defaults.length > 0) {
    if (how === 'delete') delete node.defaults;
    else node.defaults = how === 'add' ? [...(node.defaults ?? []), ...defaults] : defaults;
  }
  const config = subArg(change, 'config');
  if (config !== undefined) node.config = config === 'true';
  const mandatory = subArg(change, 'mandatory');
  if (mandatory !== undefined) node.mandatory = mandatory === 'true';
  const min = subArg(change, 'min-elements');
  if (min !== undefined) node.minElements = Number(min);
  const max = subArg(change, 'max-elements');
  if (max !== undefined) {
    if (max === 'unbounded') delete node.maxElements;
    else node.maxElements = Number(max);
  }
  const musts = conditions(change, 'must', scope, node.module);
  if (how === 'delete') node.must = node.must.filter((must) => !musts.some((removed) => removed.text === must.text));
  else node.must.push(...musts);
  const uniques = subs(change, 'unique').map((unique) =>
    unique
      .arg!.trim()
      .split(/\s+/)
      .map((path) => path.split('/').map((step) => step.slice(step.indexOf(':') + 1))),
  );
  if (how === 'delete')
    node.unique = (node.unique ?? []).filter(
      (tuple) => !uniques.some((removed) => JSON.stringify(removed) === JSON.stringify(tuple)),
    );
  else if (uniques.length > 0) node.unique = [...(node.unique ?? []), ...uniques];
}
