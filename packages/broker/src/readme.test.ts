import { importReadmeExample } from '@fleetkit/core/testing';
import { describe, expect, it } from 'vitest';

describe('README example', () => {
  it('registers, relays both ways, to a socket and to an in-process control, and re-registers after a restart', async () => {
    const m = await importReadmeExample(new URL('../README.md', import.meta.url));
    expect(m.listed).toEqual(['sensor-001']);
    expect((m.received as Array<{ type: string }>).map((f) => f.type)).toEqual([
      'welcome',
      'success',
      'message',
      'success',
    ]);
    expect((m.received as Array<{ payload?: unknown }>)[2]?.payload).toEqual({ temperature: 23.5 });
    expect(m.heard).toEqual([{ temperature: 23.5 }]);
    expect(m.outcome).toEqual({ sent: true });
    expect(m.commands).toEqual([{ command: 'set_temperature', value: 25 }, { command: 'reboot' }]);
    expect(m.waiting).toBe('waiting');
    expect(m.afterRestart).toEqual(['sensor-001']);
  });
});
