import { reconnectDelay } from '@fleetkit/broker';
import {
  Assembler,
  ChunkedError,
  ChunkedErrorCode,
  checkNotRollback,
  ed25519Verifier,
  type Manifest,
  manifestId,
  openSignedManifest,
} from '@fleetkit/chunked';
import { guardedStorage } from '../_internal/guarded-storage.ts';
import type { PackageJob } from '../_internal/package-command.ts';
import { AgentError, AgentErrorCode, isAuthLost, isTransient } from '../errors.ts';
import { type Flow, messageOf } from './flow.ts';
import { channelOf, emitPackage, packageCall } from './package-calls.ts';
import { pinnedKey } from './package-key.ts';

/** How a transfer ended: the image verified, a failure to report, or the server ending the operation itself. */
export type Transfer =
  | { readonly kind: 'ready'; readonly assembler: Assembler }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'settled'; readonly error: AgentError };

/** Chunked failures that mean bad bytes arrived (counted against `attempts`), not a cut connection. */
const BAD_DATA: ReadonlySet<string> = new Set([
  ChunkedErrorCode.ChunkDigestMismatch,
  ChunkedErrorCode.ChunkSizeMismatch,
  ChunkedErrorCode.ImageChanged,
  ChunkedErrorCode.ImageCorrupt,
  ChunkedErrorCode.Incomplete,
]);

function isRefused(error: unknown): error is AgentError {
  return error instanceof AgentError && error.code === AgentErrorCode.Refused;
}

/** The signed manifest, trusted only once the pinned key verifies it and it names the command's package. */
async function trustedManifest(flow: Flow, job: PackageJob): Promise<Manifest | Transfer> {
  const key = await pinnedKey(flow);
  let bytes: Uint8Array;
  try {
    bytes = await packageCall(flow, 'package-manifest', (channel, signal) => channel.manifest(job, signal));
  } catch (error) {
    // 409: the server decided the operation itself (a dependency missing, the package there already)
    if (isRefused(error) && error.details?.status === 409) return { kind: 'settled', error };
    if (isRefused(error)) return { kind: 'failed', message: error.message };
    throw error;
  }
  let manifest: Manifest;
  try {
    manifest = await openSignedManifest(bytes, ed25519Verifier(key));
  } catch (error) {
    if (!(error instanceof ChunkedError)) throw error;
    return { kind: 'failed', message: `Manifest refused: ${error.message}` };
  }
  if (manifest.name !== job.name || manifest.version !== job.version) {
    return {
      kind: 'failed',
      message: `Manifest refused: it is of ${manifest.name} ${manifest.version}, not ${job.name} ${job.version}`,
    };
  }
  if (job.root !== undefined && manifestId(manifest) !== job.root) {
    return { kind: 'failed', message: `Manifest refused: its root is ${manifestId(manifest)}, not ${job.root}` };
  }
  return manifest;
}

/**
 * Anti-rollback (SUIT, chunked's `checkNotRollback`) against the agent's
 * record: the manifest's sequence must be above the one of the package it
 * upgrades, and must not be below the one of its own package (the same
 * sequence again is a re-install of what the server says the device lacks).
 * Why it is refused; undefined when it may go ahead.
 */
function rollbackOf(flow: Flow, job: PackageJob, manifest: Manifest): string | undefined {
  const sequences = flow.state.packageSequences ?? {};
  const own = sequences[manifest.name];
  const from = job.from === undefined ? undefined : sequences[job.from.name];
  try {
    if (own !== undefined && own !== manifest.sequence) checkNotRollback(manifest, own);
    if (from !== undefined) checkNotRollback(manifest, from);
  } catch (error) {
    if (!(error instanceof ChunkedError)) throw error;
    const which = own !== undefined && manifest.sequence < own ? '' : ` (of ${job.from?.name}, which it upgrades)`;
    return `Manifest refused: ${error.message}${which}`;
  }
  return undefined;
}

/** The transfer's assembler, resuming from storage; a saved state that cannot be read starts over. */
async function assemblerOf(flow: Flow, manifest: Manifest): Promise<Assembler> {
  const storage = guardedStorage(flow.chunks());
  try {
    return await Assembler.open({ manifest, storage, logger: flow.logger });
  } catch (error) {
    if (!(error instanceof ChunkedError && error.code === ChunkedErrorCode.StateInvalid)) throw error;
    flow.logger.warn('package transfer state unreadable; starting over', { package: manifest.name });
    await storage.remove(manifestId(manifest));
    return Assembler.open({ manifest, storage, logger: flow.logger });
  }
}

/**
 * The image of a package command, verified (docs/server.md, Packages,
 * Transfer): the manifest checked against the pinned key and the recorded
 * sequences before anything is stored, then only the chunks storage lacks fetched with Range, each
 * verified before it is stored, the chunks acknowledged between requests,
 * and the whole image checked against the Merkle root. A cut connection
 * is backed off and resumed where it stopped; bad bytes fail the operation
 * after `packageTransfer.attempts` downloads in a row bring them.
 */
export async function transferImage(flow: Flow, job: PackageJob, resumed: boolean): Promise<Transfer> {
  const manifest = await trustedManifest(flow, job);
  if ('kind' in manifest) return manifest;
  // before the assembler opens: nothing of a refused image is stored or fetched
  const rollback = rollbackOf(flow, job, manifest);
  if (rollback !== undefined) return { kind: 'failed', message: rollback };
  const assembler = await assemblerOf(flow, manifest);
  let acknowledged = 0;
  const acknowledge = async (): Promise<void> => {
    const received = assembler.received;
    if (received === acknowledged) return;
    const bitmap = assembler.bitmap();
    await packageCall(flow, 'package-acknowledge', (channel, signal) => channel.acknowledge(job, bitmap, signal));
    acknowledged = received;
    emitPackage(flow, job, resumed, { status: 'transferring', received, total: assembler.total });
  };
  let bad = 0;
  let backoff = 0;
  for (;;) {
    const before = assembler.received;
    try {
      await flow.once('package-image', (session, signal) =>
        channelOf(session).download(job, assembler, {
          chunksPerRequest: flow.packageTransfer.chunksPerRequest,
          // what the last request brought is acknowledged before the next one is asked for
          before: acknowledge,
          signal,
        }),
      );
      await acknowledge();
      await assembler.verify();
      return { kind: 'ready', assembler };
    } catch (error) {
      if (flow.signal.aborted) throw flow.signal.reason;
      if (isAuthLost(error)) throw error;
      if (isRefused(error)) {
        if (error.details?.status === 409) return { kind: 'settled', error };
        return { kind: 'failed', message: error.message };
      }
      if (error instanceof AgentError && error.code === AgentErrorCode.StorageFailed) {
        return { kind: 'failed', message: error.message };
      }
      const badData = error instanceof ChunkedError && BAD_DATA.has(error.code);
      if (badData && ++bad >= flow.packageTransfer.attempts) {
        return { kind: 'failed', message: `Transfer failed ${bad} times: ${messageOf(error)}` };
      }
      if (error instanceof AgentError && !isTransient(error)) throw error;
      if (assembler.received > before) backoff = 0;
      const retryAfter =
        error instanceof AgentError && typeof error.details?.retryAfterMs === 'number' ? error.details.retryAfterMs : 0;
      const delayMs = Math.max(reconnectDelay(backoff++, flow.random, flow.timing.backoff), retryAfter);
      flow.logger.info('package transfer interrupted; backing off', { package: job.name, delayMs });
      flow.emit({ type: 'backoff', step: 'package-image', delayMs, error });
      await flow.pause(delayMs, false);
    }
  }
}
