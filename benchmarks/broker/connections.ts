import WebSocket from 'ws';

/** Opens `count` sockets, `batch` at a time, each sending `hello(i)` frames and waiting for `replies` frames. */
export async function openMany(
  url: string,
  count: number,
  hello: (i: number) => string[],
  replies: number,
  batch = 250,
): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  const one = (i: number): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      let seen = 0;
      ws.on('message', () => {
        if (++seen === replies) resolve(ws);
      });
      ws.once('open', () => {
        for (const f of hello(i)) ws.send(f);
        if (replies === 0) resolve(ws);
      });
      ws.once('error', reject);
    });
  for (let i = 0; i < count; i += batch) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, j) => one(i + j)))));
  }
  return sockets;
}

/** Closes sockets and waits until they are gone. */
export async function closeAll(sockets: readonly WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.terminate();
        }),
    ),
  );
}
