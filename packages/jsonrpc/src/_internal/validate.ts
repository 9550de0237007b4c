import { JsonRpcError, RpcMessage } from '../errors.ts';
import { describe, toParamsIssues, type ParamsIssue } from '../issues.ts';
import type { MethodDefinition } from '../method.ts';
import type { StandardResult } from '../standard-schema.ts';

/** Validated params, a promise of them, or a thrown -32602 JsonRpcError. */
export function validateParams(def: MethodDefinition, raw: unknown): unknown {
  const input = def.positional === undefined ? raw : byName(def.positional, raw);
  const schema = def.params;
  if (schema === undefined) return input;
  const result = schema['~standard'].validate(input);
  return result instanceof Promise ? result.then((r) => outcome(r, input)) : outcome(result, input);
}

function outcome(result: StandardResult<unknown>, input: unknown): unknown {
  if (result.issues === undefined) return result.value;
  throw invalidParams(toParamsIssues(result.issues, input));
}

export function invalidParams(issues: ParamsIssue[]): JsonRpcError {
  return new JsonRpcError('invalid-params', RpcMessage['invalid-params'], { data: { issues } });
}

// specification §4.2: by-position params are mapped onto the declared names
function byName(names: readonly string[], raw: unknown): unknown {
  if (raw === undefined) return {};
  if (!Array.isArray(raw)) return raw;
  if (raw.length > names.length) {
    throw invalidParams([
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
