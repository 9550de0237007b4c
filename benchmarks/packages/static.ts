// Child process: the peer a user would write with node:http alone. PUT
// streams the body to a file while hashing it with node:crypto SHA-256;
// GET serves a file with a single byte range (206) through
// fs.createReadStream, as a bare static file handler does.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { dir: { type: 'string' } } });
const dir = values.dir!;

const server = createServer((request, response) => {
  const name = (request.url ?? '/')
    .split('/')
    .pop()!
    .replace(/[^a-z0-9.-]/gi, '');
  const path = join(dir, name);
  if (request.method === 'PUT') {
    const hash = createHash('sha256');
    request.on('data', (piece: Buffer) => hash.update(piece));
    pipeline(request, createWriteStream(path)).then(
      () =>
        response
          .writeHead(201, { 'content-type': 'application/json' })
          .end(JSON.stringify({ sha256: hash.digest('hex') })),
      () => response.writeHead(500).end(),
    );
    return;
  }
  const size = statSync(path).size;
  const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
  if (range === null) {
    response.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
    createReadStream(path).pipe(response);
    return;
  }
  const start = Number(range[1]);
  const end = Math.min(size - 1, Number(range[2]));
  response.writeHead(206, {
    'content-length': end - start + 1,
    'content-range': `bytes ${start}-${end}/${size}`,
    'content-type': 'application/octet-stream',
  });
  createReadStream(path, { start, end }).pipe(response);
});
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
