import { YangError, YangErrorCode } from '../errors.ts';
import { type Statement, sub, subArg, subs, where } from '../parser/statement.ts';
import type { BuildNode } from './build-node.ts';
import type { Scope } from './modules.ts';
import { conditions, removeNode } from './nodes.ts';
import { findAbsolute } from './paths.ts';
import { resolveType } from './types.ts';

/** Applies the `deviation` statements of one (sub)module (RFC 7950 §7.20.3). */
export function applyDeviations(tops: BuildNode[], stmt: Statement, scope: Scope): void {
  for (const dev of subs(stmt, 'deviation')) {
    const target = findAbsolute(tops, dev.arg!, scope, dev);
    if (target === undefined)
      throw new YangError(YangErrorCode.Unresolved, `deviation target "${dev.arg}" does not exist`, {
        location: where(dev),
      });
    for (const d of subs(dev, 'deviate')) {
      if (d.arg === 'not-supported') {
        const root: BuildNode = {
          kind: 'container',
          name: '',
          module: '',
          statement: dev,
          children: tops,
          must: [],
          when: [],
        };
        removeNode(root, target);
        continue;
      }
      if (d.arg !== 'add' && d.arg !== 'replace' && d.arg !== 'delete')
        throw new YangError(
          YangErrorCode.Grammar,
          `deviate "${d.arg}": expected not-supported, add, replace or delete`,
          { location: where(d) },
        );
      deviate(target, d, d.arg, scope);
    }
  }
}

function deviate(n: BuildNode, d: Statement, how: 'add' | 'replace' | 'delete', scope: Scope): void {
  const type = sub(d, 'type');
  if (type !== undefined) {
    if (how !== 'replace')
      throw new YangError(YangErrorCode.Grammar, `"type" can only be replaced by a deviation`, {
        location: where(type),
      });
    n.type = resolveType(type, scope, n.module).spec;
  }
  const defs = subs(d, 'default').map((x) => x.arg!);
  if (defs.length > 0) {
    if (how === 'delete') delete n.defaults;
    else n.defaults = how === 'add' ? [...(n.defaults ?? []), ...defs] : defs;
  }
  const config = subArg(d, 'config');
  if (config !== undefined) n.config = config === 'true';
  const mandatory = subArg(d, 'mandatory');
  if (mandatory !== undefined) n.mandatory = mandatory === 'true';
  const min = subArg(d, 'min-elements');
  if (min !== undefined) n.minElements = Number(min);
  const max = subArg(d, 'max-elements');
  if (max !== undefined) {
    if (max === 'unbounded') delete n.maxElements;
    else n.maxElements = Number(max);
  }
  const musts = conditions(d, 'must', scope, n.module);
  if (how === 'delete') n.must = n.must.filter((m) => !musts.some((x) => x.text === m.text));
  else n.must.push(...musts);
  const uniques = subs(d, 'unique').map((u) =>
    u
      .arg!.trim()
      .split(/\s+/)
      .map((p) => p.split('/').map((x) => x.slice(x.indexOf(':') + 1))),
  );
  if (how === 'delete')
    n.unique = (n.unique ?? []).filter((u) => !uniques.some((x) => JSON.stringify(x) === JSON.stringify(u)));
  else if (uniques.length > 0) n.unique = [...(n.unique ?? []), ...uniques];
}
