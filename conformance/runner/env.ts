import type { Backend } from './backend.ts';
import type { DeviceApi } from './devices/device.ts';
import type { CallbackListener } from './listener.ts';

/** The broker a `broker-lifecycle` run talks to, when one was given. */
export interface BrokerTarget {
  /** Base URL, e.g. `ws://127.0.0.1:8080`; the suite appends `/devices` and `/control`. */
  readonly url: string;
  readonly deviceKey: string;
  readonly controlKey: string;
  /** The broker's ping interval (docs/broker.md default 30 000 ms): how long to wait for pings. */
  readonly heartbeatMs: number;
  /** Shell command that restarts the broker (SIGHUP for fleetkit-broker): its devices must see 1012. */
  readonly restartCommand?: string;
  /** Shell command that stops the broker (SIGTERM): its devices must see 1001. */
  readonly shutdownCommand?: string;
}

/** Everything a suite needs to reach the server under test. */
export interface Env {
  /** The backend API, and the master user that creates each suite's account. */
  readonly backend: Backend;
  /** The server's base URL (the device APIs hang below it). */
  readonly url: string;
  /** How the suites play devices. */
  readonly devices: DeviceApi;
  /** Where broker devices connect (`--broker-url`, default the server's URL as ws://); `/devices` is appended. */
  readonly brokerUrl: string;
  /** Callbacks and backend endpoints of device-originated RPCs. */
  readonly listener: CallbackListener;
  /** Unique per run: prefixes every name the run creates, so runs never collide on a shared server. */
  readonly run: string;
  /** Password of every user the run creates. */
  readonly password: string;
  /** How long to wait for a callback, a delivery or a device message. */
  readonly waitMs: number;
  /** The timeout the `timeouts` suite gives its transactions, in ms. */
  readonly shortTimeoutMs: number;
  readonly broker: BrokerTarget | undefined;
}
