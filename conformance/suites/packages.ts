import { Skip } from '../runner/check.ts';
import type { Suite } from '../runner/suite.ts';
import { installChecks } from './packages-install.ts';
import { transferChecks } from './packages-transfer.ts';
import { PackagesWorld } from './packages-world.ts';

/**
 * Manual §5.5–§5.7 and §6.3–§6.4 as docs/server.md ("Packages") puts them
 * on the wire: packages uploaded inline and allowed per device type,
 * installed with their dependencies first, refusals made before anything
 * is queued, uninstall refused while depended upon, a group install; and on
 * the device side, through the HTTP device API or the broker, a verified transfer cut off
 * and resumed, its progress callbacks, and the confirmation of an install
 * after the device's restart. The device is a real client: `@fleetkit/chunked`
 * verifies the manifest's signature, every chunk and the Merkle root.
 */
export const packages: Suite = {
  name: 'packages',
  title: 'packages (manual §5.5–§5.7, §6.3, §6.4)',
  async plan(env) {
    if (env.devices.name === 'exoport') {
      throw new Skip(
        'exoport devices cannot fetch images: the real server had no package transfer on /exoport (docs/server.md, Packages: transfer); run it with --device-api fleetkit-http or broker',
      );
    }
    const world = await PackagesWorld.open(env);
    return {
      checks: [...installChecks(world), ...transferChecks(world)],
      dispose: () => world.dispose(),
    };
  },
};
