import { failureOf, type PackageJob, packageJobOf, successOf } from '../_internal/package-command.ts';
import type { PackageProgress } from '../store.ts';
import type { PackageReport } from '../transport.ts';
import type { Command } from '../types.ts';
import { sameTransaction } from './commands.ts';
import { type Flow, messageOf } from './flow.ts';
import { deliverPackage, emitPackage } from './package-calls.ts';
import { installImage, uninstallPackage } from './package-install.ts';
import { inventoryOf, recorded } from './package-inventory.ts';
import { transferImage } from './package-transfer.ts';
import { deliver } from './report.ts';

/** How a package command reaches the agent. */
export interface PackageRun {
  /** It was under way when the device went down (000 Initialisation). */
  readonly resumed: boolean;
  /** Called by the recovery after a start, not by the telemetry loop. */
  readonly restarted: boolean;
}

async function forget(flow: Flow, command: Command): Promise<void> {
  const marker = flow.state.inProgress;
  if (marker === undefined || !sameTransaction(marker.id, command.id)) return;
  const { inProgress: _dropped, ...rest } = flow.state;
  await flow.save(rest);
}

/** A package command the agent cannot carry out at all: `failed`, as any command. */
async function failCommand(flow: Flow, command: Command, message: string): Promise<void> {
  await deliver(flow, 'command-update', (session, signal) =>
    session.updateCommand({ id: command.id, status: 'failed', message }, signal),
  );
  flow.emit({ type: 'command', id: command.id, name: command.name, status: 'failed', resumed: false, message });
  await forget(flow, command);
}

/** The version the device runs of a package, as its inventory says; a failing inventory throws. */
async function runningVersion(flow: Flow, name: string): Promise<string | undefined> {
  return (await inventoryOf(flow)).find((entry) => entry.name === name)?.version;
}

/** After the restart an install needed, what runs decides it (as the server's inventory check does). */
async function afterRestart(flow: Flow, job: PackageJob): Promise<PackageReport> {
  let running: string | undefined;
  try {
    running = await runningVersion(flow, job.name);
  } catch (error) {
    if (flow.signal.aborted) throw flow.signal.reason;
    return { status: failureOf(job.operation), message: `Cannot read the inventory: ${messageOf(error)}` };
  }
  if (running === job.version) return { status: successOf(job.operation), version: running };
  const message =
    running === undefined
      ? `the device restarted without ${job.name}`
      : `the device restarted on version ${running}, not ${job.version}`;
  return { status: failureOf(job.operation), message };
}

/** The report that ends the job; undefined when the server ended the operation itself. */
async function outcomeOf(
  flow: Flow,
  job: PackageJob,
  resumed: boolean,
  progress: PackageProgress | undefined,
): Promise<PackageReport | undefined> {
  const installer = flow.handlers.installerOf(job.name);
  if (installer === undefined)
    return { status: 'unsupported-package', message: `No package installer for ${job.name}` };
  if (job.operation === 'uninstall') return uninstallPackage(flow, job, installer);
  if (progress?.stage === 'reboot') return afterRestart(flow, job);
  // cut short while installing: an install that went through is not made again
  if (progress?.stage === 'install' && (await runningVersion(flow, job.name).catch(() => undefined)) === job.version) {
    await flow.save(recorded(flow.state, progress));
    return { status: successOf(job.operation), version: job.version };
  }
  const transfer = await transferImage(flow, job, resumed);
  if (transfer.kind === 'settled') {
    flow.logger.info('the server ended the package operation', { package: job.name, error: transfer.error.toJSON() });
    flow.emit({ type: 'refused', step: 'package-manifest', error: transfer.error });
    return undefined;
  }
  if (transfer.kind === 'failed') return { status: failureOf(job.operation), message: transfer.message };
  return installImage(flow, job, installer, transfer.assembler, resumed);
}

/**
 * A package command (docs/server.md, Packages): recorded as started and
 * reported `in_progress` like any command, then transferred, verified,
 * handed to the installer of its package, and reported on the package's
 * report path. An install that needs a restart keeps its record until the
 * agent starts again; meanwhile the same command is left alone. False when
 * nothing was done.
 */
export async function carryOutPackage(flow: Flow, command: Command, run: PackageRun): Promise<boolean> {
  const marker = flow.state.inProgress;
  const progress = marker !== undefined && sameTransaction(marker.id, command.id) ? marker.package : undefined;
  // installed and reported; the device has yet to restart
  if (progress?.stage === 'reboot' && !run.restarted) return false;
  if (!run.resumed) {
    await flow.save({ ...flow.state, inProgress: { id: command.id, name: command.name } });
    const started = await deliver(flow, 'command-update', (session, signal) =>
      session.updateCommand({ id: command.id, status: 'in_progress' }, signal),
    );
    if (!started) {
      await forget(flow, command);
      return true;
    }
  }
  const job = packageJobOf(command);
  if (typeof job === 'string') {
    await failCommand(flow, command, `Cannot carry out ${command.name}: ${job}`);
    return true;
  }
  if (!(await flow.once('command', async (session) => session.packages !== undefined))) {
    await failCommand(flow, command, 'Cannot transfer packages: the transport carries no package images');
    return true;
  }
  const report = await outcomeOf(flow, job, run.resumed, progress);
  if (report !== undefined) {
    const taken = await deliverPackage(flow, 'package-report', (channel, signal) =>
      channel.report(job, report, signal),
    );
    if (taken) {
      emitPackage(flow, job, run.resumed, {
        status: report.status,
        ...(report.reboot === true ? { reboot: true } : {}),
        ...(report.message === undefined ? {} : { message: report.message }),
      });
    }
  }
  if (report?.reboot !== true) {
    await flow.once('package-report', async (session) => session.packages?.finish(command.id));
    await forget(flow, command);
  }
  return true;
}
