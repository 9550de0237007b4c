import type { ClientSocket, SocketFactory } from '@fleetkit/broker';
import type { FetchFunction } from '../_internal/http-call.ts';

/** When a simulated device's network fails: `failing()` is asked before every call and connection. */
export interface NetworkFault {
  failing(): boolean;
}

/** A fetch that fails as an unreachable network does whenever the fault says so. */
export function faultyFetch(fetchFunction: FetchFunction, fault: NetworkFault): FetchFunction {
  return (input, init) =>
    fault.failing() ? Promise.reject(new TypeError('fetch failed: network unreachable')) : fetchFunction(input, init);
}

/** A socket that never connects: it closes with 1006 at once, as a dead network makes it. */
function unreachable(): ClientSocket {
  const socket: ClientSocket = {
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
    send() {},
    close() {},
  };
  queueMicrotask(() => {
    socket.onerror?.({ type: 'error' });
    socket.onclose?.({ code: 1006, reason: '' });
  });
  return socket;
}

/** A socket factory whose connections fail whenever the fault says so. */
export function faultySocket(socket: SocketFactory, fault: NetworkFault): SocketFactory {
  return (url) => (fault.failing() ? unreachable() : socket(url));
}
