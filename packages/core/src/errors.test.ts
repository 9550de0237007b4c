import { describe, expect, it } from 'vitest';
import { CoreError, CoreErrorCode, FleetkitError } from './errors.ts';

class WidgetError extends FleetkitError<'widget-broken'> {}

describe('FleetkitError', () => {
  it('keeps a stable code, details and cause', () => {
    const cause = new Error('disk full');
    const error = new CoreError(CoreErrorCode.SqlFailed, 'Cannot insert', { cause, details: { sql: 'INSERT' } });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('sql-failed');
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ sql: 'INSERT' });
  });

  it('names itself after the subclass a package declares', () => {
    expect(new WidgetError('widget-broken', 'x').name).toBe('WidgetError');
    expect(String(new WidgetError('widget-broken', 'it broke'))).toBe('WidgetError: it broke');
  });

  it('serialises to JSON with nested causes', () => {
    const inner = new WidgetError('widget-broken', 'inner', { details: { part: 3 } });
    const outer = new CoreError(CoreErrorCode.TaskFailed, 'outer', { cause: inner });
    expect(JSON.parse(JSON.stringify(outer))).toEqual({
      name: 'CoreError',
      code: 'task-failed',
      message: 'outer',
      cause: { name: 'WidgetError', code: 'widget-broken', message: 'inner', details: { part: 3 } },
    });
  });

  it('omits absent details and cause from JSON', () => {
    expect(new CoreError(CoreErrorCode.PoolClosed, 'closed').toJSON()).toEqual({
      name: 'CoreError',
      code: 'pool-closed',
      message: 'closed',
    });
  });
});
