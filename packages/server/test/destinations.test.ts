import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lookupHost } from '../src/adapters/dns.ts';
import { postPinned } from '../src/adapters/pinned-http.ts';
import { callbackStats } from '../src/callbacks/outbox.ts';
import { queueName } from '../src/context.ts';
import { checkDestination, type DestinationPolicy, judgeDestination } from '../src/destinations.ts';
import { ServerError } from '../src/errors.ts';
import { postJson } from '../src/http-post.ts';
import { Outcome } from '../src/result-code.ts';
import { DEFAULT_SETTINGS } from '../src/settings.ts';
import { eventually, type Listener, listen } from './callback-listener.ts';
import { startServer, type TestServer } from './harness.ts';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

async function listener(...args: Parameters<typeof listen>): Promise<Listener> {
  const l = await listen(...args);
  open.push(l);
  return l;
}

function policy(rules: Partial<DestinationPolicy> = {}): DestinationPolicy {
  return { allow: [], deny: DEFAULT_SETTINGS.destinationsDeny, resolve: lookupHost, ...rules };
}

/** A resolver answering from a fixed table, for names with several addresses. */
function table(entries: Record<string, readonly string[]>): DestinationPolicy['resolve'] {
  return async (name) => {
    const found = entries[name];
    if (found === undefined) throw Object.assign(new Error(`${name} is not in the table`), { code: 'ENOTFOUND' });
    return found;
  };
}

async function refusal(url: string, rules?: Partial<DestinationPolicy>): Promise<string | undefined> {
  const verdict = await judgeDestination(url, policy(rules));
  return verdict.allowed ? undefined : verdict.code;
}

describe('destination rules for tenant-given URLs', () => {
  it('accepts http and https only', async () => {
    for (const url of ['ftp://example.com/x', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', 'gopher://a']) {
      expect(await refusal(url)).toBe('invalid-url');
    }
    expect(await refusal('http://127.0.0.1:8080/cb')).toBeUndefined();
    expect(await refusal('https://[::1]/cb')).toBeUndefined();
  });

  it('refuses the link-local metadata address by default in every spelling', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://2852039166/',
      'http://0xa9.0xfe.0xa9.0xfe/',
      'http://[::ffff:169.254.169.254]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[fe80::1]/',
    ]) {
      expect(await refusal(url)).toBe('destination-denied');
    }
  });

  it('refuses addresses that name no single server whatever the lists say', async () => {
    for (const url of ['http://0.0.0.0:8080/', 'http://[::]/', 'http://224.0.0.1/', 'http://255.255.255.255/']) {
      expect(await refusal(url, { deny: [], allow: ['0.0.0.0/0', '::/0'] })).toBe('destination-denied');
    }
  });

  it('refuses a deny-listed host name before resolving it, and its subdomains with *.', async () => {
    const resolve = table({ 'corp.example': ['192.0.2.10'] });
    const deny = ['metadata.google.internal', '*.corp.example'];
    expect(await refusal('http://metadata.google.internal/', { deny, resolve })).toBe('destination-denied');
    expect(await refusal('http://METADATA.google.internal./', { deny, resolve })).toBe('destination-denied');
    expect(await refusal('https://a.b.corp.example/', { deny, resolve })).toBe('destination-denied');
    expect(await refusal('https://corp.example/', { deny, resolve })).toBeUndefined();
  });

  it('checks every address a name resolves to, with the system resolver too', async () => {
    const resolve = table({ 'mixed.example': ['192.0.2.1', '10.0.0.5'] });
    const verdict = await judgeDestination('http://mixed.example/cb', policy({ deny: ['10.0.0.0/8'], resolve }));
    expect(verdict).toMatchObject({ allowed: false, code: 'destination-denied' });
    expect(verdict.allowed ? '' : verdict.reason).toContain('10.0.0.5');
    expect(await refusal('http://localhost:8080/', { deny: ['127.0.0.0/8'] })).toBe('destination-denied');
    expect(await judgeDestination('http://localhost:8080/', policy())).toMatchObject({
      allowed: true,
      addresses: ['127.0.0.1'],
    });
    expect(await refusal('http://no-such-host.invalid/')).toBe('unresolved');
  });

  it('admits only allow-listed destinations when an allow list is set, and deny wins over allow', async () => {
    const allow = ['10.0.0.0/8', 'localhost'];
    expect(await refusal('http://10.1.2.3/cb', { allow })).toBeUndefined();
    expect(await refusal('http://127.0.0.1/cb', { allow })).toBe('destination-denied');
    expect(await refusal('http://localhost/cb', { allow })).toBeUndefined();
    expect(await refusal('http://10.1.2.3/cb', { allow, deny: ['10.1.2.3'] })).toBe('destination-denied');
  });

  it('refuses to start with a rule that is neither a network, an address nor a host name', async () => {
    for (const rule of ['10.0.0.0/33', 'fe80::/129', 'not a host', '10.0.0.0/x']) {
      const started = startServer({ settings: { destinationsDeny: [rule] } });
      await expect(started).rejects.toMatchObject({ code: 'invalid-option' });
    }
  });
});

