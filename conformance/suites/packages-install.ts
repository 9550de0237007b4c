import { manifestId } from '@fleetkit/chunked';
import type { Check } from '../runner/check.ts';
import { need } from '../runner/check.ts';
import { ensure, equal, includes, sameId, show } from '../runner/expect.ts';
import { APP_MODULE, CHUNK_SIZE, PACKAGES } from './packages-data.ts';
import type { PackageDevice } from './packages-device.ts';
import { finalCallback, OTHER_TYPE, type PackagesWorld, TYPE } from './packages-world.ts';
import { readArea } from './shared.ts';

/** The app's configuration values its install is given (manual §5.6 item 2). */
const VALUES = { settings: { site: 'north', 'sample-rate': 30 } };

/** Whether a refusal's reason names every one of `names` as a word. */
function names(reason: unknown, ...words: string[]): boolean {
  return typeof reason === 'string' && words.every((word) => new RegExp(`(^|[^\\w-])${word}([^\\w-]|$)`).test(reason));
}

/**
 * Manual §5.5 item 4, §5.6 and §6.3–§6.4 on the backend side: upload,
 * allowed packages, install with dependencies (refused without
 * recursive-dependency-resolve, in order with it), the configuration data
 * an install creates, refusals made before anything is queued, uninstall
 * refused while depended upon, remove-unused, and a group install.
 */
