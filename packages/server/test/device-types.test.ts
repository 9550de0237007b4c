import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalProtocol, DEVICE_PROTOCOLS } from '../src/store/device-types.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';

const ACME = { login: 'acme-admin', password: 'acme-admin-pw' };
const GLOBEX = { login: 'globex-admin', password: 'globex-admin-pw' };

/** A device-attribute specification as the manual's weather station example has one (§6.3). */
const WEATHER_YANG = `module weather-attributes {
  yang-version 1.1;
  namespace "urn:example:weather-attributes";
  prefix wa;
  container station {
    leaf msisdn { type string { pattern '[0-9]+'; } mandatory true; }
    leaf port { type uint16 { range "1..1024"; } }
    list sensor {
      key "name";
      leaf name { type string; }
      leaf interval { type uint32; }
    }
  }
  container other {
    leaf required { type string; mandatory true; }
  }
}`;

/** Stores a module in the calling account's repository (docs/sources.md, the real exodm server item 1 `create-yang-module`). */
async function storeModule(t: TestServer, file: string, text: string): Promise<void> {
  const reply = await t.call(ACME.login, ACME.password, 'exodm:create-yang-module', {
    repository: 'user',
    name: file,
    'yang-module': text,
  });
  expect(reply.result).toEqual({ result: 'ok' });
}

