// Worker of benchmarks/pool/probe.ts: the raw echo, our worker entry on the
// same thread, and the vCPU this thread last ran on (Linux).
import { readFileSync } from 'node:fs';
import { Piscina } from 'piscina';

export { default as ours } from '../../packages/core/src/adapters/piscina-worker.ts';

export function echo(input: { buffer: ArrayBuffer }): unknown {
  return Piscina.move(input.buffer);
}

/** The vCPU the calling thread last ran on (Linux), in a worker or in the probe's main thread. */
export function cpu(): number {
  return Number(readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ')[36]);
}
