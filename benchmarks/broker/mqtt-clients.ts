// mqtt.js clients over WebSocket, as a user of an MQTT broker would connect:
// QoS 0 both ways (the device frames of ours are fire-and-forget too), MQTT
// 3.1.1 (mqtt.js's default), one topic for the publishing device.
import { connectAsync, type MqttClient } from 'mqtt';
import { FRAME, type RelayClients } from './relay.ts';

const TOPIC = 'devices/publisher/data';
const PAYLOAD = Buffer.from(FRAME);

function connect(url: string): Promise<MqttClient> {
  return connectAsync(url, { reconnectPeriod: 0, keepalive: 0, clean: true });
}

/** {@link RelayClients} of mqtt.js over WebSocket at `url`. */
export function mqttClients(url: string): RelayClients {
  return {
    async subscriber(onFrame) {
      const client = await connect(url);
      client.on('message', onFrame);
      await client.subscribeAsync(TOPIC, { qos: 0 });
      return { close: () => void client.end(true) };
    },
    async publisher() {
      const client = await connect(url);
      return {
        send: () => void client.publish(TOPIC, PAYLOAD, { qos: 0 }),
        close: () => void client.end(true),
      };
    },
  };
}
