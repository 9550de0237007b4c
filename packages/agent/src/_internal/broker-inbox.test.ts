import { describe, expect, it } from 'vitest';
import { BrokerInbox, type BrokerWork, parseDeliveryId, workOf } from './broker-inbox.ts';

const rpc = (transactionId: number, attempt = 1, action: 'execute' | 'cancel' = 'execute'): BrokerWork => ({
  transactionId,
  attempt,
  action,
  kind: 'rpc',
  name: 'm:beep',
  params: { n: transactionId },
});
const config = (transactionId: number): BrokerWork => ({
  transactionId,
  attempt: 1,
  action: 'execute',
  kind: 'config',
  name: 'exodm:configure',
  params: { updates: [] },
});

describe('BrokerInbox: pushed work, handled as HTTP hands it out', () => {
  it('serves the oldest transaction first, as a command or a configuration version', () => {
    const inbox = new BrokerInbox();
    expect(inbox.pending()).toEqual({ command: false, configVersion: 0, licenses: false });
    inbox.add(rpc(12));
    inbox.add(config(10));
    expect(inbox.pending()).toEqual({ command: false, configVersion: 10, licenses: false });
    expect(inbox.command()).toBeUndefined();
    expect(inbox.config()).toEqual({ id: '10.1', version: 10, config: { version: 10, updates: [] } });
    inbox.finish(10, 1);
    expect(inbox.pending()).toEqual({ command: true, configVersion: 0, licenses: false });
    expect(inbox.command()).toEqual({
      id: '12.1',
      name: 'm:beep',
      parameters: { n: 12 },
      status: 'pending',
      cancel: false,
    });
    expect(inbox.config()).toEqual({ version: 0, config: { version: 0, updates: [] } });
  });

  it('keeps the newest attempt, drops a copy of finished work, and serves a cancel as a command', () => {
    const inbox = new BrokerInbox();
    expect(inbox.add(rpc(3, 2))).toBe(true);
    expect(inbox.add(rpc(3, 1))).toBe(false);
    expect(inbox.command()?.id).toBe('3.2');
    inbox.finish(3, 2);
    expect(inbox.add(rpc(3, 2))).toBe(false);
    expect(inbox.add(rpc(3, 3))).toBe(true);
    inbox.finish(3, 3);
    inbox.add({ ...config(4), action: 'cancel' });
    expect(inbox.pending().command).toBe(true);
    expect(inbox.command()).toMatchObject({ id: '4.1', cancel: true });
  });

  it('reads transaction messages and delivery ids', () => {
    const message = {
      type: 'transaction',
      transactionId: 1,
      attempt: 1,
      action: 'execute',
      kind: 'rpc',
      name: 'm:x',
      params: {},
    };
    expect(workOf(message)).toEqual({
      transactionId: 1,
      attempt: 1,
      action: 'execute',
      kind: 'rpc',
      name: 'm:x',
      params: {},
    });
    expect(workOf({ type: 'transaction', transactionId: '1' })).toBeUndefined();
    expect(parseDeliveryId('17.3')).toEqual({ transactionId: 17, attempt: 3 });
    expect(parseDeliveryId('17')).toBeUndefined();
  });
});
