import { TABLE_2 } from '@fleetkit/rbac';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTRA_ROWS, SERVER_ALIASES } from '../src/api/matrix.ts';
import { startServer, type TestServer } from './harness.ts';
import { NOT_IMPLEMENTED } from './not-implemented.ts';

interface DiscoveredParam {
  readonly name: string;
  readonly required: boolean;
  readonly schema: Record<string, unknown>;
}
interface DiscoveredMethod {
  readonly name: string;
  readonly summary?: string;
  readonly paramStructure: string;
  readonly params: readonly DiscoveredParam[];
}

const CANONICAL = [...TABLE_2, ...EXTRA_ROWS].map((row) => row.method);

describe('rpc.discover (OpenRPC) over HTTP', () => {
  let t: TestServer;
  let methods: Map<string, DiscoveredMethod>;

  beforeAll(async () => {
    t = await startServer();
    await t.admin('exodm:create-account', { name: 'acme', password: 'acme-admin-pw' });
    await t.call('acme-admin', 'acme-admin-pw', 'exodm:create-user', { uname: 'nobody', password: 'nobody-pw' });
    const reply = await t.admin('rpc.discover');
    expect(reply.result).toMatchObject({ openrpc: '1.3.2', info: { title: expect.any(String) } });
    const listed = (reply.result?.methods ?? []) as DiscoveredMethod[];
    methods = new Map(listed.map((m) => [m.name, m]));
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists every canonical built-in method of the matrix, except the ones not implemented yet', () => {
    const missing = CANONICAL.filter((name) => !methods.has(name));
    expect(missing.sort()).toEqual(Object.keys(NOT_IMPLEMENTED).sort());
  });

  it.each(CANONICAL.filter((name) => NOT_IMPLEMENTED[name] === undefined))(
    '%s has a summary and a by-name params schema, with the account param',
    (name) => {
      const found = methods.get(name)!;
      expect(found.summary).toEqual(expect.any(String));
      expect(found.paramStructure).toBe('by-name');
      expect(found.params.length).toBeGreaterThan(0);
      for (const param of found.params) {
        expect(param.schema, `${name} ${param.name}`).toEqual(expect.any(Object));
      }
      const account = found.params.find((param) => param.name === 'account');
      expect(account).toMatchObject({ required: false, schema: { type: 'string', minLength: 1, maxLength: 64 } });
    },
  );

  it('describes the params precisely: types, limits and which are required', () => {
    const params = (name: string) => Object.fromEntries(methods.get(name)!.params.map((p) => [p.name, p]));
    expect(params('exodm:create-device')['device-id']).toEqual({
      name: 'device-id',
      required: true,
      schema: { type: 'string', minLength: 1, maxLength: 64 },
    });
    expect(params('exodm:create-device')['session-timeout']).toMatchObject({
      required: false,
      schema: { type: 'integer', minimum: 0, maximum: 43_200 },
    });
    expect(params('exodm:list-devices').n).toMatchObject({ required: true, schema: { type: 'integer', minimum: 0 } });
    expect(params('exodm:add-user-to-role').role).toMatchObject({ required: true, schema: { type: 'string' } });
    expect(params('exodm:read-config-data').area).toMatchObject({
      required: false,
      schema: { enum: ['staged', 'pending', 'installed'], default: 'installed' },
    });
  });

  it('lists every alias and bare name the router answers, with its canonical params', () => {
    const spellings = Object.entries(SERVER_ALIASES).filter(([alias]) => /^exodm:[a-z]/.test(alias));
    for (const [alias, canonical] of spellings) {
      if (NOT_IMPLEMENTED[canonical] !== undefined) continue;
      for (const name of [alias, alias.slice('exodm:'.length), canonical.slice('exodm:'.length)]) {
        expect(methods.get(name)?.params, name).toEqual(methods.get(canonical)?.params);
      }
    }
  });

  it('lists no method outside the matrix: each listed name is a row, an alias or a bare form of one', () => {
    const known = new Set<string>();
    for (const name of [...CANONICAL, ...Object.keys(SERVER_ALIASES)]) {
      known.add(name);
      known.add(name.replace(/^exodm:/, ''));
    }
    expect([...methods.keys()].filter((name) => !known.has(name))).toEqual([]);
  });

  it('answers any authenticated member, whatever its roles, and nobody without credentials', async () => {
    const member = await t.call('nobody', 'nobody-pw', 'rpc.discover');
    expect((member.result?.methods as unknown[] | undefined)?.length).toBe(methods.size);
    expect((await t.call('nobody', 'wrong-password', 'rpc.discover')).status).toBe(401);
  });
});
