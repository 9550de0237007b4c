import { CoreError, CoreErrorCode } from '../errors.ts';
import type { SqlExecutor } from '../sql/driver.ts';

/**
 * Wraps a transaction's executor so it refuses work once the transaction has
 * ended: a leaked handle must not run statements outside the transaction.
 */
export function scopedExecutor(inner: SqlExecutor): { readonly executor: SqlExecutor; end(): void } {
  let active = true;
  const ended = (): Promise<never> =>
    Promise.reject(
      new CoreError(CoreErrorCode.SqlClosed, 'Cannot use a transaction after it has committed or rolled back'),
    );
  return {
    executor: {
      dialect: inner.dialect,
      query: (sql, params) => (active ? inner.query(sql, params) : ended()),
      run: (sql, params) => (active ? inner.run(sql, params) : ended()),
    },
    end: () => {
      active = false;
    },
  };
}
