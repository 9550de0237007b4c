import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageBin, startCommand } from '@fleetkit/core/testing';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const bin = packageBin(join(import.meta.dirname, '..', '..'), 'fleetkit-broker');

describe('the fleetkit-broker bin, run by its package.json path', () => {
  it('is a committed file that the lockfile names too, so npm ci links it without a build', () => {
    expect(existsSync(bin.path)).toBe(true);
    expect(bin.locked).toBe(bin.path);
  });

  it('runs in a checkout without a build, whatever Node the shell has', async () => {
    const help = startCommand(bin.path, ['--help']);
    expect(await help.exited).toEqual({ code: 0, signal: null });
    expect(help.output()).toContain('Usage: fleetkit-broker --port N');
  });

  it('hands SIGTERM to the broker, which closes its peers with 1001 and exits 0', async () => {
    const broker = startCommand(bin.path, [
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--device-key',
      'dk',
      '--control-key',
      'ck',
    ]);
    const [, url] = await broker.waitFor(/listening on (ws:\/\/\S+)/);
    const device = new WebSocket(`${url}/devices?apiKey=dk`);
    await new Promise((resolve) => device.once('message', resolve));
    const closed = new Promise<number>((resolve) => device.once('close', resolve));
    broker.child.kill('SIGTERM');
    expect(await closed).toBe(1001);
    expect(await broker.exited).toEqual({ code: 0, signal: null });
  });
});
