import { describe, expect, it } from 'vitest';
import { device, testBroker } from '../../test/broker.ts';
import { shutdownSockets } from './server.ts';

describe('shutdownSockets', () => {
  it('shuts the broker down, closing its peers with the kind’s code, and cuts nothing that closed', async () => {
    const { broker, transport } = testBroker();
    const peer = await device(transport, 'dev-1');
    const open = new Set([peer]);
    // as an adapter's close handler does: the socket leaves the live set once its peer answered
    const record = peer.socket.onclose;
    peer.socket.onclose = (event) => {
      record?.call(peer.socket, event);
      open.delete(peer);
    };
    const cut: unknown[] = [];
    await shutdownSockets(broker, 'restart', { open, cut: (socket) => cut.push(socket) });
    expect([broker.closed, peer.closeCode, cut]).toEqual([true, 1012, []]);
  });

  it('cuts the sockets whose peers never answered the close', async () => {
    const { broker } = testBroker();
    const open = new Set(['silent-1', 'silent-2']);
    const cut: string[] = [];
    await shutdownSockets(broker, 'shutdown', { open, cut: (socket) => cut.push(socket) });
    expect([broker.closed, cut]).toEqual([true, ['silent-1', 'silent-2']]);
  });
});
