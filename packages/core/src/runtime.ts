/** The JavaScript runtimes fleetkit tells apart. */
export type RuntimeKey = 'node' | 'bun' | 'deno' | 'other';

/** The globals {@link runtimeKey} looks at. */
export interface RuntimeGlobals {
  readonly Bun?: unknown;
  readonly Deno?: unknown;
  readonly process?: { readonly release?: { readonly name?: unknown } } | undefined;
}

/**
 * The runtime this code runs on (as hono's `getRuntimeKey`). Bun and Deno
 * both provide a Node-compatible `process` whose release name is `node`, so
 * their own globals are asked first. `scope` defaults to `globalThis`.
 */
export function runtimeKey(scope: RuntimeGlobals = globalThis as RuntimeGlobals): RuntimeKey {
  if (isObject(scope.Deno)) return 'deno';
  if (isObject(scope.Bun)) return 'bun';
  if (scope.process?.release?.name === 'node') return 'node';
  return 'other';
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}