describe('checkDestination and postJson', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer({ settings: { destinationsDeny: [...DEFAULT_SETTINGS.destinationsDeny, '192.0.2.0/24'] } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers validation-failed with the reason for a refused notification URL', async () => {
    const refused = await checkDestination(t.server.context, 'http://192.0.2.7/cb').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Outcome);
    expect((refused as Outcome).toResult()).toEqual({
      result: 'validation-failed',
      reason: 'notification-url refused: 192.0.2.7 is on the deny list',
    });
    const scheme = await checkDestination(t.server.context, 'ftp://a/').catch((error: unknown) => error);
    expect((scheme as Outcome).result).toBe('validation-failed');
    await expect(checkDestination(t.server.context, 'http://127.0.0.1:9/cb')).resolves.toBeUndefined();
  });

  it('does not follow a redirect: the 3xx comes back as it is', async () => {
    const elsewhere = await listener();
    const redirecting = await listener(() => new Response(null, { status: 302, headers: { location: elsewhere.url } }));
    const reply = await postJson(t.server.context, redirecting.url, { body: '{"a":1}' });
    expect(reply.status).toBe(302);
    expect(redirecting.received).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('reads at most maxReplyBytes of a reply and drops the rest', async () => {
    const big = await listener(() => new Response('x'.repeat(1 << 20)));
    const reply = await postJson(t.server.context, big.url, { body: '{}', maxReplyBytes: 1000 });
    expect(reply).toMatchObject({ status: 200, truncated: true, address: '127.0.0.1' });
    expect(reply.body).toBe('x'.repeat(1000));
    const small = await postJson(t.server.context, big.url, { body: '{}', maxReplyBytes: 2 << 20 });
    expect(small.truncated).toBe(false);
    expect(small.body.length).toBe(1 << 20);
  });

  it('gives up on a backend that does not answer within the deadline', async () => {
    const hanging = await listener(() => new Promise<Response>(() => {}));
    const error = await postJson(t.server.context, hanging.url, { body: '{}', timeoutMs: 200 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ code: 'callback-failed', details: { reason: 'timeout' } });
  });

  it('refuses a denied or malformed URL at send time, and reports a name that does not resolve', async () => {
    await expect(postJson(t.server.context, 'http://192.0.2.1/cb', { body: '{}' })).rejects.toMatchObject({
      code: 'destination-denied',
    });
    await expect(postJson(t.server.context, 'mailto:a@b', { body: '{}' })).rejects.toMatchObject({
      code: 'invalid-url',
    });
    await expect(postJson(t.server.context, 'http://no-such-host.invalid/', { body: '{}' })).rejects.toMatchObject({
      code: 'callback-failed',
      details: { reason: 'unresolved' },
    });
  });

  it('sends credentials of the URL as Basic auth, never in the request line', async () => {
    const backend = await listener();
    const url = new URL(backend.url);
    url.username = 'cb-user';
    url.password = 'p@ss word';
    const reply = await postJson(t.server.context, url.toString(), { body: '{"jsonrpc":"2.0","method":"x"}' });
    expect(reply.status).toBe(204);
    const [received] = await backend.waitFor(1);
    expect(received!.headers.get('authorization')).toBe(`Basic ${btoa('cb-user:p@ss word')}`);
    expect(received!.path).toBe('/cb');
  });

  it('connects to the checked address, not to a new resolution of the name', async () => {
    const backend = await listener();
    const reply = await postPinned({
      // the name resolves nowhere: only the pinned address can have been used
      url: new URL(`http://pinned.invalid:${backend.port}/cb`),
      addresses: ['127.0.0.1'],
      headers: { 'content-type': 'application/json' },
      body: new TextEncoder().encode('{"jsonrpc":"2.0","method":"x"}'),
      signal: AbortSignal.timeout(10_000),
    });
    expect(reply.status).toBe(204);
    reply.discard();
    const [received] = await backend.waitFor(1);
    expect(received!.headers.get('host')).toBe(`pinned.invalid:${backend.port}`);
  });
});

describe('a callback to a destination refused at send time', () => {
  it('is marked dead and logged, and nothing is sent', async () => {
    const t = await startServer({ settings: { destinationsDeny: ['127.0.0.0/8'] } });
    open.push(t);
    const backend = await listener();
    const queue = t.server.context.queue;
    const device = queueName('acme', 'dev-1');
    await queue.enqueue({ target: { device }, kind: 'rpc', tag: 'test:echo', payload: {}, notify: backend.url });
    await queue.callIn(device);
    await eventually(async () => (await callbackStats(t.server.context)).dead === 1, 'the row to be refused');
    expect(backend.received).toHaveLength(0);
    const logged = t.logs.records.find((r) => r.message === 'callback refused at send time: destination not allowed');
    expect(String(logged?.fields.reason)).toContain('deny list');
  });
});
