import type { Assembler } from '@fleetkit/chunked';
import { type PackageJob, successOf } from '../_internal/package-command.ts';
import type { PackageContext, PackageImage, PackageInstaller } from '../packages.ts';
import type { AgentState } from '../store.ts';
import type { PackageReport } from '../transport.ts';
import { type Flow, messageOf, untilAborted } from './flow.ts';
import { recorded } from './package-inventory.ts';

type Called<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** Runs device code until it settles or the agent stops (then the stop goes up: nothing is reported). */
async function call<T>(flow: Flow, callback: () => T | Promise<T>): Promise<Called<T>> {
  try {
    return { ok: true, value: await untilAborted(Promise.resolve().then(callback), flow.signal) };
  } catch (error) {
    if (flow.signal.aborted) throw flow.signal.reason;
    return { ok: false, message: messageOf(error) };
  }
}

/** The state recording how far the job's operation got. */
export function withStage(
  state: AgentState,
  job: PackageJob,
  stage: 'install' | 'reboot',
  version: string,
  sequence: number,
): AgentState {
  return {
    ...state,
    inProgress: {
      id: job.command.id,
      name: job.command.name,
      package: {
        stage,
        name: job.name,
        version,
        ...(job.from === undefined ? {} : { from: job.from.name }),
        sequence,
      },
    },
  };
}

export function contextOf(flow: Flow, job: PackageJob, resumed: boolean): PackageContext {
  return {
    signal: flow.signal,
    operation: job.operation,
    commandId: job.command.id,
    ...(job.from === undefined ? {} : { from: job.from }),
    ...(job.values === undefined ? {} : { values: job.values }),
    ...(job.arguments === undefined ? {} : { arguments: job.arguments }),
    asDependency: job.asDependency,
    resumed,
  };
}

function imageOf(assembler: Assembler): PackageImage {
  const { manifest } = assembler;
  return {
    name: manifest.name,
    version: manifest.version,
    sequence: manifest.sequence,
    size: manifest.size,
    manifest,
    stream: () => assembler.stream(),
    bytes: async () => {
      const bytes = new Uint8Array(manifest.size);
      let at = 0;
      for await (const chunk of assembler.stream()) {
        bytes.set(chunk, at);
        at += chunk.length;
      }
      return bytes;
    },
  };
}

/**
 * Hands a verified image to the installer. `transmit` keeps the chunks (a
 * later install finds them stored); install and upgrade are recorded as
 * started first, so a device that goes down in the middle knows on
 * restart, and their chunks go once the installer is done with them.
 */
export async function installImage(
  flow: Flow,
  job: PackageJob,
  installer: PackageInstaller,
  assembler: Assembler,
  resumed: boolean,
): Promise<PackageReport> {
  const context = contextOf(flow, job, resumed);
  const image = imageOf(assembler);
  if (job.operation === 'transmit') {
    const kept = await call(flow, () => installer.transmit?.(image, context));
    return kept.ok ? { status: 'transmitted' } : { status: 'transmit-failed', message: kept.message };
  }
  const { sequence } = assembler.manifest;
  await flow.save(withStage(flow.state, job, 'install', job.version, sequence));
  const run = job.operation === 'upgrade' ? (installer.upgrade ?? installer.install) : installer.install;
  const done = await call(flow, () => run(image, context));
  if (!done.ok) {
    await assembler.discard();
    return { status: job.operation === 'upgrade' ? 'upgrade-failed' : 'install-failed', message: done.message };
  }
  const version = done.value?.version ?? job.version;
  const status = successOf(job.operation) as 'installed' | 'upgraded';
  const reboot = done.value?.reboot === true;
  // saved before the chunks go: a restart in between finds the install done, not a transfer to make again
  await flow.save(
    reboot
      ? withStage(flow.state, job, 'reboot', version, sequence)
      : recorded(flow.state, {
          name: job.name,
          version,
          ...(job.from === undefined ? {} : { from: job.from.name }),
          sequence,
        }),
  );
  await assembler.discard();
  // a reboot's install is reported unconfirmed; the inventory after the restart confirms it
  return reboot ? { status, reboot: true } : { status, version };
}

/** Removes a package through the installer's `uninstall` (default: only the agent's record goes). */
export async function uninstallPackage(
  flow: Flow,
  job: PackageJob,
  installer: PackageInstaller,
): Promise<PackageReport> {
  const target = { name: job.name, version: flow.state.packages?.[job.name] ?? job.version };
  const removed = await call(flow, () => installer.uninstall?.(target, contextOf(flow, job, false)));
  if (!removed.ok) return { status: 'uninstall-failed', message: removed.message };
  await flow.save(recorded(flow.state, { name: job.name }));
  return { status: 'uninstalled' };
}
