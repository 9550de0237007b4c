/**
 * The part of the WHATWG `WebSocket` the device client uses. The global
 * `WebSocket` of Node 24, Bun, Deno and browsers fits; so does the in-memory
 * transport of `@fleetkit/broker/memory`.
 */
export interface ClientSocket {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** Opens a socket to `url`. */
export type SocketFactory = (url: string) => ClientSocket;

/** The runtime's own `WebSocket` (Node ≥ 22, Bun, Deno, browsers). */
export const globalSocket: SocketFactory = (url) => new WebSocket(url) as unknown as ClientSocket;
