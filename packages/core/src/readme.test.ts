import { describe, expect, it } from 'vitest';
import { importReadmeExample } from './testing/readme.ts';

describe('README example', () => {
  it('runs and produces what it shows', async () => {
    const example = await importReadmeExample(new URL('../README.md', import.meta.url));
    expect(example.outcome).toBe('time-out');
    expect(example.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(example.rows).toEqual([{ id: 'd-1', status: 'registered' }]);
  });
});
