import type { SqlExecutor } from '@fleetkit/core';
import type { ChangeNotifier } from '../options.ts';

/** What the engine hears from other processes sharing its PostgreSQL store. */
export interface ChangeSubscriber {
  /** Another process committed a change. */
  changed(): void;
  /** The notifier's connection broke: changes go unseen until {@link restored}. */
  lost(): void;
  /** Listening again; whatever changed meanwhile is unknown. */
  restored(): void;
}

/** The engine's link to other processes sharing its PostgreSQL store. */
export interface ChangeFeed {
  /** Notifies the channel inside a change's transaction (delivered on commit). */
  readonly announce: (tx: SqlExecutor) => Promise<void>;
  /** Starts handing other processes' changes to `subscriber`, including any seen before. */
  readonly attach: (subscriber: ChangeSubscriber) => void;
  readonly unlisten: () => Promise<void>;
}

/**
 * Listens on `channel`; notifications carrying this engine's own `instance`
 * id are its own changes and are ignored. Changes and connection losses
 * that happen before `attach` are remembered, not lost.
 */
export async function listenForChanges(
  notifier: ChangeNotifier,
  channel: string,
  instance: string,
): Promise<ChangeFeed> {
  let subscriber: ChangeSubscriber | undefined;
  let missed = false;
  let down = false;
  const unlisten = await notifier.listen(
    channel,
    (payload) => {
      if (payload === instance) return;
      if (subscriber === undefined) missed = true;
      else subscriber.changed();
    },
    {
      onLost: () => {
        if (subscriber === undefined) down = true;
        else subscriber.lost();
      },
      onRestored: () => {
        if (subscriber !== undefined) {
          subscriber.restored();
          return;
        }
        down = false;
        missed = true;
      },
    },
  );
  return {
    announce: (tx) => notifier.notify(channel, instance, tx),
    attach(next) {
      subscriber = next;
      if (down) next.lost();
      else if (missed) next.changed();
    },
    unlisten,
  };
}