describe('device types over HTTP (manual §5.5, docs/sources.md, the real exodm server item 1 device-type methods)', () => {
  let t: TestServer;
  const acme = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(ACME.login, ACME.password, method, params);
  const globex = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(GLOBEX.login, GLOBEX.password, method, params);

  beforeAll(async () => {
    t = await startServer();
    await t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
    await t.admin('exodm:create-account', { name: 'globex', email: 'g@globex.com', password: GLOBEX.password });
  });
  afterAll(async () => {
    await t.close();
  });

  it('keeps the protocol plugin names in one list, with the real server spelling as an alias', () => {
    expect(DEVICE_PROTOCOLS).toEqual(['fleetkit-http', 'exoport-http', 'broker']);
    expect(canonicalProtocol('exoport_http')).toBe('exoport-http');
    expect(canonicalProtocol('exodm_bert')).toBe('broker');
    expect(canonicalProtocol('exodm_bert_direct')).toBeUndefined();
  });

  it('creates device types and lists them as the real server, n after previous', async () => {
    expect((await acme('exodm:create-device-type', { name: 'type1', protocol: 'broker' })).result).toEqual({
      result: 'ok',
    });
    await acme('create-device-type', { name: 'devtype_1', protocol: 'exoport_http' });
    await acme('exodm:create-device-type', { name: 'zeta', protocol: 'fleetkit-http' });
    const list = await acme('exodm:list-device-types', { n: 2, previous: '' });
    expect(list.result).toEqual({
      result: 'ok',
      'device-types': [
        { name: 'devtype_1', protocol: 'exoport-http' },
        { name: 'type1', protocol: 'broker' },
      ],
    });
    const rest = await acme('exodm:list-device-types', { n: 2, previous: 'type1' });
    expect(rest.result?.['device-types']).toEqual([{ name: 'zeta', protocol: 'fleetkit-http' }]);
  });

  it('refuses a second type of the same name with object-exists', async () => {
    const again = await acme('exodm:create-device-type', { name: 'type1', protocol: 'fleetkit-http' });
    expect(again.result?.result).toBe('object-exists');
  });

  it('answers -32602 with the path for an unknown protocol, a missing one or a bad name', async () => {
    const unknown = await acme('exodm:create-device-type', { name: 't-x', protocol: 'exodm_bert_direct' });
    expect(unknown.error?.code).toBe(-32602);
    expect(JSON.stringify(unknown.error?.data)).toContain('"path":["protocol"]');
    expect(JSON.stringify(unknown.error?.data)).toContain(
      'fleetkit-http, exoport-http, broker, exoport_http, exodm_bert',
    );
    const missing = await acme('exodm:create-device-type', { name: 't-x' });
    expect(JSON.stringify(missing.error?.data)).toContain('"path":["protocol"]');
    const long = await acme('exodm:create-device-type', { name: 'n'.repeat(65), protocol: 'broker' });
    expect(JSON.stringify(long.error?.data)).toContain('"path":["name"]');
    const types = await acme('exodm:list-device-types', { n: 10 });
    expect(types.result?.['device-types']).toHaveLength(3);
  });

  it('updates the protocol of a type, and answers object-not-found for an unknown one', async () => {
    expect((await acme('exodm:update-device-type', { name: 'devtype_1', protocol: 'broker' })).result).toEqual({
      result: 'ok',
    });
    const list = await acme('exodm:list-device-types', { n: 1, previous: '' });
    expect(list.result?.['device-types']).toEqual([{ name: 'devtype_1', protocol: 'broker' }]);
    const unknown = await acme('exodm:update-device-type', { name: 'nope', protocol: 'broker' });
    expect(unknown.result?.result).toBe('object-not-found');
  });

  it('lists the devices of a type under both names, and refuses to delete a type in use with object-not-empty', async () => {
    for (const id of ['x00000001', 'x00000002', 'x00000003']) {
      await acme('exodm:create-device', { 'device-id': id, 'device-type': 'type1' });
    }
    const members = await acme('exodm:list-device-type-members', { name: 'type1', n: 2, previous: '' });
    expect(members.result).toEqual({
      result: 'ok',
      'device-type-members': ['x00000001', 'x00000002'],
      devices: [{ 'device-id': 'x00000001' }, { 'device-id': 'x00000002' }],
    });
    const renamed = await acme('exodm:list-device-type-devices', { name: 'type1', n: 5, previous: 'x00000002' });
    expect(renamed.result?.['device-type-members']).toEqual(['x00000003']);
    expect(
      (await acme('exodm:list-device-type-members', { name: 'zeta', n: 5 })).result?.['device-type-members'],
    ).toEqual([]);
    const unknown = await acme('exodm:list-device-type-members', { name: 'nope', n: 5 });
    expect(unknown.result?.result).toBe('object-not-found');
    const busy = await acme('exodm:delete-device-type', { name: 'type1' });
    expect(busy.result?.result).toBe('object-not-empty');
    expect((await acme('exodm:list-device-types', { n: 10 })).result?.['device-types']).toContainEqual({
      name: 'type1',
      protocol: 'broker',
    });
    await acme('exodm:delete-devices', { 'device-id': ['x00000001', 'x00000002', 'x00000003'] });
    expect((await acme('exodm:delete-device-type', { name: 'type1' })).result).toEqual({ result: 'ok' });
    expect((await acme('exodm:delete-device-type', { name: 'type1' })).result?.result).toBe('object-not-found');
  });

  it("never shows or changes another account's device types", async () => {
    const before = (await acme('exodm:list-device-types', { n: 10 })).result;
    expect((await globex('exodm:list-device-types', { n: 10 })).result?.['device-types']).toEqual([]);
    expect((await globex('exodm:update-device-type', { name: 'zeta', protocol: 'broker' })).result?.result).toBe(
      'object-not-found',
    );
    expect((await globex('exodm:delete-device-type', { name: 'zeta' })).result?.result).toBe('object-not-found');
    expect((await globex('exodm:list-device-type-members', { name: 'zeta', n: 5 })).result?.result).toBe(
      'object-not-found',
    );
    expect((await globex('exodm:create-device', { 'device-id': 'g-1', 'device-type': 'zeta' })).result?.result).toBe(
      'object-not-found',
    );
    expect((await globex('exodm:create-device-type', { name: 'zeta', protocol: 'broker' })).result).toEqual({
      result: 'ok',
    });
    expect((await acme('exodm:list-device-types', { n: 10 })).result).toEqual(before);
  });

  describe('2.x attribute specifications (manual §5.5, §6.3)', () => {
    beforeAll(async () => {
      await storeModule(t, 'weather-attributes.yang', WEATHER_YANG);
    });

    it('refuses a specification whose module or container is not there, or that names only one of them', async () => {
      const noModule = await acme('exodm:create-device-type', {
        name: 'weather_r1',
        protocol: 'broker',
        'yang-specification': 'rain.yang',
        'attribute-container': 'station',
      });
      expect(noModule.result?.result).toBe('object-not-found');
      const noContainer = await acme('exodm:create-device-type', {
        name: 'weather_r1',
        protocol: 'broker',
        'yang-specification': 'weather-attributes.yang',
        'attribute-container': 'mast',
      });
      expect(noContainer.result?.result).toBe('validation-failed');
      const half = await acme('exodm:create-device-type', {
        name: 'weather_r1',
        protocol: 'broker',
        'yang-specification': 'weather-attributes.yang',
      });
      expect(half.result?.result).toBe('missing-option');
      // another account's module is not there for this one
      const foreign = await globex('exodm:create-device-type', {
        name: 'weather_r1',
        protocol: 'broker',
        'yang-specification': 'weather-attributes',
        'attribute-container': 'station',
      });
      expect(foreign.result?.result).toBe('object-not-found');
    });

    it('creates a type with a specification and lists it with its module and container', async () => {
      const created = await acme('exodm:create-device-type', {
        name: 'weather_r1',
        protocol: 'broker',
        'yang-specification': 'weather-attributes.yang',
        'attribute-container': 'station',
      });
      expect(created.result).toEqual({ result: 'ok' });
      const list = await acme('exodm:list-device-types', { n: 1, previous: 'devtype_1' });
      expect(list.result?.['device-types']).toEqual([
        {
          name: 'weather_r1',
          protocol: 'broker',
          'yang-specification': 'weather-attributes.yang',
          'attribute-container': 'station',
        },
      ]);
    });

    it('accepts attributes that fit the container (other top-level nodes do not matter)', async () => {
      const created = await acme('exodm:create-device', {
        'device-id': 'ws-1',
        'device-type': 'weather_r1',
        attributes: { msisdn: '46701234567', port: 80, sensor: [{ name: 'rain', interval: 60 }] },
      });
      expect(created.result).toEqual({ result: 'ok' });
    });

    it('answers validation-failed with the path of each bad attribute, and stores nothing', async () => {
      const bad = await acme('exodm:create-device', {
        'device-id': 'ws-2',
        'device-type': 'weather_r1',
        attributes: {
          msisdn: '46701234567',
          port: 2000,
          sensor: [
            { name: 'rain', interval: 60 },
            { name: 'wind', interval: -1 },
          ],
        },
      });
      expect(bad.result?.result).toBe('validation-failed');
      expect(bad.result?.reason).toContain('attributes/port');
      const issues = (bad.result?.issues ?? []) as { path: unknown[]; yangPath: string; got: string }[];
      expect(issues.map((issue) => issue.path)).toEqual([
        ['attributes', 'port'],
        ['attributes', 'sensor', 1, 'interval'],
      ]);
      expect(issues[0]).toMatchObject({ yangPath: '/weather-attributes:station/port', got: '2000' });
      expect(issues[1]?.yangPath).toBe("/weather-attributes:station/sensor[name='wind']/interval");
      const missing = await acme('exodm:create-device', {
        'device-id': 'ws-2',
        'device-type': 'weather_r1',
        attributes: { port: 80, colour: 'red' },
      });
      expect(missing.result?.result).toBe('validation-failed');
      const paths = ((missing.result?.issues ?? []) as { path: unknown[] }[]).map((issue) => issue.path);
      expect(paths).toContainEqual(['attributes', 'colour']);
      expect(paths.some((path) => path.join('/').startsWith('attributes/msisdn'))).toBe(true);
      expect((await acme('exodm:lookup-device', { 'device-id': 'ws-2' })).result?.result).toBe('device-not-found');
    });

    it('checks the merged attributes on update and changes nothing when they do not fit', async () => {
      const bad = await acme('exodm:update-device', { 'device-id': 'ws-1', attributes: { port: 0 } });
      expect(bad.result?.result).toBe('validation-failed');
      const good = await acme('exodm:update-device', { 'device-id': 'ws-1', attributes: { port: 443 } });
      expect(good.result).toEqual({ result: 'ok' });
      const found = await acme('exodm:lookup-device', { 'device-id': 'ws-1' });
      expect(found.result?.attributes).toEqual({
        msisdn: '46701234567',
        port: 443,
        sensor: [{ name: 'rain', interval: 60 }],
      });
    });

    it('checks the attributes against the new type when a device changes type', async () => {
      await acme('exodm:create-device', { 'device-id': 'plain-1', 'device-type': 'zeta', attributes: { x: 1 } });
      const retyped = await acme('exodm:update-device', { 'device-id': 'plain-1', 'device-type': 'weather_r1' });
      expect(retyped.result?.result).toBe('validation-failed');
      expect((await acme('exodm:lookup-device', { 'device-id': 'plain-1' })).result?.['device-type']).toBe('zeta');
    });
  });
});
