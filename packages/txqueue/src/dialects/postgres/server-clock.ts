/**
 * The server's clock in epoch ms: call-in registrations and the enqueues
 * that read them compare on it, alike in every process (notify.ts).
 */
export const SERVER_NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';
