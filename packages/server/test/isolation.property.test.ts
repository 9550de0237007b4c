import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RpcReply, startServer, type TestServer } from './harness.ts';

/**
 * Cross-account isolation as a model-based property (fast-check commands):
 * admins of two or three accounts create, change, delete, list and look up
 * device types, devices, groups and memberships, using the same small set
 * of ids in every account. A plain model predicts each call's result code,
 * and after every call each account's lists must equal its model: so no
 * account ever sees another's objects, and no call on a foreign id (or on
 * another account by name) changes anything.
 */

const TYPES = ['t1', 't2'] as const;
// devices and groups draw from overlapping pools: one id per account can name either (manual §5.8)
const DEVICE_IDS = ['a', 'b', 'c'] as const;
const GROUP_IDS = ['g', 'h', 'a'] as const;
const PROTOCOLS = { 'fleetkit-http': 'fleetkit-http', broker: 'broker', exoport_http: 'exoport-http' } as const;
const URLS = ['http://127.0.0.1:8001/', 'http://127.0.0.1:8002/'] as const;
const PASSWORD = 'isolation-admin-pw';

interface GroupModel {
  url: string | undefined;
  type: string | undefined;
  /** device id → primary */
  members: Map<string, boolean>;
}

interface AccountModel {
  types: Map<string, string>;
  devices: Map<string, { type: string; description: string | undefined }>;
  groups: Map<string, GroupModel>;
}

interface Model {
  readonly accounts: AccountModel[];
}

interface Real {
  readonly names: readonly string[];
  call(account: number, method: string, params: Record<string, unknown>): Promise<RpcReply>;
}

const ok = 'ok';
const notFound = 'object-not-found';

function resultOf(reply: RpcReply): unknown {
  expect(reply.error, JSON.stringify(reply.error)).toBeUndefined();
  return reply.result?.result;
}

