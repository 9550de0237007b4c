import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A peer that leaves a large heap behind (yang-js builds a model object per
// validation) makes V8 mark and sweep during whatever is timed next (docs/
// decisions/yang-002-compiled-validator.md). A full collection before each
// side's timing bills each side only for the garbage it makes itself.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Runs a full garbage collection, so the next timing starts from a settled heap. */
export function settleHeap(): void {
  collect();
}
