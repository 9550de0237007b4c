// Standard Schema v1 (https://standardschema.dev): the interface other
// packages (jsonrpc) use to run our RPC input validators without importing us.
import type { YangIssue } from './issue.ts';
import type { ValidationResult } from './validator.ts';

/** The Standard Schema v1 interface, as the specification defines it. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** Success (`value`) or failure (`issues`) of a Standard Schema validation. */
export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: readonly StandardIssue[] };

/**
 * One Standard Schema issue: message and the path of keys to the offending
 * value, plus valibot's optional `expected` and `received` texts, which
 * consumers such as jsonrpc pass on to the caller.
 */
export interface StandardIssue {
  readonly message: string;
  readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[];
  readonly expected?: string;
  readonly received?: string;
}

/**
 * Splits an instance path below `prefix` into Standard Schema path keys:
 * member names, and for a list entry its key predicate (`{ key: "name='x'" }`).
 */
export function pathKeys(path: string, prefix: string): (string | { key: string })[] {
  const rest = path.startsWith(prefix) ? path.slice(prefix.length) : path;
  const out: (string | { key: string })[] = [];
  for (const match of rest.matchAll(/\/([^/[]+)((?:\[(?:[^\]'"]|'[^']*'|"[^"]*")*\])*)/g)) {
    out.push(match[1]!);
    for (const predicate of match[2]!.matchAll(/\[((?:[^\]'"]|'[^']*'|"[^"]*")*)\]/g)) out.push({ key: predicate[1]! });
  }
  return out;
}

/** Wraps a validation function as a Standard Schema (vendor `fleetkit-yang`). */
export function standardSchema(
  run: (value: unknown) => ValidationResult,
  prefix: string,
): StandardSchemaV1<unknown, Record<string, unknown>> {
  const toIssue = (issue: YangIssue): StandardIssue => {
    const path = pathKeys(issue.path, prefix);
    // yanglint names an unknown member's parent; a params path names the member itself
    if (issue.kind === 'unknown' && typeof issue.received === 'string') path.push(issue.received);
    return {
      message: issue.message,
      path,
      ...(issue.expected === undefined ? {} : { expected: issue.expected }),
      ...(typeof issue.received === 'string' ? { received: issue.received } : {}),
    };
  };
  return {
    '~standard': {
      version: 1,
      vendor: 'fleetkit-yang',
      validate(value) {
        const result = run(value);
        return result.valid ? { value: value as Record<string, unknown> } : { issues: result.issues.map(toIssue) };
      },
    },
  };
}
