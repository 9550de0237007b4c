import { importReadmeExample } from '@fleetkit/core/testing';
import { describe, expect, it } from 'vitest';

describe('README example', () => {
  it('registers against a real server, waits a beat, runs a command, confirms a licence and installs a package', async () => {
    const m = await importReadmeExample(new URL('../README.md', import.meta.url));
    expect(m.firstWait).toBeGreaterThanOrEqual(5_000);
    expect(m.firstWait).toBeLessThanOrEqual(30_000);
    expect(m.transaction).toMatchObject({ state: 'complete', 'device-result': { beeped: 3 } });
    expect(m.licences).toEqual(['pro']);
    expect(m.installed).toEqual(['firmware 1.1: 200000 bytes']);
    expect(m.packageStatus).toMatchObject({ 'package-status': 'installed', confirmed: true, version: '1.1' });
  });
});
