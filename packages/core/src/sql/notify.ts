import type { CoreError } from '../errors.ts';

/** Handler of a `NOTIFY` payload. */
export type NotificationHandler = (payload: string) => void;

/**
 * What a listener hears about its connection besides notifications. The
 * connection can break (a server restart, `pg_terminate_backend`, a network
 * failure); the driver then listens again on a new one. Notifications sent
 * in between are lost, so a subscriber that mirrors the database re-reads
 * it in full on `onRestored`.
 */
export interface ListenEvents {
  /** The listening connection broke: from now until `onRestored`, notifications are lost. */
  readonly onLost?: (error: CoreError) => void;
  /** Listening again on a new connection; anything may have changed meanwhile. */
  readonly onRestored?: () => void;
}
