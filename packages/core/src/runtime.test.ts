import { describe, expect, it } from 'vitest';
import { runtimeKey } from './runtime.ts';

describe('runtimeKey', () => {
  // The test script runs this suite under Node, Bun and Deno and names the one
  // it meant in FLEETKIT_EXPECT_RUNTIME; this proves the tests really ran there.
  it('is the runtime the test run asked for', () => {
    expect(runtimeKey()).toBe(process.env.FLEETKIT_EXPECT_RUNTIME ?? 'node');
  });

  it('asks Deno and Bun before the Node-compatible process they both provide', () => {
    const nodeProcess = { release: { name: 'node' } };
    expect(runtimeKey({ Deno: {}, process: nodeProcess })).toBe('deno');
    expect(runtimeKey({ Bun: {}, process: nodeProcess })).toBe('bun');
    expect(runtimeKey({ process: nodeProcess })).toBe('node');
  });

  it('answers other for a scope with none of them (a browser, a worker, an edge runtime)', () => {
    expect(runtimeKey({})).toBe('other');
    expect(runtimeKey({ process: { release: { name: 'io.js' } } })).toBe('other');
    expect(runtimeKey({ Bun: undefined, Deno: null })).toBe('other');
  });
});
