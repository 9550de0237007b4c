import { YangError, YangErrorCode } from '../errors.ts';
import { type Statement, subs, where } from '../parser/statement.ts';
import { resolvePrefixed, type Scope } from './modules.ts';

/** True when every `if-feature` of `statement` holds (RFC 7950 §7.20.2, 1.1 expressions included). */
export function enabledByFeatures(statement: Statement, scope: Scope): boolean {
  for (const ifFeature of subs(statement, 'if-feature')) if (!evaluateFeature(ifFeature, scope)) return false;
  return true;
}

function evaluateFeature(statement: Statement, scope: Scope): boolean {
  const tokens = statement.arg!.match(/\(|\)|[^\s()]+/g) ?? [];
  let position = 0;
  const fail = (message: string): never => {
    throw new YangError(YangErrorCode.Grammar, `Invalid if-feature "${statement.arg}": ${message}`, {
      location: where(statement),
    });
  };
  const factor = (): boolean => {
    const token = tokens[position++];
    if (token === undefined) return fail('unexpected end');
    if (token === 'not') return !factor();
    if (token === '(') {
      const value = expr();
      if (tokens[position++] !== ')') fail('missing ")"');
      return value;
    }
    const { module, name } = resolvePrefixed(scope, token, statement);
    if (!module.features.has(name)) fail(`unknown feature "${token}"`);
    return module.enabled.has(name);
  };
  const term = (): boolean => {
    let value = factor();
    while (tokens[position] === 'and') {
      position++;
      value = factor() && value;
    }
    return value;
  };
  const expr = (): boolean => {
    let value = term();
    while (tokens[position] === 'or') {
      position++;
      value = term() || value;
    }
    return value;
  };
  const result = expr();
  if (position < tokens.length) fail(`unexpected "${tokens[position]}"`);
  return result;
}
