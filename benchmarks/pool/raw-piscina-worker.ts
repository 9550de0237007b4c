// The same tasks written directly for piscina: the baseline our port is measured against.
import { createHash } from 'node:crypto';
import { Piscina } from 'piscina';

export function tiny(input: { x: number }): number {
  return input.x + 1;
}

export function echo(input: { buffer: ArrayBuffer }): unknown {
  return Piscina.move(input.buffer);
}

export function sha256(input: { buffer: ArrayBuffer }): unknown {
  createHash('sha256').update(new Uint8Array(input.buffer)).digest();
  return Piscina.move(input.buffer);
}
