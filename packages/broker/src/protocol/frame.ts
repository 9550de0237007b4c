const encoder = new TextEncoder();

/**
 * One outbound text frame. A relay sends the same frame to every subscriber,
 * so the text is serialised once and its UTF-8 bytes are encoded at most once.
 */
export class OutFrame {
  readonly text: string;
  /**
   * The value {@link json} serialised, undefined for a frame made from text:
   * an in-process control app reads it instead of parsing {@link text}.
   */
  readonly value: unknown;
  #bytes: Uint8Array | undefined;
  /** A slot where an adapter caches its own encoding of the frame (Node keeps a `Buffer`), once per relay. */
  wire: unknown = undefined;

  constructor(text: string, value?: unknown) {
    this.text = text;
    this.value = value;
  }

  /** The UTF-8 encoding of {@link text}, computed on first use. */
  get bytes(): Uint8Array {
    if (this.#bytes === undefined) this.#bytes = encoder.encode(this.text);
    return this.#bytes;
  }

  /** A frame holding `value` as JSON. */
  static json(value: unknown): OutFrame {
    return new OutFrame(JSON.stringify(value), value);
  }
}
