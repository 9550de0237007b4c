import type { Broker } from '../broker.ts';
import type { ClientSocket, SocketFactory } from '../client/socket.ts';
import { apiKeyOf, type Connection, endpointOf, type Session } from '../connection.ts';
import type { OutFrame } from '../protocol/frame.ts';

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

/**
 * An in-process transport: client sockets wired straight to a {@link Broker},
 * events delivered in order on microtasks as a network would deliver them,
 * a reader that can stop reading (its frames pile up in `bufferedAmount`),
 * and a broker that can be swapped out to play a restart. For tests of
 * devices and control apps that need thousands of peers without sockets.
 */
export class MemoryTransport {
  #broker: Broker | undefined;

  constructor(broker?: Broker) {
    this.#broker = broker;
  }

  /** Points new connections at `broker`; undefined makes them fail with 1006 (broker down). */
  attach(broker: Broker | undefined): void {
    this.#broker = broker;
  }

  /** A factory for `connectDevice({ socket })`. */
  readonly socket: SocketFactory = (url) => this.open(url);

  /** Opens a client socket; `url` is `memory://host/devices?apiKey=…` (any scheme and host). */
  open(url: string, headers: { readonly 'x-api-key'?: string } = {}): MemorySocket {
    return new MemorySocket(this.#broker, new URL(url), headers['x-api-key']);
  }
}

/** The client end of a {@link MemoryTransport} connection (a WHATWG-style socket). */
export class MemorySocket implements ClientSocket {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  /** 0 connecting, 1 open, 3 closed (WHATWG values). */
  readyState = CONNECTING;
  #session: Session | undefined;
  #paused = false;
  /** Frames the broker sent while paused. */
  #held: string[] = [];
  #heldBytes = 0;

  constructor(broker: Broker | undefined, url: URL, headerKey: string | undefined) {
    queueMicrotask(() => {
      const endpoint = endpointOf(url.pathname);
      if (broker === undefined || broker.closed || endpoint === undefined || this.readyState !== CONNECTING) {
        this.onerror?.({ type: 'error' });
        return this.#finish(1006, '');
      }
      this.readyState = OPEN;
      this.onopen?.({ type: 'open' });
      this.#session = broker.accept({ endpoint, apiKey: apiKeyOf(url, headerKey) }, this.#serverEnd());
    });
  }

  /** Delivers a text frame to the broker (dropped unless open, as a closed socket would). */
  send(data: string): void {
    if (this.readyState !== OPEN) return;
    queueMicrotask(() => this.#session?.message(data));
  }

  /** Closes from the client's side; the broker sees `code`. */
  close(code = 1000, reason = ''): void {
    if (this.readyState === CLOSED) return;
    const session = this.#session;
    queueMicrotask(() => session?.closed(code));
    this.#finish(code, reason);
  }

  /** Stops reading: the broker's frames queue up and count in its `bufferedAmount`. */
  pause(): void {
    this.#paused = true;
  }

  /** Reads again, delivering what was held. */
  resume(): void {
    this.#paused = false;
    for (const text of this.#held.splice(0)) this.#receive(text);
    this.#heldBytes = 0;
  }

  #receive(text: string): void {
    if (this.readyState === OPEN) this.onmessage?.({ data: text });
  }

  #finish(code: number, reason: string): void {
    queueMicrotask(() => {
      if (this.readyState === CLOSED) return;
      this.readyState = CLOSED;
      this.onclose?.({ code, reason });
    });
  }

  #serverEnd(): Connection {
    return {
      send: (frame: OutFrame) => {
        if (this.#paused) {
          this.#held.push(frame.text);
          this.#heldBytes += frame.text.length;
          return;
        }
        const text = frame.text;
        queueMicrotask(() => this.#receive(text));
      },
      bufferedAmount: () => this.#heldBytes,
      close: (code, reason) => {
        const session = this.#session;
        queueMicrotask(() => session?.closed(code));
        this.#finish(code, reason);
      },
      terminate: () => {
        const session = this.#session;
        queueMicrotask(() => session?.closed(1006));
        this.#finish(1006, '');
      },
      ping: () => {
        if (!this.#paused) queueMicrotask(() => this.#session?.pong());
      },
    };
  }
}
