import { CheckFailure } from '../check.ts';
import { show } from '../expect.ts';

export type Payload = Record<string, unknown>;

/**
 * A device's connection to the machine broker (document 002) as the suites
 * play it: the web platform's WebSocket, so the runner stays portable, with
 * what the broker sent kept until a check takes it.
 */
export class BrokerSocket {
  readonly #socket: WebSocket;
  /** Message payloads from the server, in arrival order, not taken yet. */
  readonly inbox: Payload[] = [];
  /** The broker's own frames (welcome, success, error), not taken yet. */
  readonly frames: Payload[] = [];
  #wake: (() => void) | undefined;

  constructor(url: string) {
    const socket = new WebSocket(url);
    this.#socket = socket;
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(String(event.data)) as Payload;
      if (frame.type === 'message' && typeof frame.payload === 'object') this.inbox.push(frame.payload as Payload);
      else this.frames.push(frame);
      this.#wake?.();
    });
    socket.addEventListener('close', () => this.#wake?.());
  }

  get open(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  /** Waits for the welcome, then registers as `publicId` and waits for the broker's answer. */
  async register(publicId: string, waitMs: number): Promise<void> {
    const frame = async (match: (frame: Payload) => boolean, what: string): Promise<Payload> => {
      const found = await this.take(this.frames, match, waitMs);
      if (found === undefined) throw new CheckFailure(`no ${what} from the broker within ${waitMs} ms`);
      return found;
    };
    await frame((f) => f.type === 'welcome', 'welcome');
    this.#socket.send(JSON.stringify({ type: 'register', deviceId: publicId }));
    const answer = await frame((f) => f.type === 'success' || f.type === 'error', 'answer to the registration');
    if (answer.type !== 'success') throw new CheckFailure(`the broker refused the registration: ${show(answer)}`);
  }

  /** Sends a device message. */
  send(payload: Payload): void {
    if (!this.open) throw new CheckFailure('the device is not connected to the broker');
    this.#socket.send(JSON.stringify({ type: 'message', payload }));
  }

  /** The first item of `list` matching `match`, taken out; undefined after `waitMs` or once the socket closed. */
  async take(list: Payload[], match: (payload: Payload) => boolean, waitMs: number): Promise<Payload | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const index = list.findIndex(match);
      if (index >= 0) return list.splice(index, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0 || this.#socket.readyState === WebSocket.CLOSED) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** Closes with 1000 and waits for the close; nothing to do once closed. */
  async close(): Promise<void> {
    const socket = this.#socket;
    if (socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => socket.addEventListener('close', () => resolve()));
    socket.close(1000);
    await closed;
  }
}
