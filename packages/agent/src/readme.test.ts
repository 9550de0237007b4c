import { importReadmeExample } from '@fleetkit/core/testing';
import { describe, expect, it } from 'vitest';

describe('README example', () => {
  it('registers against a real server, waits a beat, then runs a command and confirms a licence', async () => {
    const m = await importReadmeExample(new URL('../README.md', import.meta.url));
    expect(m.firstWait).toBeGreaterThanOrEqual(5_000);
    expect(m.firstWait).toBeLessThanOrEqual(30_000);
    expect(m.transaction).toMatchObject({ state: 'complete', 'device-result': { beeped: 3 } });
    expect(m.licences).toEqual(['pro']);
  });
});
