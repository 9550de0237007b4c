import { JsonRpcError } from '../errors.ts';
import { describe, type ParamsIssue, toParamsIssues } from '../issues.ts';
import type { MethodDefinition } from '../method.ts';
import type { StandardResult } from '../standard-schema.ts';
import { overflowIssue } from './finite.ts';

/** Validated params, a promise of them, or a thrown -32602 JsonRpcError. */
export function validateParams(def: MethodDefinition, raw: unknown): unknown {
  const input = def.positional === undefined ? raw : byName(def.positional, raw);
  const schema = def.params;
  if (schema === undefined) return input;
  // a schema promises checked params: none holds a number JSON.parse read as ±Infinity (the path is the one sent)
  const overflow = overflowIssue(raw);
  if (overflow !== undefined) throw JsonRpcError.invalidParams([overflow]);
  const result = schema['~standard'].validate(input);
  // issues name the position the caller used, not the name it was mapped to
  const names = Array.isArray(raw) ? def.positional : undefined;
  return result instanceof Promise ? result.then((r) => outcome(r, input, names)) : outcome(result, input, names);
}

function outcome(result: StandardResult<unknown>, input: unknown, names: readonly string[] | undefined): unknown {
  if (result.issues === undefined) return result.value;
  const issues = toParamsIssues(result.issues, input);
  throw JsonRpcError.invalidParams(names === undefined ? issues : issues.map((i) => atPosition(i, names)));
}

function atPosition(issue: ParamsIssue, names: readonly string[]): ParamsIssue {
  const at = typeof issue.path[0] === 'string' ? names.indexOf(issue.path[0]) : -1;
  return at < 0 ? issue : { ...issue, path: [at, ...issue.path.slice(1)] };
}

// specification §4.2: by-position params are mapped onto the declared names
function byName(names: readonly string[], raw: unknown): unknown {
  if (raw === undefined) return {};
  if (!Array.isArray(raw)) return raw;
  if (raw.length > names.length) {
    throw JsonRpcError.invalidParams([
      {
        path: [names.length],
        expected: `at most ${names.length} positional params (${names.join(', ')})`,
        got: `${raw.length} params, extra ${describe(raw[names.length])}`,
        message: `Too many positional params: expected at most ${names.length}`,
      },
    ]);
  }
  const named: Record<string, unknown> = {};
  for (let i = 0; i < raw.length; i++) named[names[i]!] = raw[i];
  return named;
}
