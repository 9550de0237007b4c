import type { TxEvent, TxEventHandler } from '@fleetkit/txqueue';
import { type ServerContext, splitQueueName } from '../context.ts';
import { notificationText } from './builder.ts';
import type { NewCallbacks } from './outbox.ts';
import { callbackTarget } from './rows.ts';

/**
 * Events that become callbacks: `delivered` (`device-connected`), a device's
 * `progress`, a group's `member` (one per member device, manual §5.8) and
 * every `final`, `time-out` included. Not `accepted`: the request's reply
 * said it; not `cancel-requested`: the backend's own cancel call was answered.
 */
const POSTED = new Set<TxEvent['type']>(['delivered', 'progress', 'member', 'final']);

/**
 * Removes repeated URLs, comparing them without trailing slashes, as the
 * 1.x server's `remove_duplicate_urls` does; the first spelling is kept.
 */
export function uniqueUrls(urls: readonly string[]): string[] {
  const seen = new Set<string>();
  return urls.filter((url) => {
    const key = url.replace(/\/+$/, '');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The notification URLs of the groups a callback concerns (the 1.x server's
 * union): a device's callbacks go to every group it is in, a group
 * transaction's own callbacks to the group. Read-only: groups.ts owns the tables.
 */
async function groupUrls(server: ServerContext, event: TxEvent, account: string): Promise<string[]> {
  const device = 'device' in event.target ? event.target.device : event.member?.device;
  const rows =
    device === undefined
      ? await server.db.query<{ url: string }>(
          `SELECT notification_url AS url FROM srv_groups WHERE account = $1 AND group_id = $2
             AND notification_url IS NOT NULL AND notification_url <> ''`,
          [account, splitQueueName((event.target as { group: string }).group).id],
        )
      : await server.db.query<{ url: string }>(
          `SELECT g.notification_url AS url FROM srv_group_members m
             JOIN srv_groups g ON g.account = m.account AND g.group_id = m.group_id
           WHERE m.account = $1 AND m.device_id = $2 AND g.notification_url IS NOT NULL AND g.notification_url <> ''
           ORDER BY m.added_seq`,
          [account, splitQueueName(device).id],
        );
  return rows.map((row) => row.url);
}

/**
 * Where an event's callback goes: the request's notification URL, and with
 * `callbacksToGroupUrls` also the group URLs the 1.x server used
 * (docs/decisions/server-callback-destinations.md).
 */
async function destinationsOf(server: ServerContext, event: TxEvent, account: string): Promise<string[]> {
  const urls = event.notify === undefined ? [] : [event.notify];
  if (server.settings.callbacksToGroupUrls) urls.push(...(await groupUrls(server, event, account)));
  return uniqueUrls(urls);
}

/**
 * The txqueue subscriber: hands each event's callbacks to `store` (the
 * sender's, which writes them to the outbox). It never waits for a send, so
 * a slow backend cannot hold up txqueue's dispatch; a failed write rejects
 * and txqueue offers the event again, which inserts only what is missing.
 */
export function callbackSubscriber(
  server: ServerContext,
  store: (callbacks: NewCallbacks) => Promise<void>,
): TxEventHandler {
  return async (event) => {
    // a group's progress only counts; with memberEvents its member events name each device
    if (!POSTED.has(event.type) || (event.type === 'progress' && 'group' in event.target)) return;
    const name = 'device' in event.target ? event.target.device : event.target.group;
    const { account, id } = splitQueueName(name);
    const urls = await destinationsOf(server, event, account);
    if (urls.length === 0) return;
    const payload =
      event.tag === undefined && event.kind === 'rpc'
        ? (await server.queue.get(event.target, event.transactionId))?.payload
        : undefined;
    await store({
      account,
      seq: event.seq,
      target: callbackTarget('device' in event.target ? 'device' : event.type === 'member' ? 'members' : 'group', id),
      txId: event.transactionId,
      urls,
      body: notificationText(event, payload),
    });
  };
}
