import { ManualClock, type SqlDriver } from '@fleetkit/core';
import { expect, it } from 'vitest';
import { Wakeups } from './wake.ts';

/** A PostgreSQL driver as far as Wakeups sees it: LISTEN hands back its events, NOTIFY and queries do nothing. */
function fakePostgres(): { readonly driver: SqlDriver; restored(): void } {
  let onRestored: (() => void) | undefined;
  const driver = {
    dialect: 'postgres',
    query: async () => [],
    run: async () => ({ changes: 0 }),
    listen: async (_channel: string, _handler: unknown, events?: { onRestored?(): void }) => {
      onRestored = events?.onRestored;
      return async () => {};
    },
    notify: async () => {},
  } as unknown as SqlDriver;
  return { driver, restored: () => onRestored?.() };
}

it('wakes every waiting and watched key when its LISTEN connection comes back (NOTIFYs meanwhile were lost)', async () => {
  const pg = fakePostgres();
  const woken: string[] = [];
  const wakeups = new Wakeups(
    pg.driver,
    new ManualClock(),
    (key) => woken.push(key),
    () => ['d:polling', 'd:both'],
  );
  await wakeups.listen();
  await wakeups.watch('d:watched');
  await wakeups.watch('d:both');
  expect(woken).toEqual([]);
  pg.restored();
  expect(woken.sort()).toEqual(['d:both', 'd:polling', 'd:watched']);
});
