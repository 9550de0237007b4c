import { describe, expect, it } from 'vitest';
import { sameTransaction, wasInProgress } from './commands.ts';

const command = { id: '8.2', name: 'm:reboot', parameters: {}, status: 'pending', cancel: false } as const;

describe('recognising the command a device was carrying out', () => {
  it('matches ids of one transaction across delivery attempts, and plain ids only exactly', () => {
    expect(sameTransaction('8.1', '8.2')).toBe(true);
    expect(sameTransaction('8.1', '80.1')).toBe(false);
    expect(sameTransaction('abc', 'abc')).toBe(true);
    expect(sameTransaction('8', '8.1')).toBe(false);
  });

  it('takes the server saying in_progress, or the device having recorded the transaction as started', () => {
    expect(wasInProgress({ configVersion: 0 }, { ...command, status: 'in_progress' })).toBe(true);
    expect(wasInProgress({ configVersion: 0, inProgress: { id: '8.1', name: 'm:reboot' } }, command)).toBe(true);
    expect(wasInProgress({ configVersion: 0, inProgress: { id: '7.1', name: 'm:reboot' } }, command)).toBe(false);
    expect(wasInProgress({ configVersion: 0 }, command)).toBe(false);
  });
});
