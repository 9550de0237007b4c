import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { typescriptBlocks } from '@fleetkit/core/testing';
import { describe, expect, it } from 'vitest';
import { createClient } from './client.ts';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('README server as its own process', () => {
  it('listens on the port given by PORT and serves the specification methods', async () => {
    const block = typescriptBlocks(readFileSync(new URL('../README.md', import.meta.url), 'utf8'))[0]!;
    const file = new URL(`../.readme-server-${process.pid}.ts`, import.meta.url);
    writeFileSync(file, block);
    const port = await freePort();
    const child = spawn(process.execPath, ['--conditions=source', file.pathname], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      });
      expect(banner).toBe(`JSON-RPC 2.0 on http://127.0.0.1:${port}/`);
      const client = createClient({ url: `http://127.0.0.1:${port}/` });
      expect(await client.call('subtract', [42, 23])).toBe(19);
      expect(await client.batch([{ method: 'sum', params: [1, 2, 4] }, { method: 'get_data' }])).toEqual([
        { ok: true, result: 7 },
        { ok: true, result: ['hello', 5] },
      ]);
    } finally {
      child.kill();
      rmSync(file, { force: true });
    }
  });
});
