import { isPackageCommand } from '../_internal/package-command.ts';
import { isAuthLost } from '../errors.ts';
import type { CommandContext, CommandFunction, CommandHandler } from '../handlers.ts';
import type { AgentState } from '../store.ts';
import type { Command, CommandUpdate } from '../types.ts';
import { type Flow, messageOf, untilAborted } from './flow.ts';
import { carryOutPackage } from './package-command.ts';
import { reportInventory } from './package-inventory.ts';
import { deliver } from './report.ts';

type Outcome =
  | { readonly status: 'done'; readonly result?: unknown }
  | { readonly status: 'failed'; readonly message: string };

/**
 * True when two command ids name one transaction. fleetkit's server makes
 * ids `<transaction>.<attempt>`, and a command handed out again after its
 * hold ran out carries a new attempt; an id without a dot stands for itself.
 */
export function sameTransaction(a: string, b: string): boolean {
  if (a === b) return true;
  const dotA = a.indexOf('.');
  const dotB = b.indexOf('.');
  return dotA > 0 && dotB > 0 && a.slice(0, dotA) === b.slice(0, dotB);
}

/** A command the device was carrying out when it went down: the server says so, or the device's own record does. */
export function wasInProgress(state: AgentState, command: Command): boolean {
  return (
    command.status === 'in_progress' ||
    (state.inProgress !== undefined && sameTransaction(state.inProgress.id, command.id))
  );
}

function withoutMarker(state: AgentState): AgentState {
  const { inProgress: _dropped, ...rest } = state;
  return rest;
}

/** Runs a handler function: its result is `done`, a throw `failed`; a stop or a lost registration goes up. */
async function outcomeOf(
  flow: Flow,
  run: CommandFunction,
  command: Command,
  context: CommandContext,
): Promise<Outcome> {
  try {
    const result = await untilAborted(
      Promise.resolve().then(() => run(command, context)),
      flow.signal,
    );
    return result === undefined ? { status: 'done' } : { status: 'done', result };
  } catch (error) {
    // stopped (or the process "crashed"): nothing is reported, the restart finishes it
    if (flow.signal.aborted) throw flow.signal.reason;
    if (isAuthLost(error)) throw error;
    return { status: 'failed', message: messageOf(error) };
  }
}

function contextFor(flow: Flow, command: Command): CommandContext {
  return {
    signal: flow.signal,
    progress: async (detail) => {
      try {
        await flow.once('command-update', (session, signal) =>
          session.updateCommand({ id: command.id, status: 'in_progress', progress: detail }, signal),
        );
      } catch (error) {
        if (flow.signal.aborted || isAuthLost(error)) throw error;
        flow.logger.warn('progress report lost', { id: command.id, error: messageOf(error) });
      }
    },
  };
}

async function cancel(flow: Flow, command: Command, handler: CommandHandler | undefined): Promise<void> {
  if (handler?.cancel !== undefined) {
    const outcome = await outcomeOf(flow, handler.cancel, command, contextFor(flow, command));
    if (outcome.status === 'failed')
      flow.logger.warn('cancel handler failed', { id: command.id, message: outcome.message });
  }
  if (
    await deliver(flow, 'command-update', (s, signal) =>
      s.updateCommand({ id: command.id, status: 'cancelled' }, signal),
    )
  ) {
    flow.emit({ type: 'command', id: command.id, name: command.name, status: 'cancelled', resumed: false });
  }
  if (flow.state.inProgress !== undefined && sameTransaction(flow.state.inProgress.id, command.id)) {
    await flow.save(withoutMarker(flow.state));
  }
}

/**
 * Handles one command (docs/sources.md, The Xyte device API): a new one is
 * recorded as started, reported `in_progress`, carried out by its handler
 * and reported `done` with the handler's result or `failed` with its
 * message; one that was in progress when the device went down is finished
 * (`finish`) and reported instead of being carried out again.
 */
export async function carryOut(flow: Flow, command: Command, restarted = false): Promise<boolean> {
  const packaged = isPackageCommand(command) && !flow.handlers.hasOwnCommand(command.name);
  const handler = packaged ? undefined : flow.handlers.commandHandler(command.name);
  if (command.cancel) {
    await cancel(flow, command, handler);
    return true;
  }
  const resumed = wasInProgress(flow.state, command);
  if (packaged) return carryOutPackage(flow, command, { resumed, restarted });
  await carryOutCommand(flow, command, handler, resumed);
  return true;
}

async function carryOutCommand(
  flow: Flow,
  command: Command,
  handler: CommandHandler | undefined,
  resumed: boolean,
): Promise<void> {
  const context = contextFor(flow, command);
  let outcome: Outcome;
  if (resumed) {
    outcome =
      handler?.finish === undefined ? { status: 'done' } : await outcomeOf(flow, handler.finish, command, context);
  } else {
    // recorded before anything happens, so a device that resets while carrying it out knows on restart
    await flow.save({ ...flow.state, inProgress: { id: command.id, name: command.name } });
    const started = await deliver(flow, 'command-update', (s, signal) =>
      s.updateCommand({ id: command.id, status: 'in_progress' }, signal),
    );
    if (!started) {
      // the server no longer wants it (timed out, cancelled, a newer delivery): do not carry it out
      await flow.save(withoutMarker(flow.state));
      return;
    }
    flow.emit({ type: 'command', id: command.id, name: command.name, status: 'in_progress', resumed: false });
    outcome =
      handler === undefined
        ? { status: 'failed', message: `No handler for command ${command.name}` }
        : await outcomeOf(flow, handler.execute, command, context);
  }
  const update: CommandUpdate = { id: command.id, ...outcome };
  if (await deliver(flow, 'command-update', (s, signal) => s.updateCommand(update, signal))) {
    flow.emit({
      type: 'command',
      id: command.id,
      name: command.name,
      status: outcome.status,
      resumed,
      ...(outcome.status === 'failed' ? { message: outcome.message } : {}),
    });
  }
  if (flow.state.inProgress !== undefined) await flow.save(withoutMarker(flow.state));
}

/** Fetches the current command and handles it; false when there was none. */
export async function runCommand(flow: Flow): Promise<boolean> {
  const command = await flow.retry('command', (session, signal) => session.command(signal));
  if (command === undefined) return false;
  return carryOut(flow, command);
}

/**
 * 000 Initialisation: after a start, a command still in progress may be
 * the one that reset the device (a reboot, a firmware update): fetch it,
 * finish it and report it before the telemetry loop begins.
 */
export async function recover(flow: Flow): Promise<void> {
  const waiting = flow.state.inProgress?.package?.stage === 'reboot' ? flow.state.inProgress : undefined;
  // the restart an install needed: what the device runs now confirms the install or fails it at the server
  if (waiting?.package !== undefined && (await reportInventory(flow, waiting.package))) {
    await flow.once('package-inventory', async (session) => session.packages?.finish(waiting.id));
    await flow.save(withoutMarker(flow.state));
  }
  const command = await flow.retry('command', (session, signal) => session.command(signal));
  if (command !== undefined && !command.cancel && wasInProgress(flow.state, command)) {
    await carryOut(flow, command, true);
  } else if (waiting !== undefined && flow.state.inProgress?.id === waiting.id) {
    await flow.save(withoutMarker(flow.state));
  }
}
