import { describeValue } from '@fleetkit/jsonrpc';
import {
  compileSchema,
  createValidator,
  ModuleRepository,
  type Validator,
  YangError,
  type YangIssue,
} from '@fleetkit/yang';
import type { ServerContext } from './context.ts';
import { Outcome, ResultCode } from './result-code.ts';

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
 * The YANG module texts an account's attribute specifications may use:
 * its own modules first, then the system repository's. The YANG-module
 * registry owns the table; this reads it.
 */
async function moduleTexts(
  server: ServerContext,
  account: string,
): Promise<{ readonly name: string; readonly text: string }[]> {
  return server.db.query<{ name: string; text: string }>(
    `SELECT name, text FROM srv_yang_modules WHERE account = $1 OR repository = 'system'
     ORDER BY CASE WHEN account = $1 THEN 0 ELSE 1 END, name`,
    [account],
  );
}

/**
 * Compiles the named module of the account and finds its container.
 * Throws the outcome `object-not-found` when the account has no such
 * module, `validation-failed` when it does not compile or has no such
 * top-level container.
 */
export async function attributeSchema(
  server: ServerContext,
  account: string,
  module: string,
  container: string,
): Promise<AttributeSchema> {
  const reference = parseModuleReference(module);
  const repository = new ModuleRepository();
  for (const row of await moduleTexts(server, account)) {
    try {
      repository.add(row.text, row.name);
    } catch (error) {
      // a module the registry accepted but this repository cannot hold beside the others only matters if imported
      if (!(error instanceof YangError)) throw error;
    }
  }
  if (repository.get(reference.name, reference.revision) === undefined) {
    throw new Outcome(ResultCode.ObjectNotFound, `yang module ${module} does not exist`);
  }
  let validator: Validator;
  try {
    const name = reference.revision === undefined ? reference.name : `${reference.name}@${reference.revision}`;
    validator = createValidator(compileSchema(repository, [name]));
  } catch (error) {
    if (error instanceof YangError) throw new Outcome(ResultCode.ValidationFailed, error.message);
    throw error;
  }
  const found = validator.schema.data.some(
    (node) => node.kind === 'container' && node.name === container && node.module === reference.name,
  );
  if (!found) {
    throw new Outcome(ResultCode.ValidationFailed, `yang module ${module} has no top-level container ${container}`);
  }
  const root = `${reference.name}:${container}`;
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
