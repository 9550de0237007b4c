import { describeValue } from '@fleetkit/jsonrpc';
import { createValidator, type YangIssue } from '@fleetkit/yang';
import type { ServerContext } from './context.ts';
import { modulesOf } from './modules.ts';
import { fail, Outcome, ResultCode } from './result-code.ts';

/**
 * One way device attributes break their type's specification, in the shape
 * of a -32602 issue (`path` from the params root, `expected`, `got`,
 * `message`), plus the YANG instance path the validator reported.
 */
export interface AttributeIssue {
  readonly path: readonly (string | number)[];
  readonly expected: string | null;
  readonly got: string;
  readonly message: string;
  readonly yangPath: string;
}

/** A device type's attribute specification: one container of one YANG module (manual §5.5). */
export interface AttributeSchema {
  readonly module: string;
  readonly container: string;
  /** The issues of `attributes` (sent as the param `attributes`) against the container; none when valid. */
  check(attributes: Readonly<Record<string, unknown>>): AttributeIssue[];
}

/**
 * The business outcome of attributes that break the specification:
 * `{"result": "validation-failed", "reason": …, "issues": [...]}`.
 */
export class AttributesInvalid extends Outcome {
  readonly issues: readonly AttributeIssue[];

  constructor(issues: readonly AttributeIssue[]) {
    const first = issues[0];
    super(
      ResultCode.ValidationFailed,
      first === undefined ? 'invalid attributes' : `${first.path.join('/')}: ${first.message}`,
    );
    this.issues = issues;
  }

  override toResult(): { readonly result: ResultCode; readonly reason: string; readonly issues: AttributeIssue[] } {
    return { ...super.toResult(), issues: [...this.issues] };
  }
}

/** `rfzone`, `rfzone.yang` or `rfzone@2013-01-01(.yang)`: the module name and revision a type names. */
export function parseModuleReference(reference: string): { readonly name: string; readonly revision?: string } {
  const bare = reference.endsWith('.yang') ? reference.slice(0, -'.yang'.length) : reference;
  const at = bare.indexOf('@');
  return at < 0 ? { name: bare } : { name: bare.slice(0, at), revision: bare.slice(at + 1) };
}

/**
 * Finds the container a device type names in the account's YANG modules
 * (compiled and cached by the module registry, modules.ts). Throws the
 * outcome `object-not-found` when the account sees no such module,
 * `validation-failed` when it does not compile or has no such top-level
 * container.
 */
export async function attributeSchema(
  server: ServerContext,
  account: string,
  module: string,
  container: string,
): Promise<AttributeSchema> {
  const compiled =
    (await modulesOf(server).compiled(account, parseModuleReference(module).name)) ??
    fail(ResultCode.ObjectNotFound, `yang module ${module} does not exist`);
  const found = compiled.schema.data.some(
    (node) => node.kind === 'container' && node.name === container && node.module === compiled.module,
  );
  if (!found) fail(ResultCode.ValidationFailed, `yang module ${module} has no top-level container ${container}`);
  // the yang package prepares a schema's runtime once per schema object, which the registry keeps
  const validator = createValidator(compiled.schema);
  const root = `${compiled.module}:${container}`;
  return {
    module,
    container,
    check(attributes) {
      const result = validator.validateData({ [root]: attributes });
      // other top-level nodes of the module (their mandatory leaves) are not the device's business
      const own = result.issues.filter((issue) => within(issue.path, `/${root}`));
      return own.map((issue) => attributeIssue(issue, `/${root}`, attributes));
    },
  };
}

function within(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`) || path.startsWith(`${root}[`);
}

function attributeIssue(issue: YangIssue, root: string, attributes: unknown): AttributeIssue {
  const found = paramPath(issue.path.slice(root.length), attributes);
  const path = ['attributes', ...found.path];
  let value = found.value;
  // the validator reports an unknown member at its parent, naming the member in `received`
  if (issue.kind === 'unknown' && typeof issue.received === 'string' && isObject(value)) {
    path.push(issue.received);
    value = value[issue.received];
  }
  return {
    path,
    expected: issue.expected ?? null,
    got: describeValue(value),
    message: issue.message,
    yangPath: issue.path,
  };
}

/**
 * Maps a YANG instance path below the container (`/list[key='a']/leaf`,
 * `/leaf-list[.='x']`, `/keyless[2]`) onto the JSON keys and array indexes
 * of the attributes, so a caller can find the value the issue is about.
 */
export function paramPath(
  yangPath: string,
  data: unknown,
): { readonly path: (string | number)[]; readonly value: unknown } {
  const path: (string | number)[] = [];
  let value = data;
  for (const segment of splitSegments(yangPath)) {
    const bracket = segment.indexOf('[');
    const name = bracket < 0 ? segment : segment.slice(0, bracket);
    path.push(name);
    value = isObject(value) ? value[name] : undefined;
    if (bracket < 0) continue;
    const predicates = parsePredicates(segment.slice(bracket));
    const index = Array.isArray(value) ? value.findIndex((entry, at) => matches(entry, at, predicates)) : -1;
    if (index < 0 || !Array.isArray(value)) {
      value = undefined;
      continue;
    }
    path.push(index);
    value = value[index];
  }
  return { path, value };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Splits an instance path at the slashes outside quoted predicate values. */
function splitSegments(path: string): string[] {
  const segments: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const char of path) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      current += char;
    } else if (char === '/') {
      if (current !== '') segments.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (current !== '') segments.push(current);
  return segments;
}

type Predicate = { readonly key: string; readonly value: string } | { readonly position: number };

function parsePredicates(text: string): Predicate[] {
  const predicates: Predicate[] = [];
  const pattern = /\[\s*(?:([^=\]\s]+)\s*=\s*(?:'([^']*)'|"([^"]*)")|(\d+))\s*\]/g;
  for (const match of text.matchAll(pattern)) {
    if (match[4] !== undefined) predicates.push({ position: Number(match[4]) });
    else predicates.push({ key: match[1]!, value: match[2] ?? match[3] ?? '' });
  }
  return predicates;
}

function matches(entry: unknown, at: number, predicates: readonly Predicate[]): boolean {
  return predicates.every((predicate) => {
    if ('position' in predicate) return predicate.position === at + 1;
    const actual = predicate.key === '.' ? entry : isObject(entry) ? entry[predicate.key] : undefined;
    return scalarText(actual) === predicate.value;
  });
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
