import { invalid as reject } from './_internal/fail.ts';
import { type MatrixRow, METHOD_ALIASES, TABLE_2 } from './matrix.ts';
import { isRole, roleMask } from './roles.ts';

const PREFIX = 'exodm:';

/**
 * Built-in method name → role bit set, with every alias and bare spelling
 * resolved ahead of time so a decision is one `Map.get`.
 */
export interface MethodIndex {
  /** The role bits allowed to call `method`, or undefined if it is not built in. */
  mask(method: string): number | undefined;
  /** The canonical name of a built-in method, alias or bare name. */
  canonical(method: string): string | undefined;
}

/**
 * Indexes a method → roles matrix (default: manual Table 2) and its aliases.
 * Throws `validation-failed` naming the row for an unknown role, a duplicate
 * row, or an alias whose target is not a row.
 */
export function buildMethodIndex(
  rows: readonly MatrixRow[] = TABLE_2,
  aliases: Readonly<Record<string, string>> = METHOD_ALIASES,
): MethodIndex {
  const masks = new Map<string, number>();
  const names = new Map<string, string>();
  rows.forEach((row, i) => {
    const bad = row.roles.find((r) => !isRole(r));
    if (bad !== undefined) invalid(`methods[${i}].roles`, 'one of the six roles of Table 2', bad);
    if (names.has(row.method)) invalid(`methods[${i}].method`, 'a method listed once', row.method);
    add(masks, names, row.method, row.method, roleMask(row.roles));
  });
  for (const [alias, target] of Object.entries(aliases)) {
    const mask = masks.get(target);
    if (mask === undefined) invalid(`aliases[${JSON.stringify(alias)}]`, 'the name of a matrix row', target);
    add(masks, names, alias, target, mask);
  }
  return { mask: (method) => masks.get(method), canonical: (method) => names.get(method) };
}

function add(
  masks: Map<string, number>,
  names: Map<string, string>,
  name: string,
  canonical: string,
  mask: number,
): void {
  masks.set(name, mask);
  names.set(name, canonical);
  // a bare <rpc> resolves to the exodm module, as on the real server (docs/sources.md)
  if (name.startsWith(PREFIX)) {
    const bare = name.slice(PREFIX.length).trimStart();
    if (!masks.has(bare)) {
      masks.set(bare, mask);
      names.set(bare, canonical);
    }
  }
}

function invalid(path: string, expected: string, got: unknown): never {
  return reject(path, expected, got, 'build the method matrix');
}
