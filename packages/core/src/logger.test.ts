import { describe, expect, it, vi } from 'vitest';
import { CoreError, CoreErrorCode } from './errors.ts';
import { createLogger, jsonLineSink, memoryLogger } from './logger.ts';

describe('Logger', () => {
  it('drops records below its level and keeps structured fields', () => {
    const log = memoryLogger('info');
    log.debug('hidden');
    log.info('device registered', { deviceId: 'd1' });
    expect(log.records).toEqual([{ level: 'info', message: 'device registered', fields: { deviceId: 'd1' } }]);
  });

  it('adds a child context to every record', () => {
    const records: unknown[] = [];
    const log = createLogger({ level: 'debug', sink: (r) => records.push(r) })
      .child({ component: 'txqueue' })
      .child({ account: 'a' });
    log.warn('late ack', { tx: 7 });
    expect(records).toEqual([
      { level: 'warn', message: 'late ack', fields: { component: 'txqueue', account: 'a', tx: 7 } },
    ]);
  });

  it('writes one JSON line with errors in their JSON form', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    jsonLineSink({
      level: 'error',
      message: 'boom',
      fields: { error: new CoreError(CoreErrorCode.SqlFailed, 'bad'), n: 10n },
    });
    expect(JSON.parse(String(spy.mock.calls[0]?.[0]))).toEqual({
      level: 'error',
      msg: 'boom',
      error: { name: 'CoreError', code: 'sql-failed', message: 'bad' },
      n: '10',
    });
    spy.mockRestore();
  });
});
