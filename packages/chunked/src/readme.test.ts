import { importReadmeExample } from '@fleetkit/core/testing';
import { expect, it } from 'vitest';

it('runs the README example: a signed transfer, interrupted and resumed, installs the exact image', async () => {
  const example = await importReadmeExample(new URL('../README.md', import.meta.url));
  expect(example.missingAfterRestart).toEqual([
    { start: 1, end: 3 },
    { start: 4, end: 10 },
  ]);
  expect(example.same).toBe(true);
  expect((example.installed as Uint8Array).length).toBe(10_000);
});
