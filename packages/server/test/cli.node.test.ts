import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCommand, terminalEnv } from '@fleetkit/core/testing';
import { basicAuthHeader } from '@fleetkit/jsonrpc';
import { afterEach, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '..', 'src', 'adapters', 'cli.ts');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function call(url: string, login: string, password: string, method: string, params: unknown) {
  const response = await fetch(new URL('exodm/rpc', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basicAuthHeader(login, password) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return { status: response.status, body: (await response.json()) as { result?: { result?: string } } };
}

it('prints both passwords it generated on first start on stdout, each of which logs in, and neither on the next start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetkit-cli-'));
  dirs.push(dir);
  const env = { ...terminalEnv(), FLEETKIT_ADMIN_PASSWORD: '' };
  const args = ['--conditions=source', CLI, '--port', '0', '--data-dir', dir, '--log-level', 'error'];
  const first = startCommand(process.execPath, args, env);
  const [, url] = await first.waitFor(/fleetkit server on (\S+)/);
  const [, sysadm] = await first.waitFor(/admin login: sysadm \/ (\S+) {3}\(generated now/);
  const [, systemAdmin] = await first.waitFor(/system account admin: exodm-admin \/ (\S+) {3}\(generated now/);
  expect((await call(url!, 'sysadm', sysadm!, 'exodm:list-accounts', { n: 10 })).body.result?.result).toBe('ok');
  expect((await call(url!, 'exodm-admin', systemAdmin!, 'exodm:list-device-types', { n: 10 })).status).toBe(200);
  expect((await call(url!, 'exodm-admin', 'not-the-password', 'exodm:list-device-types', { n: 10 })).status).toBe(401);
  first.child.kill('SIGTERM');
  expect(await first.exited).toMatchObject({ code: 0 });

  const second = startCommand(process.execPath, args, env);
  await second.waitFor(/try:/);
  expect(second.output()).not.toContain('system account admin:');
  expect(second.output()).toContain('admin login: sysadm / <the password printed at first start>');
  second.child.kill('SIGTERM');
  await second.exited;
});
