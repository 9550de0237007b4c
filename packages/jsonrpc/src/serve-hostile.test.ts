// Hostile and broken requests sent over real sockets to `serve()`, on
// whichever runtime runs the suite (Node, Bun, Deno): after each one the
// same server must still answer a good call, nothing may escape as an
// uncaught error, and a body that broke off is logged with its request id.
import { connect, type Socket } from 'node:net';
import { type LogRecord, memoryLogger } from '@fleetkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, basicAuthHeader, staticCredentials } from './basic-auth.ts';
import { createHttpHandler } from './http-handler.ts';
import { createRouter } from './router.ts';
import { type Served, serve } from './serve.ts';

const CALL = '{"jsonrpc":"2.0","method":"sum","params":[1,2,4],"id":1}';
const LIMIT = 64 * 1024;

/** The status line the server answered, or '' when it closed the connection without one. */
interface Exchange {
  readonly socket: Socket;
  /** Resolves with the first line of the answer once one arrives, or '' when the connection closes first. */
  readonly status: Promise<string>;
  /** Resolves when the connection has closed. */
  readonly closed: Promise<void>;
}

function open(port: number, head: string): Exchange {
  const socket = connect(port, '127.0.0.1');
  // writes after the server answered and closed may fail: that is the server's right
  socket.on('error', () => {});
  let text = '';
  let answer: (line: string) => void = () => {};
  const status = new Promise<string>((resolve) => {
    answer = resolve;
  });
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    const end = text.indexOf('\r\n');
    if (end >= 0) answer(text.slice(0, end));
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void closed.then(() => answer(''));
  socket.write(head);
  return { socket, status, closed };
}

function head(lines: readonly string[]): string {
  return `POST / HTTP/1.1\r\nhost: 127.0.0.1\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`;
}

function chunk(bytes: number): string {
  return `${bytes.toString(16)}\r\n${' '.repeat(bytes)}\r\n`;
}

describe('serve keeps serving through hostile requests', () => {
  const logger = memoryLogger();
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown): void => {
    uncaught.push(error);
  };
  let server: Served;
  // requests the handler has started on, by X-Request-Id: a test knows the server is reading its body
  const arrived = new Map<string, () => void>();
  const arrival = (requestId: string): Promise<void> =>
    new Promise((resolve) => {
      arrived.set(requestId, resolve);
    });
  const good = { 'content-type': 'application/json', authorization: basicAuthHeader('acme/admin', 'pw') };
  const goodHead = ['content-type: application/json', `authorization: ${basicAuthHeader('acme/admin', 'pw')}`];
  const badHead = ['content-type: application/json', `authorization: ${basicAuthHeader('acme/admin', 'wrong')}`];

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    const router = createRouter({ logger }).method('sum', {
      handler: (xs) => (xs as number[]).reduce((a, b) => a + b, 0),
    });
    const check = staticCredentials({ 'acme/admin': 'pw' });
    const authenticate = basicAuth({
      realm: 'exodm',
      verify: (credentials, request) => {
        arrived.get(request.headers.get('x-request-id') ?? '')?.();
        return check(credentials, request);
      },
    });
    server = await serve(createHttpHandler(router, { authenticate, maxBodyBytes: LIMIT, logger }), { logger });
  });

  afterAll(async () => {
    await server.close();
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  });

  async function stillServing(): Promise<void> {
    const res = await fetch(server.url, { method: 'POST', headers: good, body: CALL });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"jsonrpc":"2.0","result":7,"id":1}');
    expect(uncaught).toEqual([]);
  }

  async function logged(requestId: string): Promise<LogRecord> {
    for (;;) {
      const record = logger.records.find((r) => r.fields.requestId === requestId);
      if (record !== undefined) return record;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('refuses wrong credentials sent with a body: 401', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { ...good, authorization: basicAuthHeader('acme/admin', 'wrong') },
      body: CALL,
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ jsonrpc: '2.0', error: { code: -32001, message: 'Unauthenticated' }, id: null });
    await stillServing();
  });

  it('answers 401 to wrong credentials before a large streamed body has arrived', async () => {
    const x = open(server.port, head([...badHead, 'transfer-encoding: chunked']) + chunk(32 * 1024));
    expect(await x.status).toBe('HTTP/1.1 401 Unauthorized');
    x.socket.destroy();
    await stillServing();
  });

  it('refuses a body declared over the limit: 413', async () => {
    const x = open(server.port, head([...goodHead, `content-length: ${LIMIT + 1}`]));
    expect(await x.status).toBe('HTTP/1.1 413 Payload Too Large');
    x.socket.destroy();
    await stillServing();
  });

  it('refuses a streamed body that grows over the limit: 413', async () => {
    // chunks arrive faster than they are read, so the server stops reading with data still buffered
    const x = open(server.port, head([...goodHead, 'transfer-encoding: chunked']));
    for (let i = 0; i < 8; i++) x.socket.write(chunk(100_000));
    x.socket.write('0\r\n\r\n');
    expect(await x.status).toBe('HTTP/1.1 413 Payload Too Large');
    x.socket.destroy();
    await stillServing();
  });

  it('refuses a body of another media type: 415', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { ...good, 'content-type': 'text/plain' },
      body: CALL,
    });
    expect(res.status).toBe(415);
    await res.text();
    await stillServing();
  });

  it('logs an upload the client broke off, with its request id', async () => {
    const reading = arrival('broken-upload');
    const x = open(
      server.port,
      `${head([...goodHead, 'content-length: 1000', 'x-request-id: broken-upload'])}{"jsonrpc":"2.0",`,
    );
    await reading; // the handler has the request; then the client vanishes mid-body
    x.socket.destroy();
    const record = await logged('broken-upload');
    expect(record).toMatchObject({ level: 'warn', message: 'JSON-RPC request body could not be read' });
    await stillServing();
  });

  it('never answers a body that ends early as if it were whole', async () => {
    const x = open(server.port, `${head([...goodHead, 'content-length: 1000'])}{"jsonrpc":"2.0",`);
    x.socket.end(); // half-close: the rest of the declared body never comes
    const status = await x.status;
    // the runtime's own parser may answer 400, or ours does; or the connection just closes
    expect(['HTTP/1.1 400 Bad Request', '']).toContain(status);
    await x.closed;
    await stillServing();
  });
});

describe('serve answers a handler that throws', () => {
  it('with 500 naming the request id, and logs the failure under it', async () => {
    const logger = memoryLogger();
    const server = await serve(
      async () => {
        throw new Error('handler bug');
      },
      { logger },
    );
    try {
      const res = await fetch(server.url, { method: 'POST', headers: { 'x-request-id': 'rq-500' }, body: '{}' });
      expect(res.status).toBe(500);
      expect(res.headers.get('x-request-id')).toBe('rq-500');
      expect(await res.text()).toBe('Internal Server Error (request id rq-500)');
      expect(logger.records).toMatchObject([
        { level: 'error', message: 'HTTP handler failed', fields: { requestId: 'rq-500', method: 'POST' } },
      ]);
      expect(logger.records[0]?.fields.error).toMatchObject({ message: 'handler bug' });
    } finally {
      await server.close();
    }
  });
});
