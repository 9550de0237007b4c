import { Assembler, type IndexRange, manifestId } from '@fleetkit/chunked';
import { type Check, CheckFailure, need } from '../runner/check.ts';
import { pause } from '../runner/devices/device.ts';
import { ensure, equal, includes, sameId, show } from '../runner/expect.ts';
import type { PackageDevice } from './packages-device.ts';
import { aboutPackage, finalCallback, type PackagesWorld } from './packages-world.ts';
import { QUIET_MS } from './shared.ts';

/** Chunks per Range request of the cut transfer, and the requests before the cut. */
const PER_REQUEST = 4;
const BEFORE_CUT = 3;

/** The runs of chunk indexes below `total` that `acknowledged` lacks. */
function complement(acknowledged: ReadonlySet<number>, total: number): IndexRange[] {
  const runs: IndexRange[] = [];
  for (let i = 0; i < total; i++) {
    if (acknowledged.has(i)) continue;
    const last = runs.at(-1);
    if (last !== undefined && last.end === i) runs[runs.length - 1] = { start: last.start, end: i + 1 };
    else runs.push({ start: i, end: i + 1 });
  }
  return runs;
}

/** What the cut transfer left for the checks after it. */
interface Transfer {
  readonly device: PackageDevice;
  /** The transaction id of the install. */
  readonly id: string;
  /** `acknowledged` of every answer that grew it, in order. */
  readonly growth: number[];
  readonly total: number;
}

/**
 * Manual §5.7 and §6.3 on the device side, through the HTTP device API: a
 * transfer cut off and resumed without fetching an acknowledged chunk again,
 * its progress callbacks, and the confirmation of an install that needs a
 * restart: confirmed on the new version, failed on the old one.
 */
