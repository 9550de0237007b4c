import { YangError, YangErrorCode } from '../errors.ts';
import { type Statement, subs, where } from '../parser/statement.ts';
import { resolvePrefixed, type Scope } from './modules.ts';

/** True when every `if-feature` of `stmt` holds (RFC 7950 §7.20.2, 1.1 expressions included). */
export function enabledByFeatures(stmt: Statement, scope: Scope): boolean {
  for (const f of subs(stmt, 'if-feature')) if (!evaluateFeature(f, scope)) return false;
  return true;
}

function evaluateFeature(stmt: Statement, scope: Scope): boolean {
  const toks = stmt.arg!.match(/\(|\)|[^\s()]+/g) ?? [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new YangError(YangErrorCode.Grammar, `Invalid if-feature "${stmt.arg}": ${msg}`, { location: where(stmt) });
  };
  const factor = (): boolean => {
    const t = toks[i++];
    if (t === undefined) return fail('unexpected end');
    if (t === 'not') return !factor();
    if (t === '(') {
      const v = expr();
      if (toks[i++] !== ')') fail('missing ")"');
      return v;
    }
    const { module: mod, name } = resolvePrefixed(scope, t, stmt);
    if (!mod.features.has(name)) fail(`unknown feature "${t}"`);
    return mod.enabled.has(name);
  };
  const term = (): boolean => {
    let v = factor();
    while (toks[i] === 'and') {
      i++;
      v = factor() && v;
    }
    return v;
  };
  const expr = (): boolean => {
    let v = term();
    while (toks[i] === 'or') {
      i++;
      v = term() || v;
    }
    return v;
  };
  const v = expr();
  if (i < toks.length) fail(`unexpected "${toks[i]}"`);
  return v;
}
