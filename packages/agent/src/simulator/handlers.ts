import { type Clock, sleep } from '@fleetkit/core';
import { Handlers } from '../handlers.ts';
import { type BehaviourScript, SIMULATED_FAILURE } from './behaviours.ts';

/** What the handlers of a simulated device may use. */
export interface SimulatedDeviceCode {
  readonly clock: Clock;
  readonly script: BehaviourScript;
}

const fail = (): never => {
  throw new Error(SIMULATED_FAILURE);
};

/** `steady`: every command done at once, configuration, licences and packages taken. */
export function steadyHandlers(): Handlers {
  return new Handlers()
    .command('*', (command) => ({ echoed: command.parameters }))
    .config(() => undefined)
    .license(() => undefined)
    .packageInstaller('*', () => undefined);
}

/** `slow`: everything takes `script.slowMs`. */
export function slowHandlers(code: SimulatedDeviceCode): Handlers {
  const wait = (signal: AbortSignal) => sleep(code.clock, code.script.slowMs, signal);
  return new Handlers()
    .command('*', async (command, context) => {
      await wait(context.signal);
      return { echoed: command.parameters };
    })
    .config((_config, context) => wait(context.signal))
    .license((_license, context) => wait(context.signal))
    .packageInstaller('*', async (_image, context) => {
      await wait(context.signal);
      return undefined;
    });
}

/** `failing`: commands, configuration and package installs fail with {@link SIMULATED_FAILURE}. */
export function failingHandlers(): Handlers {
  return new Handlers()
    .command('*', fail)
    .config(fail)
    .license(() => undefined)
    .packageInstaller('*', { install: fail, uninstall: fail });
}

/**
 * `rebooting`: every command resets the device (`reboot()`: the agent
 * stops where it is); a package install resets it the first time, and when
 * carried on after the restart says it needs one more restart to take
 * effect, which the fleet gives it.
 */
export function rebootingHandlers(reboot: () => void): Handlers {
  return new Handlers()
    .command('*', {
      execute: () => {
        reboot();
        return new Promise(() => {});
      },
      finish: () => ({ rebooted: true }),
    })
    .config(() => undefined)
    .license(() => undefined)
    .packageInstaller('*', (_image, context) => {
      if (context.resumed) return { reboot: true };
      reboot();
      return new Promise(() => {});
    });
}
