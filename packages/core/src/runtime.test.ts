import { describe, expect, it } from 'vitest';

// The test script runs this suite under Node, Bun and Deno and names the one
// it meant in FLEETKIT_EXPECT_RUNTIME; this proves the tests really ran there.
function currentRuntime(): string {
  if ('Deno' in globalThis) return 'deno';
  if ('Bun' in globalThis) return 'bun';
  return 'node';
}

describe('runtime', () => {
  it('is the runtime the test run asked for', () => {
    expect(currentRuntime()).toBe(process.env.FLEETKIT_EXPECT_RUNTIME ?? 'node');
  });
});
