import { sleep } from '@fleetkit/core';
import { basicAuth, createHttpHandler, type Router } from '@fleetkit/jsonrpc';
import { Hono } from 'hono';
import type { ServerContext } from './context.ts';
import { LoginThrottle } from './login-throttle.ts';

/** Source address of each request, recorded by the runtime adapter that accepted it (adapters/address.ts). */
const addresses = new WeakMap<Request, string>();

/** Records where a request came from; the serving adapter calls it before the app sees the request. */
export function recordAddress(request: Request, address: string): void {
  addresses.set(request, address);
}

/** Where a request came from (`unknown` when the adapter did not say): throttles key on it. */
export function addressOf(request: Request): string {
  return addresses.get(request) ?? 'unknown';
}

/**
 * The backend's Basic-auth check: rbac verifies the password (PBKDF2, so a
 * repeat of the same credentials is answered from rbac's cache), and repeated
 * failures slow further attempts per user name and per source address.
 */
function backendAuth(server: ServerContext) {
  const throttle = new LoginThrottle({ clock: server.clock });
  return basicAuth({
    realm: 'exodm',
    verify: async ({ user: login, password }, request) => {
      const keys = [`user:${login}`, `address:${addressOf(request)}`];
      const delay = throttle.delayFor(keys);
      if (delay > 0) await sleep(server.clock, delay, request.signal);
      const user = await server.rbac.authenticate(login, password);
      if (user === undefined) {
        throttle.failed(keys);
        server.metrics.loginFailures.inc();
        server.logger.info('login refused', { login, address: addressOf(request) });
        return undefined;
      }
      throttle.succeeded(`user:${login}`);
      return { user: login };
    },
  });
}

/** Composes the backend API, the device protocols and the operations endpoints into one Hono app. */
export function createApp(server: ServerContext, router: Router): Hono {
  const rpc = createHttpHandler(router, {
    authenticate: backendAuth(server),
    maxBodyBytes: server.settings.maxBodyBytes,
    logger: server.logger,
  });
  const app = new Hono();
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const route = c.req.routePath === '/*' ? 'other' : c.req.routePath;
    server.metrics.requests.observe(
      { route, method: c.req.method, status: `${Math.floor(c.res.status / 100)}xx` },
      (performance.now() - started) / 1000,
    );
  });
  app.post('/exodm/rpc', (c) => rpc(c.req.raw));
  app.get('/healthz', async (c) => {
    try {
      await server.db.query('SELECT 1');
      return c.json({ status: 'ok' });
    } catch (error) {
      server.logger.error('health check failed: the database does not answer', { error });
      return c.json({ status: 'unavailable', reason: 'database' }, 503);
    }
  });
  app.get('/metrics', async (c) => {
    const { body, contentType } = await server.metrics.scrape();
    return c.body(body, 200, { 'content-type': contentType });
  });
  return app;
}