export function transferChecks(world: PackagesWorld): Check[] {
  const wait = world.waitMs;
  const endpoint = world.env.listener.endpoint('packages-transfer');
  let transfer: Transfer | undefined;

  /** Installs `name` on a new device and carries it out up to a report with `reboot: true`. */
  const installWithRestart = async (id: string, name: string) => {
    const device = await world.device(id);
    const queued = await world.queue('exodm:install-package', {
      'package-name': name,
      targets: [id],
      'notification-url': endpoint.url,
    });
    const command = await device.expectCommand(wait, `the install of ${name}`);
    const report = await device.carryOut(command, { reboot: true });
    includes(report, { status: 200, body: { 'package-status': 'installed', confirmed: false } }, 'the report');
    // the device restarts and finds its command still out (document 000, Initialization)
    await device.restart();
    const again = await device.expectCommand(wait, 'the install still in progress after the restart');
    equal(again.id, command.id, 'the command handed out after the restart');
    return { device, id: need(queued.ids[0], 'a transaction id') };
  };

  return [
    {
      name: '§5.7: a transfer cut off and resumed fetches only the chunks the server has not acknowledged; the server keeps the union of the acknowledgements',
      async run() {
        const device = await world.device('pk-transfer');
        const uploaded = world.uploaded('image');
        const total = uploaded.chunks;
        const queued = await world.queue('exodm:install-package', {
          'package-name': 'image',
          targets: ['pk-transfer'],
          'notification-url': endpoint.url,
        });
        const command = await device.expectCommand(wait, 'the install of image');
        const p = command.parameters;
        const to = device.targets(command);
        const manifest = await device.manifest(to.manifest);
        equal(manifestId(manifest), uploaded.root, "the signed manifest's root");
        const acknowledged = new Set<number>();
        const growth: number[] = [];
        /** Acknowledges the chunks one request brought, only those: the server must answer the union. */
        const acknowledge = async (got: IndexRange): Promise<boolean> => {
          const reply = await device.acknowledge(to.acknowledge, { ranges: [got] });
          for (let i = got.start; i < got.end; i++) acknowledged.add(i);
          includes(
            reply,
            {
              status: 200,
              body: { acknowledged: acknowledged.size, total, missing: complement(acknowledged, total) },
            },
            `the acknowledgement of chunks ${got.start}..${got.end - 1}`,
          );
          if (growth.at(-1) !== acknowledged.size) growth.push(acknowledged.size);
          return true;
        };
        const before = await Assembler.open({ manifest, storage: device.storage });
        let requests = 0;
        await device.fetchChunks(before, to.image, before.missing(), {
          perRequest: PER_REQUEST,
          onRequest: async (got) => {
            await acknowledge(got);
            return ++requests < BEFORE_CUT;
          },
        });
        equal(acknowledged.size, PER_REQUEST * BEFORE_CUT, 'chunks stored before the cut');
        includes(
          await world.status('image', 'pk-transfer'),
          { 'package-status': 'transferring', 'chunks-acknowledged': acknowledged.size, 'chunks-total': total },
          'get-package-status after the cut',
        );
        // the device restarts: its assembler resumes from storage, and it asks the server where it stands
        const resumed = await Assembler.open({ manifest, storage: device.storage });
        const asked = await device.acknowledge(to.acknowledge, { ranges: [] });
        includes(
          asked,
          { status: 200, body: { acknowledged: acknowledged.size, total, missing: complement(acknowledged, total) } },
          'the acknowledgement of nothing new after the restart',
        );
        const missing = asked.body.missing as IndexRange[];
        const from = device.requested.length;
        const again = await device.fetchChunks(resumed, to.image, missing, {
          perRequest: PER_REQUEST,
          onRequest: acknowledge,
        });
        ensure(
          again.length === 0,
          `the resumed transfer fetched chunks ${again.join(', ')} again, which the device had stored and acknowledged`,
        );
        for (const range of device.requested.slice(from)) {
          ensure(range.start >= PER_REQUEST * BEFORE_CUT, `after the restart the device asked for ${show(range)}`);
        }
        ensure(resumed.complete, `the device holds ${resumed.received} of ${total} chunks`);
        const whole = await device.acknowledge(to.acknowledge, { bitmap: resumed.bitmap() });
        includes(whole, { status: 200, body: { acknowledged: total, total, missing: [] } }, 'the whole bitmap');
        await resumed.verify();
        const report = await device.report(to.report, { 'package-status': 'installed', version: p.version });
        includes(report, { status: 200, body: { 'package-status': 'installed', confirmed: true } }, 'the report');
        includes(
          await world.status('image', 'pk-transfer'),
          { 'package-status': 'installed', confirmed: true, 'chunks-acknowledged': total, 'chunks-total': total },
          'get-package-status',
        );
        transfer = { device, id: need(queued.ids[0], 'a transaction id'), growth, total };
      },
    },
    {
      name: '§5.7: the progress callbacks of the transfer carry chunks-acknowledged and chunks-total: transferring as chunks are acknowledged, then transmitted',
      async run() {
        const cut = need(transfer, 'the cut transfer');
        const final = await finalCallback(endpoint, 'pk-transfer', 'image', wait);
        includes(final, { 'rpc-status': 'complete', 'package-status': 'installed' }, 'the final callback');
        sameId(final['transaction-id'], cut.id, 'the final callback');
        const progress = () =>
          endpoint.received
            .filter((r) => aboutPackage(r, 'pk-transfer', 'image', false))
            .map((r) => r.body.params ?? {})
            .filter(
              (params) => params['package-status'] === 'transferring' || params['package-status'] === 'transmitted',
            );
        const expected = cut.growth.map((count) => ({
          'package-status': count === cut.total ? 'transmitted' : 'transferring',
          'chunks-acknowledged': count,
          'chunks-total': cut.total,
          'rpc-status': 'accepted',
        }));
        const got = await world.eventually(
          async () => progress(),
          (list) => list.length >= expected.length,
          'a progress callback per acknowledgement',
        );
        const seen = got
          .map((params) => ({
            'package-status': params['package-status'],
            'chunks-acknowledged': params['chunks-acknowledged'],
            'chunks-total': params['chunks-total'],
            'rpc-status': params['rpc-status'],
          }))
          .sort((a, b) => Number(a['chunks-acknowledged']) - Number(b['chunks-acknowledged']));
        equal(seen, expected, 'the progress callbacks');
      },
    },
    {
      name: '§6.3: an install the device reports with reboot is installed but not confirmed until the device, restarted, reports the new version (POST packages)',
      async run() {
        const { device, id } = await installWithRestart('pk-reboot', 'fw');
        includes(
          await world.status('fw', 'pk-reboot'),
          { 'package-status': 'installed', confirmed: false },
          'get-package-status before the restart',
        );
        equal((await world.holders('fw')).get('pk-reboot'), 'pending-install', 'list-devices-with-package fw');
        const progress = await endpoint.waitFor(
          (r) => aboutPackage(r, 'pk-reboot', 'fw', false) && r.body.params?.['package-status'] === 'installed',
          'the progress callback of the install awaiting its restart',
          wait,
        );
        includes(progress.body.params, { confirmed: false, reboot: true }, 'the progress callback');
        await pause(QUIET_MS);
        const early = endpoint.received.find((r) => aboutPackage(r, 'pk-reboot', 'fw', true));
        ensure(early === undefined, `a final callback before the device confirmed: ${show(early?.body)}`);
        device.running.set('fw', '1.0');
        includes(await device.inventory(), { status: 200 }, 'POST packages after the restart');
        includes(
          await world.status('fw', 'pk-reboot'),
          { 'package-status': 'installed', confirmed: true, version: '1.0' },
          'get-package-status after the restart',
        );
        equal((await world.holders('fw')).get('pk-reboot'), 'installed', 'list-devices-with-package fw');
        const final = await finalCallback(endpoint, 'pk-reboot', 'fw', wait);
        includes(
          final,
          { 'rpc-status': 'complete', 'package-status': 'installed', confirmed: true },
          'the final callback',
        );
        sameId(final['transaction-id'], id, 'the final callback');
      },
    },
    {
      name: '§6.3: a device that restarts on its old version fails the install (install-failed, with the reason) and has nothing installed',
      async run() {
        const { device } = await installWithRestart('pk-old', 'fw');
        device.running.set('fw', '0.9');
        includes(await device.inventory(), { status: 200 }, 'POST packages after the restart');
        const status = await world.status('fw', 'pk-old');
        includes(status, { 'package-status': 'install-failed', confirmed: false }, 'get-package-status');
        ensure(
          typeof status.reason === 'string' && status.reason !== '',
          `the failure should say why: ${show(status)}`,
        );
        ensure(!(await world.holders('fw')).has('pk-old'), 'list-devices-with-package fw lists pk-old');
        const final = await finalCallback(endpoint, 'pk-old', 'fw', wait);
        includes(final, { 'package-status': 'install-failed' }, 'the final callback');
        ensure(final['rpc-status'] !== 'complete', `the final callback says complete: ${show(final)}`);
        await device.noCommand('the failed install');
      },
    },
    {
      name: '§6.3: an upgrade whose device restarts on the old version fails (upgrade-failed); the old package stays installed and confirmed',
      async run() {
        const device = await world.device('pk-upgrade');
        await world.queue('exodm:install-package', { 'package-name': 'fw', targets: ['pk-upgrade'] });
        const install = await device.expectCommand(wait, 'the install of fw');
        includes(await device.carryOut(install), { status: 200 }, "fw's report");
        await world.queue('exodm:upgrade-package', {
          'from-package-name': 'fw',
          'to-package-name': 'fw-next',
          targets: ['pk-upgrade'],
          'notification-url': endpoint.url,
        });
        const upgrade = await device.expectCommand(wait, 'the upgrade to fw-next');
        includes(
          upgrade,
          {
            name: 'exodm:upgrade-package',
            parameters: { operation: 'upgrade', 'package-name': 'fw-next', 'from-package': 'fw', version: '2.0' },
          },
          'the upgrade command',
        );
        includes(
          await device.carryOut(upgrade, { reboot: true }),
          { status: 200, body: { 'package-status': 'upgraded', confirmed: false } },
          'the report before the restart',
        );
        await device.restart();
        const again = await device.expectCommand(wait, 'the upgrade still in progress after the restart');
        equal(again.id, upgrade.id, 'the command handed out after the restart');
        // it came back on fw 1.0: the carry-out never switched what it runs
        equal(device.running.get('fw'), '1.0', 'what the device runs');
        includes(await device.inventory(), { status: 200 }, 'POST packages after the restart');
        includes(
          await world.status('fw-next', 'pk-upgrade'),
          { 'package-status': 'upgrade-failed', confirmed: false },
          'fw-next',
        );
        includes(
          await world.status('fw', 'pk-upgrade'),
          { 'package-status': 'installed', confirmed: true, version: '1.0' },
          'fw',
        );
        const final = await finalCallback(endpoint, 'pk-upgrade', 'fw-next', wait);
        includes(final, { 'package-status': 'upgrade-failed' }, 'the final callback');
        if (final['rpc-status'] === 'complete')
          throw new CheckFailure(`the final callback says complete: ${show(final)}`);
      },
    },
  ];
}
