import type { JsonObject } from '../protocol/messages.ts';
import type { ControlSession } from './control-session.ts';
import type { DeviceSession } from './device-session.ts';
import type { ResolvedOptions } from './options.ts';
import type { Peer } from './peer.ts';

/** Counters a broker keeps; read through `Broker.stats`. */
export interface BrokerStats {
  /** Device frames relayed (one per publish, whatever the subscriber count). */
  published: number;
  /** Frames handed to subscribers. */
  delivered: number;
  /** Commands handed to devices. */
  commands: number;
  /** Frames skipped under the `drop` policy. */
  dropped: number;
  /** Subscribers closed with 1013 under the `disconnect` policy. */
  slowDisconnects: number;
  /** Devices closed with 4000 because the same deviceId registered again. */
  evictions: number;
  /** Peers dropped by the heartbeat. */
  deadPeers: number;
}

/** A device as `list_devices` and `Broker.devices()` report it. */
export interface DeviceInfo {
  readonly deviceId: string;
  /** ISO 8601 time of registration. */
  readonly connectedAt: string;
  readonly metadata: JsonObject;
  readonly subscriberCount: number;
}

/** The broker's shared state: who is connected, who listens to whom. */
export class Hub {
  readonly options: ResolvedOptions;
  readonly logger: ResolvedOptions['logger'];
  /** Every open session, for the heartbeat and shutdown. */
  readonly peers = new Set<Peer>();
  /** Registered devices by deviceId: one live connection each (002 Step 3). */
  readonly devices = new Map<string, DeviceSession>();
  /** Control sessions subscribed to a deviceId, online or not. */
  readonly subscribers = new Map<string, Set<ControlSession>>();
  /** Control sessions by connectionId. */
  readonly controls = new Map<string, ControlSession>();
  readonly stats: BrokerStats = {
    published: 0,
    delivered: 0,
    commands: 0,
    dropped: 0,
    slowDisconnects: 0,
    evictions: 0,
    deadPeers: 0,
  };

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.logger = options.logger;
  }

  /** Now as ISO 8601, the form of every `timestamp` field (002). */
  timestamp(): string {
    return new Date(this.options.clock.now()).toISOString();
  }

  /** Control apps subscribed to `deviceId`. */
  subscriberCount(deviceId: string): number {
    return this.subscribers.get(deviceId)?.size ?? 0;
  }

  /** The registered devices (docs/sources.md, the machine broker's control side `list_devices`). */
  deviceList(): DeviceInfo[] {
    const list: DeviceInfo[] = [];
    for (const [deviceId, d] of this.devices) {
      list.push({
        deviceId,
        connectedAt: new Date(d.connectedAt).toISOString(),
        metadata: d.metadata,
        subscriberCount: this.subscriberCount(deviceId),
      });
    }
    return list;
  }
}