export function installChecks(world: PackagesWorld): Check[] {
  const wait = world.waitMs;
  const endpoint = world.env.listener.endpoint('packages-install');
  let first: PackageDevice | undefined;
  let installed: { names: string[]; ids: string[] } | undefined;

  return [
    {
      name: '§5.6: create-package takes the image inline as base64; list-packages answers its size, chunks and Merkle root as @fleetkit/chunked computes them',
      async run() {
        const reply = await world.call('exodm:list-packages', { n: 100 });
        const listed = reply.result?.packages;
        ensure(Array.isArray(listed), `list-packages: ${show(reply.error ?? reply.result)}`);
        for (const spec of PACKAGES) {
          const uploaded = world.uploaded(spec.name);
          const found = (listed as Record<string, unknown>[]).find((p) => p['package-name'] === spec.name);
          includes(
            found,
            {
              version: spec.version,
              size: spec.size,
              'chunk-size': CHUNK_SIZE,
              chunks: uploaded.chunks,
              root: uploaded.root,
              'prerequisite-packages': spec.prerequisites ?? [],
            },
            `list-packages: ${spec.name}`,
          );
        }
      },
    },
    {
      name: "§5.5 item 4: add-package-to-device-type: list-packages-on-device-type names the packages the type allows, the other type's none",
      async run() {
        const allowed = PACKAGES.filter((spec) => spec.disallowed !== true).map((spec) => spec.name);
        const reply = await world.call('exodm:list-packages-on-device-type', { 'device-type': TYPE });
        equal([...((reply.result?.packages as string[] | undefined) ?? [])].sort(), allowed.sort(), TYPE);
        const other = await world.call('exodm:list-packages-on-device-type', { 'device-type': OTHER_TYPE });
        equal(other.result?.packages, [], OTHER_TYPE);
      },
    },
    {
      name: "§5.7: the device pins the server's key (GET package-key); the manifest the server serves verifies with it and describes the uploaded image",
      async run() {
        const device = await world.device('pk-pin');
        const uploaded = world.uploaded('image');
        const manifest = await device.manifest({ name: 'image' });
        equal(
          {
            name: manifest.name,
            version: manifest.version,
            size: manifest.size,
            chunkSize: manifest.chunkSize,
            root: manifestId(manifest),
          },
          {
            name: 'image',
            version: uploaded.spec.version,
            size: uploaded.spec.size,
            chunkSize: CHUNK_SIZE,
            root: uploaded.root,
          },
          'the signed manifest',
        );
      },
    },
    {
      name: '§5.6 item 3: without recursive-dependency-resolve, an install whose dependencies are missing is refused (dependency-failure) and nothing is queued',
      async run() {
        first = await world.device('pk-dev-1');
        const reply = await world.call('exodm:install-package', { 'package-name': 'app', targets: ['pk-dev-1'] });
        includes(reply.result, { result: 'validation-failed' }, 'install-package app');
        ensure(
          names(reply.result?.reason, 'dependency-failure', 'base', 'lib'),
          `the refusal should say dependency-failure and name base and lib: ${show(reply.result?.reason)}`,
        );
        await first.noCommand('the refused install');
        includes(await world.status('app', 'pk-dev-1'), { 'package-status': 'not-installed', confirmed: false }, 'app');
      },
    },
    {
      name: '§5.6 item 3, §5.7: with recursive-dependency-resolve the dependencies are installed first, in order, each fetched, verified and confirmed',
      async run() {
        const device = need(first, 'the device of the refused install');
        installed = await world.queue('exodm:install-package', {
          'package-name': 'app',
          targets: ['pk-dev-1'],
          'recursive-dependency-resolve': true,
          values: VALUES,
          'notification-url': endpoint.url,
        });
        equal(installed.names, ['base', 'lib', 'app'], 'the transactions, in order');
        for (const [index, name] of installed.names.entries()) {
          const command = await device.expectCommand(wait, `the install of ${name}`);
          const uploaded = world.uploaded(name);
          includes(
            command,
            {
              name: 'exodm:install-package',
              parameters: { operation: 'install', 'package-name': name, root: uploaded.root, chunks: uploaded.chunks },
            },
            `command ${index + 1}`,
          );
          sameId(command.id.split('.')[0], installed.ids[index], `command ${index + 1}'s transaction`);
          ensure(
            (command.parameters['as-dependency'] === true) === (name !== 'app'),
            `as-dependency of ${name}: ${show(command.parameters['as-dependency'])}`,
          );
          const report = await device.carryOut(command);
          includes(
            report,
            { status: 200, body: { 'package-status': 'installed', confirmed: true } },
            `${name}'s report`,
          );
        }
        await device.noCommand('the last install');
        for (const name of installed.names) {
          const chunks = world.uploaded(name).chunks;
          includes(
            await world.status(name, 'pk-dev-1'),
            {
              'package-status': 'installed',
              confirmed: true,
              version: '1.0',
              'chunks-acknowledged': chunks,
              'chunks-total': chunks,
            },
            `get-package-status ${name}`,
          );
        }
      },
    },
    {
      name: '§5.6 item 3: each package of the install reports with exodm:package-operation-notification, its final callback installed and complete',
      async run() {
        const queued = need(installed, 'the install with its dependencies');
        for (const [index, name] of queued.names.entries()) {
          const params = await finalCallback(endpoint, 'pk-dev-1', name, wait);
          includes(
            params,
            { 'rpc-status': 'complete', 'package-status': 'installed' },
            `the final callback of ${name}`,
          );
          sameId(params['transaction-id'], queued.ids[index], `the final callback of ${name}`);
        }
      },
    },
    {
      name: "§5.6 item 2: the install created the device's configuration data of the app, with the values it was given",
      async run() {
        need(installed, 'the install with its dependencies');
        equal(await readArea(world.tenant, 'pk-dev-1', APP_MODULE, 'installed'), VALUES, 'installed values');
      },
    },
    {
      name: '§6.3: list-devices-with-package lists the device with the package installed; installing it again is refused (object-exists)',
      async run() {
        need(installed, 'the install with its dependencies');
        for (const name of ['base', 'lib', 'app']) {
          equal((await world.holders(name)).get('pk-dev-1'), 'installed', `list-devices-with-package ${name}`);
        }
        const again = await world.call('exodm:install-package', { 'package-name': 'base', targets: ['pk-dev-1'] });
        includes(again.result, { result: 'object-exists' }, 'install-package base again');
        await need(first, 'the device').noCommand('the refused install');
      },
    },
    {
      name: '§5.6: uninstall-package of a package installed packages depend on is refused (object-not-empty, naming them) and nothing is queued',
      async run() {
        need(installed, 'the install with its dependencies');
        const reply = await world.call('exodm:uninstall-package', { 'package-name': 'base', targets: ['pk-dev-1'] });
        includes(reply.result, { result: 'object-not-empty' }, 'uninstall-package base');
        ensure(
          names(reply.result?.reason, 'app', 'lib'),
          `the refusal should name app and lib: ${show(reply.result?.reason)}`,
        );
        await need(first, 'the device').noCommand('the refused uninstall');
        includes(await world.status('base', 'pk-dev-1'), { 'package-status': 'installed', confirmed: true }, 'base');
      },
    },
    {
      name: '§5.6: uninstalling the app takes the dependencies that came in only for it (remove-unused), the app before what it needs',
      async run() {
        const device = need(first, 'the device');
        need(installed, 'the install with its dependencies');
        const removed = await world.queue('exodm:uninstall-package', {
          'package-name': 'app',
          targets: ['pk-dev-1'],
          'notification-url': endpoint.url,
        });
        equal(removed.names, ['app', 'lib', 'base'], 'the transactions, in order');
        for (const name of removed.names) {
          const command = await device.expectCommand(wait, `the uninstall of ${name}`);
          includes(
            command,
            { name: 'exodm:uninstall-package', parameters: { operation: 'uninstall', 'package-name': name } },
            `the uninstall of ${name}`,
          );
          includes(await device.carryOut(command), { status: 200 }, `${name}'s report`);
        }
        for (const name of removed.names) {
          includes(
            await world.status(name, 'pk-dev-1'),
            { 'package-status': 'uninstalled', confirmed: false },
            `get-package-status ${name}`,
          );
          ensure(
            !(await world.holders(name)).has('pk-dev-1'),
            `list-devices-with-package ${name} still lists pk-dev-1`,
          );
        }
        // its configuration data went with it
        equal(await readArea(world.tenant, 'pk-dev-1', APP_MODULE, 'installed'), {}, 'installed values');
      },
    },
    {
      name: '§5.5 item 4: a package the device type does not allow is refused before anything is queued, on every target of the request',
      async run() {
        const allowed = await world.device('pk-dev-2');
        const other = await world.device('pk-other-1', OTHER_TYPE);
        const both = await world.call('exodm:install-package', {
          'package-name': 'base',
          targets: ['pk-dev-2', 'pk-other-1'],
        });
        includes(both.result, { result: 'validation-failed' }, 'install base on both types');
        ensure(
          names(both.result?.reason, 'unsupported-package', 'base'),
          `the refusal should say unsupported-package: ${show(both.result?.reason)}`,
        );
        const dependency = await world.call('exodm:install-package', {
          'package-name': 'needs-stray',
          targets: ['pk-dev-2'],
          'recursive-dependency-resolve': true,
        });
        includes(
          dependency.result,
          { result: 'validation-failed' },
          'install needs-stray, whose dependency is not allowed',
        );
        ensure(
          names(dependency.result?.reason, 'unsupported-package', 'stray'),
          `the refusal should name stray: ${show(dependency.result?.reason)}`,
        );
        await allowed.noCommand('the refused installs');
        await other.noCommand('the refused install');
        includes(await world.status('base', 'pk-dev-2'), { 'package-status': 'not-installed' }, 'base on pk-dev-2');
        const image = await other.imageReply({ name: 'base' });
        includes(image, { status: 403 }, 'the image of base, asked for by a device whose type does not allow it');
      },
    },
    {
      name: '§5.7: a dependency that did not get installed fails what needs it (dependency-failure) before its image is fetched',
      async run() {
        const device = await world.device('pk-dev-3');
        const queued = await world.queue('exodm:install-package', {
          'package-name': 'lib',
          targets: ['pk-dev-3'],
          'recursive-dependency-resolve': true,
          'notification-url': endpoint.url,
        });
        equal(queued.names, ['base', 'lib'], 'the transactions');
        const base = await device.expectCommand(wait, 'the install of base');
        includes(await device.carryOut(base, { fail: 'install-failed' }), { status: 200 }, "base's failure report");
        const lib = await device.expectCommand(wait, 'the install of lib');
        includes(lib.parameters, { 'package-name': 'lib' }, 'the second command');
        const manifest = await device.manifestReply(device.targets(lib).manifest);
        includes(manifest, { status: 409, body: { error: 'dependency-failure' } }, "GET lib's manifest");
        includes(
          await world.status('base', 'pk-dev-3'),
          { 'package-status': 'install-failed', confirmed: false },
          'base',
        );
        includes(
          await world.status('lib', 'pk-dev-3'),
          { 'package-status': 'dependency-failure', confirmed: false },
          'lib',
        );
        const final = await finalCallback(endpoint, 'pk-dev-3', 'lib', wait);
        includes(final, { 'package-status': 'dependency-failure' }, "lib's final callback");
        ensure(final['rpc-status'] !== 'complete', `lib's final callback says complete: ${show(final)}`);
        ensure(
          !device.requested.some((range) => range.package === 'lib'),
          `the device fetched lib's image: ${show(device.requested)}`,
        );
        await device.noCommand('the failed install');
      },
    },
    {
      name: '§6.4: an install on a group is mirrored to every member, each confirming it, one callback per member',
      async run() {
        const members = [await world.device('pk-member-1'), await world.device('pk-member-2')];
        await world.tenant.group('pk-group');
        await world.tenant.join(
          'pk-group',
          members.map((member) => member.id),
        );
        await world.queue('exodm:install-package', {
          'package-name': 'fw',
          targets: ['pk-group'],
          'notification-url': endpoint.url,
        });
        for (const member of members) {
          const command = await member.expectCommand(wait, "the group's install");
          includes(command.parameters, { operation: 'install', 'package-name': 'fw' }, `${member.id}'s command`);
          includes(await member.carryOut(command), { status: 200 }, `${member.id}'s report`);
        }
        const group = await world.status('fw', 'pk-group');
        const devices = group.devices;
        ensure(Array.isArray(devices) && devices.length === 2, `the group's devices: ${show(group)}`);
        for (const member of members) {
          includes(
            (devices as Record<string, unknown>[]).find((d) => d['device-id'] === member.id),
            { 'package-status': 'installed', confirmed: true },
            `${member.id} in the group's status`,
          );
          const callback = await endpoint.waitFor(
            (r) =>
              r.body.params?.['group-id'] === 'pk-group' &&
              r.body.params['device-id'] === member.id &&
              r.body.params['package-status'] === 'installed',
            `the member callback of ${member.id}`,
            wait,
          );
          ensure(
            callback.body.method === 'exodm:package-operation-notification',
            `the member callback's method: ${show(callback.body.method)}`,
          );
        }
        // the rollout counts each member's outcome as it ends: read it until both are counted
        const rollout = await world.eventually(
          async () => (await world.status('fw', 'pk-group')).rollout as Record<string, unknown> | undefined,
          (value) => value?.succeeded === 2,
          "the group's rollout",
        );
        includes(rollout, { state: 'succeeded', members: 2, succeeded: 2, failed: 0 }, 'the rollout');
      },
    },
  ];
}
