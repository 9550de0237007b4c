// A request body as a web stream, built here rather than with Readable.toWeb:
// that adapter destroys the request when the stream is cancelled (so a 401 or
// 413 never reaches the client) and enqueues data arriving after a cancel,
// which throws ERR_INVALID_STATE outside any caller: the process dies.
import type { IncomingMessage } from 'node:http';

/**
 * The body of `req`, read only as the consumer pulls. Cancelling stops the
 * stream and discards the rest of the upload, leaving the connection to carry
 * the answer; an upload that breaks off errors the stream.
 */
export function requestBody(req: IncomingMessage): ReadableStream<Uint8Array> {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const onData = (chunk: Buffer): void => {
    // copied: the chunk may share the socket's buffer
    controller?.enqueue(new Uint8Array(chunk));
    if ((controller?.desiredSize ?? 0) <= 0) req.pause();
  };
  const onEnd = (): void => {
    const c = stop();
    c?.close();
  };
  const onBroken = (error?: Error): void => {
    const c = stop();
    c?.error(error ?? new Error('Cannot read the request body: the connection closed before its end'));
  };
  const onClose = (): void => onBroken();
  // every listener goes at once, so nothing reaches a stream that was closed, errored or cancelled
  const stop = (): ReadableStreamDefaultController<Uint8Array> | undefined => {
    const c = controller;
    controller = undefined;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onBroken);
    req.off('close', onClose);
    return c;
  };
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        req.pause();
        req.on('data', onData);
        req.once('end', onEnd);
        req.once('error', onBroken);
        req.once('close', onClose);
      },
      pull() {
        req.resume();
      },
      cancel() {
        stop();
        // read and drop the rest, so the client can finish sending and read the answer
        req.resume();
      },
    },
    // nothing is read before the consumer asks: a request refused unread is not buffered
    { highWaterMark: 0 },
  );
}
