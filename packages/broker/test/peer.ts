import type { MemorySocket, MemoryTransport } from '../src/adapters/memory.ts';

/** Lets every queued microtask run (the memory transport delivers on microtasks). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

type Frame = Record<string, unknown>;

/** A raw client of the memory transport that records what it receives (tests only). */
export class TestPeer {
  readonly socket: MemorySocket;
  readonly frames: Frame[] = [];
  closeCode: number | undefined;
  closeReason: string | undefined;

  constructor(transport: MemoryTransport, path: string, key: string | undefined, headerKey?: string) {
    const query = key === undefined ? '' : `?apiKey=${encodeURIComponent(key)}`;
    this.socket = transport.open(
      `memory://broker${path}${query}`,
      headerKey === undefined ? {} : { 'x-api-key': headerKey },
    );
    this.socket.onmessage = (e) => this.frames.push(JSON.parse(String(e.data)) as Frame);
    this.socket.onclose = (e) => {
      this.closeCode = e.code;
      this.closeReason = e.reason;
    };
  }

  send(value: unknown): void {
    this.socket.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** Frames received since the last call. */
  take(): Frame[] {
    return this.frames.splice(0);
  }

  /** The one frame received since the last call; fails otherwise. */
  async one(): Promise<Frame> {
    await settle();
    const got = this.take();
    if (got.length !== 1) throw new Error(`expected one frame, got ${JSON.stringify(got)}`);
    return got[0]!;
  }
}