function sorted<T>(entries: Iterable<[string, T]>): [string, T][] {
  return [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Every list of every account equals its model. */
async function verify(model: Model, real: Real): Promise<void> {
  for (const [index, account] of model.accounts.entries()) {
    const types = await real.call(index, 'exodm:list-device-types', { n: 100, previous: '' });
    expect(types.result?.['device-types']).toEqual(
      sorted(account.types).map(([name, protocol]) => ({ name, protocol })),
    );
    const devices = await real.call(index, 'exodm:list-devices', { n: 100, previous: '' });
    expect(
      ((devices.result?.devices ?? []) as Record<string, unknown>[]).map((d) => ({
        id: d['device-id'],
        type: d['device-type'],
        description: d.description,
      })),
    ).toEqual(sorted(account.devices).map(([id, d]) => ({ id, type: d.type, description: d.description })));
    const groups = await real.call(index, 'exodm:list-device-groups', { n: 100, previous: '' });
    expect(
      ((groups.result?.['device-groups'] ?? []) as Record<string, unknown>[]).map((g) => [
        g['group-id'],
        g['notification-url'],
      ]),
    ).toEqual(sorted(account.groups).map(([id, g]) => [id, g.url]));
    for (const [id, group] of account.groups) {
      const members = await real.call(index, 'exodm:list-device-group-members', { 'group-id': id, n: 100 });
      expect(members.result?.devices).toEqual(
        sorted(group.members).map(([device, primary]) => ({ 'device-id': device, primary })),
      );
    }
    for (const type of account.types.keys()) {
      const members = await real.call(index, 'exodm:list-device-type-members', { name: type, n: 100 });
      const expected = sorted(account.devices)
        .filter(([, d]) => d.type === type)
        .map(([id]) => id);
      expect(members.result?.['device-type-members']).toEqual(expected);
    }
  }
}

type Params = Record<string, unknown>;

/**
 * One call by the admin of `account`: `params` fixed, or picked from the
 * caller's model when it runs (to act on objects that exist); its result
 * predicted by `apply` on the model, which it also updates.
 */
class Call implements fc.AsyncCommand<Model, Real> {
  readonly account: number;
  readonly method: string;
  readonly params: Params | ((account: AccountModel) => Params);
  readonly apply: (account: AccountModel, params: Params) => string;
  #sent: Params | undefined;

  constructor(
    account: number,
    method: string,
    params: Params | ((account: AccountModel) => Params),
    apply: (account: AccountModel, params: Params) => string,
  ) {
    this.account = account;
    this.method = method;
    this.params = params;
    this.apply = apply;
  }

  check(): boolean {
    return true;
  }

  async run(model: Model, real: Real): Promise<void> {
    const index = this.account % model.accounts.length;
    const account = model.accounts[index]!;
    const params = typeof this.params === 'function' ? this.params(account) : this.params;
    this.#sent = params;
    const expected = this.apply(account, params);
    const reply = await real.call(index, this.method, params);
    expect(resultOf(reply), `${this.toString()} in account ${index}`).toBe(expected);
    await verify(model, real);
  }

  toString(): string {
    return `${this.method}(${JSON.stringify(this.#sent ?? this.params)})@${this.account}`;
  }
}

function removeDevice(account: AccountModel, id: string): void {
  account.devices.delete(id);
  for (const group of account.groups.values()) {
    group.members.delete(id);
    if (group.members.size === 0) group.type = undefined;
  }
}

const accountIndex = fc.nat(2);
const typeName = fc.constantFrom(...TYPES);
const deviceId = fc.constantFrom(...DEVICE_IDS);
const groupId = fc.constantFrom(...GROUP_IDS);
const someIds = fc.uniqueArray(deviceId, { minLength: 1, maxLength: 2 });
const protocol = fc.constantFrom(...(Object.keys(PROTOCOLS) as (keyof typeof PROTOCOLS)[]));
const url = fc.option(fc.constantFrom(...URLS), { nil: undefined });
/** Picks among the caller's existing objects at run time (an index into them, or a fallback id when none). */
const pick = fc.nat(7);

function picked(keys: Iterable<string>, index: number, fallback: string): string {
  const all = [...keys].sort();
  return all.length === 0 ? fallback : all[index % all.length]!;
}

const text = (value: unknown): string => value as string;
const texts = (value: unknown): string[] => value as string[];

// --- the model's rules, one per method (the order of checks is the server's) ---

function createType(m: AccountModel, p: Params): string {
  if (m.types.has(text(p.name))) return 'object-exists';
  m.types.set(text(p.name), PROTOCOLS[p.protocol as keyof typeof PROTOCOLS]);
  return ok;
}

function updateType(m: AccountModel, p: Params): string {
  if (!m.types.has(text(p.name))) return notFound;
  m.types.set(text(p.name), PROTOCOLS[p.protocol as keyof typeof PROTOCOLS]);
  return ok;
}

function deleteType(m: AccountModel, p: Params): string {
  if (!m.types.has(text(p.name))) return notFound;
  if ([...m.devices.values()].some((d) => d.type === p.name)) return 'object-not-empty';
  m.types.delete(text(p.name));
  return ok;
}

function createDevice(m: AccountModel, p: Params): string {
  const id = text(p['device-id']);
  if (!m.types.has(text(p['device-type']))) return notFound;
  if (m.devices.has(id) || m.groups.has(id)) return 'object-exists';
  m.devices.set(id, { type: text(p['device-type']), description: p.description as string | undefined });
  return ok;
}

function updateDevice(m: AccountModel, p: Params): string {
  const device = m.devices.get(text(p['device-id']));
  if (device === undefined) return notFound;
  device.description = text(p.description);
  return ok;
}

function deleteDevices(m: AccountModel, p: Params): string {
  const ids = texts(p['device-id']);
  if (ids.some((id) => !m.devices.has(id))) return notFound;
  for (const id of ids) removeDevice(m, id);
  return ok;
}

function createGroup(m: AccountModel, p: Params): string {
  const id = text(p['group-name']);
  if (m.devices.has(id) || m.groups.has(id)) return 'object-exists';
  m.groups.set(id, { url: p['notification-url'] as string | undefined, type: undefined, members: new Map() });
  return ok;
}

function updateGroup(m: AccountModel, p: Params): string {
  const group = m.groups.get(text(p['group-id']));
  if (group === undefined) return notFound;
  group.url = text(p['notification-url']);
  return ok;
}

function addMembers(m: AccountModel, p: Params): string {
  const group = m.groups.get(text(p['group-name']));
  const devices = texts(p['device-id']);
  if (group === undefined || devices.some((d) => !m.devices.has(d))) return notFound;
  // manual §5.8: the first member fixes the group's type
  const type = group.type ?? m.devices.get(devices[0]!)!.type;
  if (devices.some((d) => m.devices.get(d)!.type !== type)) return 'validation-failed';
  group.type = type;
  for (const device of devices) {
    if (p.primary === true) {
      for (const other of m.groups.values()) if (other.members.has(device)) other.members.set(device, false);
    }
    group.members.set(device, p.primary === true || (group.members.get(device) ?? false));
  }
  return ok;
}

function removeMembers(m: AccountModel, p: Params): string {
  const group = m.groups.get(texts(p['group-id'])[0]!);
  const devices = texts(p['device-id']);
  if (group === undefined || devices.some((d) => !m.devices.has(d))) return notFound;
  for (const device of devices) group.members.delete(device);
  if (group.members.size === 0) group.type = undefined;
  return ok;
}

/**
 * An account's starting objects: type t1 (and maybe t2), some devices of
 * those types, and groups on the group ids no device took.
 */
const initialAccount = fc
  .record({
    t2: fc.boolean(),
    devices: fc.subarray([...DEVICE_IDS], { minLength: 1 }),
    typeOf: fc.array(fc.boolean(), { minLength: DEVICE_IDS.length, maxLength: DEVICE_IDS.length }),
    groups: fc.subarray([...GROUP_IDS]),
  })
  .map((setup) => (account: number): Call[] => [
    new Call(account, 'exodm:create-device-type', { name: 't1', protocol: 'broker' }, createType),
    ...(setup.t2
      ? [new Call(account, 'exodm:create-device-type', { name: 't2', protocol: 'fleetkit-http' }, createType)]
      : []),
    ...setup.devices.map(
      (id, at) =>
        new Call(
          account,
          'exodm:create-device',
          { 'device-id': id, 'device-type': setup.t2 && setup.typeOf[at] === true ? 't2' : 't1' },
          createDevice,
        ),
    ),
    ...setup.groups
      .filter((id) => !setup.devices.includes(id as never))
      .map((id) => new Call(account, 'exodm:create-device-group', { 'group-name': id }, createGroup)),
  ]);

// --- the commands: ids from the shared pools (often another account's), or picked among the caller's ---

/** Adds members picked among the caller's groups and devices: the call that builds memberships to test. */
const addPicked = fc.tuple(accountIndex, pick, fc.uniqueArray(pick, { minLength: 1, maxLength: 2 }), fc.boolean()).map(
  ([a, group, devices, primary]) =>
    new Call(
      a,
      'exodm:add-device-group-members',
      (m) => ({
        'group-name': picked(m.groups.keys(), group, 'g'),
        'device-id': [...new Set(devices.map((index) => picked(m.devices.keys(), index, 'b')))],
        primary,
      }),
      addMembers,
    ),
);

const commands = [
  addPicked,
  addPicked,
  addPicked,
  fc
    .tuple(accountIndex, typeName, protocol)
    .map(([a, name, p]) => new Call(a, 'exodm:create-device-type', { name, protocol: p }, createType)),
  fc
    .tuple(accountIndex, typeName, protocol)
    .map(([a, name, p]) => new Call(a, 'exodm:update-device-type', { name, protocol: p }, updateType)),
  fc.tuple(accountIndex, typeName).map(([a, name]) => new Call(a, 'exodm:delete-device-type', { name }, deleteType)),
  fc
    .tuple(accountIndex, deviceId, typeName, fc.option(fc.string({ maxLength: 8 }), { nil: undefined }))
    .map(
      ([a, id, type, description]) =>
        new Call(
          a,
          'exodm:create-device',
          { 'device-id': id, 'device-type': type, ...(description === undefined ? {} : { description }) },
          createDevice,
        ),
    ),
  fc
    .tuple(accountIndex, deviceId, pick)
    .map(
      ([a, id, index]) =>
        new Call(
          a,
          'exodm:create-device',
          (m) => ({ 'device-id': id, 'device-type': picked(m.types.keys(), index, 't1') }),
          createDevice,
        ),
    ),
  fc
    .tuple(accountIndex, deviceId, fc.string({ maxLength: 8 }))
    .map(([a, id, description]) => new Call(a, 'exodm:update-device', { 'device-id': id, description }, updateDevice)),
  fc
    .tuple(accountIndex, someIds)
    .map(([a, ids]) => new Call(a, 'exodm:delete-devices', { 'device-id': ids }, deleteDevices)),
  fc
    .tuple(accountIndex, pick)
    .map(
      ([a, index]) =>
        new Call(
          a,
          'exodm:delete-devices',
          (m) => ({ 'device-id': [picked(m.devices.keys(), index, 'b')] }),
          deleteDevices,
        ),
    ),
  fc
    .tuple(accountIndex, deviceId)
    .map(
      ([a, id]) =>
        new Call(a, 'exodm:lookup-device', { 'device-id': id }, (m) => (m.devices.has(id) ? ok : 'device-not-found')),
    ),
  fc
    .tuple(accountIndex, deviceId)
    .map(
      ([a, id]) =>
        new Call(a, 'exodm:list-device-groups', { 'device-id': id, n: 10 }, (m) => (m.devices.has(id) ? ok : notFound)),
    ),
  fc
    .tuple(accountIndex, groupId, url)
    .map(
      ([a, id, u]) =>
        new Call(
          a,
          'exodm:create-device-group',
          { 'group-name': id, ...(u === undefined ? {} : { 'notification-url': u }) },
          createGroup,
        ),
    ),
  fc
    .tuple(accountIndex, groupId, fc.constantFrom(...URLS))
    .map(
      ([a, id, u]) => new Call(a, 'exodm:update-device-group', { 'group-id': id, 'notification-url': u }, updateGroup),
    ),
  fc
    .tuple(accountIndex, groupId)
    .map(
      ([a, id]) =>
        new Call(a, 'exodm:delete-device-group', { 'group-name': id }, (m) => (m.groups.delete(id) ? ok : notFound)),
    ),
  fc
    .tuple(accountIndex, groupId, someIds, fc.boolean())
    .map(
      ([a, id, devices, primary]) =>
        new Call(a, 'exodm:add-device-group-members', { 'group-name': id, 'device-id': devices, primary }, addMembers),
    ),
  fc
    .tuple(accountIndex, groupId, someIds)
    .map(
      ([a, id, devices]) =>
        new Call(a, 'exodm:remove-device-group-members', { 'group-id': [id], 'device-id': devices }, removeMembers),
    ),
  fc.tuple(accountIndex, pick, pick).map(
    ([a, group, device]) =>
      new Call(
        a,
        'exodm:remove-device-group-members',
        (m) => {
          const groupId = picked(m.groups.keys(), group, 'g');
          return {
            'group-id': [groupId],
            'device-id': [picked(m.groups.get(groupId)?.members.keys() ?? [], device, 'b')],
          };
        },
        removeMembers,
      ),
  ),
  // an admin naming another account (by its offset from the caller's): refused before anything is read
  fc
    .tuple(
      accountIndex,
      fc.integer({ min: 1, max: 2 }),
      fc.constantFrom('a', 'b', 'g'),
      fc.constantFrom('device', 'group', 'type'),
    )
    .map(([a, offset, id, kind]) => {
      const calls = {
        device: ['exodm:delete-devices', { 'device-id': [id] }],
        group: ['exodm:delete-device-group', { 'group-id': id }],
        type: ['exodm:delete-device-type', { name: 't1' }],
      } as const;
      const [method, params] = calls[kind];
      return new Call(a, method, { ...params, account: offset }, () => 'permission-denied');
    }),
];

describe('cross-account isolation of devices, groups and types (property)', () => {
  let t: TestServer;
  let runs = 0;

  beforeAll(async () => {
    t = await startServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it('never shows one account the objects of another, and no call on a foreign id changes anything', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(initialAccount, { minLength: 2, maxLength: 3 }),
        fc.commands(commands, { maxCommands: 40, size: 'max' }),
        async (initial, cmds) => {
          const count = initial.length;
          runs += 1;
          const names = Array.from({ length: count }, (_, index) => `iso${runs}x${index}`);
          for (const name of names) {
            const created = await t.admin('exodm:create-account', {
              name,
              email: `${name}@example.com`,
              password: PASSWORD,
            });
            expect(created.result?.result).toBe(ok);
          }
          const real: Real = {
            names,
            call: (account, method, params) => {
              // the foreign-account command names an account by its offset from the caller's
              const named =
                typeof params.account === 'number'
                  ? {
                      ...params,
                      account: names[(account + 1 + ((params.account - 1) % (names.length - 1))) % names.length],
                    }
                  : params;
              return t.call(`${names[account]}-admin`, PASSWORD, method, named);
            },
          };
          const model: Model = {
            accounts: names.map(() => ({ types: new Map(), devices: new Map(), groups: new Map() })),
          };
          // each account starts with its own mix of the shared ids, so most calls have something to act on
          for (const [index, setup] of initial.entries()) {
            for (const call of setup(index)) await call.run(model, real);
          }
          await fc.asyncModelRun(() => ({ model, real }), cmds);
        },
      ),
      { numRuns: 25 },
    );
  }, 300_000);
});
