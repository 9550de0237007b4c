// MQTT 3.1.1 clients as light as the `ws` clients ours is measured with, for
// probe.ts: a bare `ws` socket sending packets encoded once, and subscribers
// that only count PUBLISH packets by their fixed header (no payload parsed,
// as ours' subscribers count frames without parsing them). Beside mqtt.js
// clients they show how much of this process's CPU is mqtt.js's own.
import WebSocket from 'ws';
import { FRAME, type RelayClients } from './relay.ts';

const TOPIC = 'devices/publisher/data';

/** A UTF-8 string as MQTT encodes it: two length bytes, then the bytes. */
function utf8(text: string): Buffer {
  const bytes = Buffer.from(text);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** A packet: its first byte, the remaining length as a variable byte integer, the body. */
function packet(first: number, body: Buffer): Buffer {
  const length: number[] = [];
  let n = body.length;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    length.push(byte);
  } while (n > 0);
  return Buffer.concat([Buffer.from([first, ...length]), body]);
}

let clients = 0;
let messages = 0;

/** WebSocket messages these clients have received so far (a broker may split one packet over several). */
export function wireMessages(): number {
  return messages;
}
const connectPacket = (): Buffer =>
  // protocol name, level 4 (3.1.1), flags: clean session, keep-alive 0, client id
  packet(0x10, Buffer.concat([utf8('MQTT'), Buffer.from([4, 0x02, 0, 0]), utf8(`bench-${process.pid}-${++clients}`)]));
const SUBSCRIBE = packet(0x82, Buffer.concat([Buffer.from([0, 1]), utf8(TOPIC), Buffer.from([0])]));
const PUBLISH = packet(0x30, Buffer.concat([utf8(TOPIC), Buffer.from(FRAME)]));
const CONNACK = 2;
const PUBLISH_TYPE = 3;
const SUBACK = 9;

/** Calls `onPacket(type)` for each whole packet in a byte stream that may split packets anywhere. */
export function packetScanner(onPacket: (type: number) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    let data: Buffer = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      if (data.length < 2) break;
      let length = 0;
      let multiplier = 1;
      let at = 1;
      let complete = false;
      while (at < data.length && at <= 4) {
        const byte = data[at++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || data.length < at + length) break;
      onPacket(data[0]! >> 4);
      data = data.subarray(at + length);
    }
    pending = data;
  };
}

function open(url: string, onPacket: (type: number, ws: WebSocket) => void): Promise<WebSocket> {
  const ws = new WebSocket(url, 'mqtt', { perMessageDeflate: false });
  const scan = packetScanner((type) => onPacket(type, ws));
  ws.on('message', (data: Buffer) => {
    messages++;
    scan(data);
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.send(connectPacket());
      resolve(ws);
    });
    ws.once('error', reject);
  });
}

/** {@link RelayClients} of bare `ws` sockets speaking MQTT 3.1.1 at QoS 0. */
export function mqttWireClients(url: string): RelayClients {
  return {
    subscriber(onFrame) {
      return new Promise((resolve, reject) => {
        open(url, (type, ws) => {
          if (type === PUBLISH_TYPE) onFrame();
          else if (type === CONNACK) ws.send(SUBSCRIBE);
          else if (type === SUBACK) resolve({ close: () => ws.terminate() });
        }).catch(reject);
      });
    },
    publisher() {
      return new Promise((resolve, reject) => {
        open(url, (type, ws) => {
          if (type === CONNACK) resolve({ send: () => ws.send(PUBLISH), close: () => ws.terminate() });
        }).catch(reject);
      });
    },
  };
}
