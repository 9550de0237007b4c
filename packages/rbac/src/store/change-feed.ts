import type { SqlExecutor } from '@fleetkit/core';
import type { ChangeNotifier } from '../options.ts';

/** The engine's link to other processes sharing its PostgreSQL store. */
export interface ChangeFeed {
  /** Notifies the channel inside a change's transaction (delivered on commit). */
  readonly announce: (tx: SqlExecutor) => Promise<void>;
  /** Starts handing other processes' changes to `onChange`, including any seen before. */
  readonly attach: (onChange: () => void) => Promise<void>;
  readonly unlisten: () => Promise<void>;
}

/**
 * Listens on `channel`; notifications carrying this engine's own `instance`
 * id are its own changes and are ignored. Changes that arrive before
 * `attach` are remembered, not lost.
 */
export async function listenForChanges(
  notifier: ChangeNotifier,
  channel: string,
  instance: string,
): Promise<ChangeFeed> {
  let onChange: (() => void) | undefined;
  let missed = false;
  const unlisten = await notifier.listen(channel, (payload) => {
    if (payload === instance) return;
    if (onChange === undefined) missed = true;
    else onChange();
  });
  return {
    announce: (tx) => notifier.notify(channel, instance, tx),
    async attach(handler) {
      onChange = handler;
      if (missed) handler();
    },
    unlisten,
  };
}
