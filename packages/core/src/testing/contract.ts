import { it, type TestContext } from 'vitest';
import { CoreError, CoreErrorCode } from '../errors.ts';

/**
 * What every contract suite takes beside the implementation it tests: the
 * shape of hono's `runTest({ skip })` and unstorage's
 * `testDriver({ additionalTests })`.
 */
export interface ContractOptions<Context> {
  /**
   * The suite's tests this implementation is exempt from, by exact name, each
   * with the reason: they are reported as skipped with the reason beside
   * them. Naming a test the suite does not have fails the suite, so a renamed
   * test cannot leave a stale exemption behind.
   */
  readonly skip?: Readonly<Record<string, string>>;
  /** Registers the implementation's own tests inside the suite, after the suite's, with the suite's context. */
  readonly additionalTests?: (context: Context) => void;
}

/** The body of one contract test (vitest's test context as its argument). */
export type ContractTestBody = (context: TestContext) => unknown;

/** How a contract suite registers its tests so that {@link ContractOptions} apply to them. */
export interface ContractSuite<Context> {
  /** Registers a test like vitest's `it`, or, when `skip` names it, a skipped test carrying the reason. */
  test(name: string, body: ContractTestBody, timeout?: number): void;
  /** Call last inside the suite's `describe`: registers the additional tests and checks the skip list's names. */
  finish(context: Context): void;
}

/**
 * The registrar a contract suite calls instead of `it`, inside its
 * `describe`:
 *
 * ```ts
 * const contract = contractSuite(options);
 * contract.test('reads back what it wrote', async () => { … });
 * contract.finish(context);
 * ```
 */
export function contractSuite<Context>(options: ContractOptions<Context> = {}): ContractSuite<Context> {
  const skip = options.skip ?? {};
  const names = new Set<string>();
  return {
    test(name, body, timeout) {
      names.add(name);
      const reason = Object.hasOwn(skip, name) ? skip[name] : undefined;
      // a dynamic skip, unlike `it.skip`, carries a note that reporters print beside the test's name
      if (reason === undefined) it(name, body, timeout);
      else it(name, (context) => context.skip(reason));
    },
    finish(context) {
      const unknown = Object.keys(skip).filter((name) => !names.has(name));
      if (unknown.length > 0) {
        throw new CoreError(
          CoreErrorCode.InvalidArgument,
          `Cannot skip ${unknown.map((name) => JSON.stringify(name)).join(', ')} as the suite has no test of that name`,
          { details: { path: 'skip', expected: [...names], got: unknown } },
        );
      }
      options.additionalTests?.(context);
    },
  };
}

/**
 * Reads, for a suite's context, a value the suite opens in `beforeAll`;
 * throws {@link CoreError} `invalid-argument` when read sooner, while the
 * tests are still being registered.
 */
export function whenOpened<T>(value: T | undefined, what: string): T {
  if (value !== undefined) return value;
  throw new CoreError(
    CoreErrorCode.InvalidArgument,
    `Cannot read ${what} before the suite's first test: read it inside a test`,
  );
}
