import { ManualClock, type SqlDriver } from '@fleetkit/core';
import { expect, it } from 'vitest';
import { postgresNotifier } from '../dialects/postgres/notify.ts';
import { Wakeups } from './wake.ts';

/** A PostgreSQL driver as far as the notifier sees it: LISTEN hands back its events, NOTIFY and queries do nothing. */
function fakePostgres(): { readonly driver: SqlDriver; restored(): void } {
  let onRestored: (() => void) | undefined;
  const driver = {
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
  const postgres = fakePostgres();
  const woken: string[] = [];
  const wakeups = new Wakeups(
    postgresNotifier(postgres.driver),
    new ManualClock(),
    (key) => woken.push(key),
    () => ['d:polling', 'd:both'],
  );
  await wakeups.listen();
  await wakeups.watch('d:watched');
  await wakeups.watch('d:both');
  expect(woken).toEqual([]);
  postgres.restored();
  expect(woken.sort()).toEqual(['d:both', 'd:polling', 'd:watched']);
});
