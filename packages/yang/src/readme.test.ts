import { importReadmeExample } from '@fleetkit/core/testing';
import { expect, it } from 'vitest';

it('runs the README example with the results its comments state', async () => {
  const ex = await importReadmeExample(new URL('../README.md', import.meta.url));
  expect(ex.ok).toEqual({ valid: true, issues: [] });
  const bad = ex.bad as { valid: boolean; issues: { path: string; kind: string }[] };
  expect(bad.valid).toBe(false);
  expect(bad.issues.map((i) => [i.kind, i.path])).toEqual([
    ['range', "/acme:fleet/device[id='cam-1']/port"],
    ['leafref', "/acme:fleet/device[id='cam-1']/uplink"],
  ]);
  const params = ex.params as { issues: { message: string; path: unknown[] }[] };
  expect(params.issues).toHaveLength(1);
  expect(params.issues[0]!.path).toEqual(['delay']);
  expect(params.issues[0]!.message).toMatch(/^Invalid value "5": expected a JSON number/);
  const action = ex.action as { issues: { path: string; kind: string }[] };
  expect(action.issues.map((i) => [i.kind, i.path])).toEqual([['must', "/acme:fleet/device[id='gw-1']/reset"]]);
});
