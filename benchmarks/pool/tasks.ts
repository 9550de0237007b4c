// Tasks of the pool benchmark, loaded by fleetkit's pool in workers.
import { createHash } from 'node:crypto';
import { withTransfer } from '@fleetkit/core';

export function tiny(input: { x: number }): number {
  return input.x + 1;
}

/** SHA-256 of the buffer; the buffer moves back so the caller can reuse it. */
export function sha256(input: { buffer: ArrayBuffer }) {
  const digest = createHash('sha256').update(new Uint8Array(input.buffer)).digest();
  return withTransfer({ buffer: input.buffer, first: digest[0] }, [input.buffer]);
}

export function echo(input: { buffer: ArrayBuffer }) {
  return withTransfer(input.buffer, [input.buffer]);
}
