// Shared by the schema upgrade tests: the columns added after the first
// release, dropped to make a database as it was before them, and a use of each.
import type { ManualClock } from '@fleetkit/core';
import { expect } from 'vitest';
import type { TxQueue } from '../src/queue.ts';

export const DROP_ADDED_COLUMNS = [
  'ALTER TABLE txq_tx DROP COLUMN tag',
  'ALTER TABLE txq_tx DROP COLUMN member_events',
  'ALTER TABLE txq_events DROP COLUMN attempts',
  'ALTER TABLE txq_events DROP COLUMN last_error',
];

/** The group the upgraded queue fans out to. */
export const groups = { members: (): string[] => ['a'] };

/** Enqueues to a group with a tag and member events, and fails an event once: each needs its column. */
export async function useAddedColumns(queue: TxQueue, clock: ManualClock): Promise<void> {
  let fail = true;
  const seen: string[] = [];
  queue.subscribe((e) => {
    if (fail) {
      fail = false;
      throw new Error('down');
    }
    seen.push(e.type);
  });
  const { transaction } = await queue.enqueue({
    target: { group: 'g' },
    kind: 'rpc',
    payload: {},
    tag: 'm:r',
    memberEvents: true,
  });
  await queue.idle();
  expect([transaction.tag, transaction.memberEvents]).toEqual(['m:r', true]);
  expect((await queue.eventBacklog()).failing).toMatchObject([{ attempts: 1, lastError: 'Error: down' }]);
  const [sub] = await queue.callIn('a');
  expect(sub!.tag).toBe('m:r');
  await queue.ack('a', { transactionId: sub!.transactionId, attempt: sub!.attempt, status: 'complete' });
  clock.advance(5000);
  await queue.sweep();
  // accepted (retried), member, final
  expect(seen).toEqual(['accepted', 'member', 'final']);
  expect((await queue.eventBacklog()).pending).toBe(0);
}
