import { serveImage } from '@fleetkit/chunked';
import type { Context, Hono } from 'hono';
import {
  acknowledgeChunks,
  fetchable,
  manifestFor,
  manifestOf,
  packageKey,
  packageView,
  reportInventory,
  reportStatus,
} from '../packages/device-transfer.ts';
import { cachedImageReader } from '../packages/image-reader.ts';
import type { Refused } from '../packages/refusal.ts';
import { acknowledgement, inventory, report } from '../packages/reports.ts';
import { packagesOf } from '../packages/service.ts';
import { bodyOf, type DeviceEnv } from './http.ts';
import { problem } from './replies.ts';
import type { DeviceRuntime } from './runtime.ts';

/** A refusal as the device API answers it: the status and `{error, message}`. */
function refusal(answer: Refused): Response {
  const { status, code, message, issues } = answer.refused;
  return problem(status, code, message, issues === undefined ? {} : { body: { issues } });
}

/** A JSON answer, or the refusal. */
function answer<T>(c: Context<DeviceEnv>, value: T | Refused): Response {
  if (typeof value === 'object' && value !== null && 'refused' in value) return refusal(value as Refused);
  return c.json(value as object);
}

/**
 * The package transfer of the HTTP device API (manual §5.7): a device
 * fetches the server's public key, the signed manifest and byte ranges of
 * the image (chunked's `serveImage`: Range, If-Range on the Merkle root),
 * acknowledges the chunks it verified and stored, and reports its
 * operation; the server records the progress and turns the reports into
 * acks of the package transaction (docs/server.md §Packages). What the
 * routes do is packages/device-transfer.ts, shared with the broker plugin.
 */
export function packageRoutes(app: Hono<DeviceEnv>, runtime: DeviceRuntime): void {
  const { server } = runtime;
  app.get('/devices/:id/package-key', (c) => c.json(packageKey(runtime)));
  app.get('/devices/:id/packages', async (c) => c.json({ packages: await packageView(runtime, c.get('device')) }));
  app.get('/devices/:id/packages/:name/manifest', async (c) => {
    const found = await manifestFor(runtime, c.get('device'), c.req.param('name') ?? '');
    if ('refused' in found) return refusal(found);
    return new Response(new Uint8Array(found.envelope), {
      headers: { 'content-type': 'application/octet-stream', etag: `"${found.record.root}"` },
    });
  });
  app.get('/devices/:id/packages/:name/image', async (c) => {
    const device = c.get('device');
    const found = await fetchable(runtime, device, c.req.param('name') ?? '');
    if ('refused' in found) return refusal(found);
    const manifest = await manifestOf(runtime, device, found.record);
    return serveImage(c.req.raw, cachedImageReader(packagesOf(server).cache, found.image, manifest));
  });
  app.post('/devices/:id/packages/:name/chunks', async (c) => {
    const body = await bodyOf(runtime, c.req.raw, acknowledgement);
    if ('refused' in body) return body.refused;
    return answer(c, await acknowledgeChunks(runtime, c.get('device'), c.req.param('name'), body.value));
  });
  app.post('/devices/:id/packages/:name/status', async (c) => {
    const body = await bodyOf(runtime, c.req.raw, report);
    if ('refused' in body) return body.refused;
    return answer(c, await reportStatus(runtime, c.get('device'), c.req.param('name'), body.value));
  });
  app.post('/devices/:id/packages', async (c) => {
    const body = await bodyOf(runtime, c.req.raw, inventory);
    if ('refused' in body) return body.refused;
    return c.json({ packages: await reportInventory(runtime, c.get('device'), body.value) });
  });
}
