import { Broker, type BrokerControl, type DeviceMessage, type JsonObject, type PresenceEvent } from '@fleetkit/broker';
import { type AckStatus, failureStatuses } from '@fleetkit/txqueue';
import { routeFromDevice } from '../routing.ts';
import { ownerOfPublicId } from '../store/device-keys.ts';
import { type Device, findDevice, recordLastSeen } from '../store/devices.ts';
import { deviceByPublicId } from './auth.ts';
import { answerPackageRequest, PACKAGE_REQUESTS } from './broker-packages.ts';
import { queueOf } from './engine.ts';
import type { DeviceRuntime } from './runtime.ts';
import { newAccessKey } from './secrets.ts';
import type { Work } from './work.ts';

const ACK_STATUSES = new Set<string>(['progress', 'complete', 'cancelled', ...failureStatuses]);

/** Transactions handed to a connected device per call-in. */
const BATCH = 100;

/** A connected device of a broker-typed device type. */
interface Connected {
  readonly account: string;
  readonly deviceId: string;
  readonly queue: string;
  /** Stops the queue's cross-process wake-ups for the device (PostgreSQL `watch`). */
  unwatch: (() => void) | undefined;
}

/**
 * A device whose connection is being set up: its messages that arrive
 * meanwhile wait here and are handled in order once it is (a device sends
 * its first request, e.g. its package inventory, right after it registered).
 */
interface Connecting {
  readonly held: JsonObject[];
}

/** A transaction as a broker device receives it (docs/server.md §Broker messages). */
export function transactionMessage(work: Work, at: (ms: number) => string): JsonObject {
  return {
    type: 'transaction',
    transactionId: work.transactionId,
    attempt: work.attempt,
    action: work.action,
    kind: work.kind,
    name: work.name,
    params: work.params as JsonObject,
    deadline: at(work.deadline),
  };
}

/**
 * The broker plugin (`broker`, manual §5.7 on the 002 machine broker): the
 * server is an in-process control app of a {@link Broker}. A device of a
 * broker-typed device type connects with its public id as `deviceId` and its
 * access key as `apiKey` (checked per device by `authorizeDevice`); while it
 * is connected its queued transactions are sent to it as messages, on
 * connection and whenever the queue reports work for it, and its messages
 * carry its acks and its own RPCs.
 */
export class BrokerPlugin {
  readonly broker: Broker;
  readonly #runtime: DeviceRuntime;
  readonly #control: BrokerControl;
  /** By public id (the broker's deviceId). */
  readonly #connected = new Map<string, Connected>();
  /** By public id: set the moment the broker reports the registration, before any await. */
  readonly #connecting = new Map<string, Connecting>();
  /** Public id by queue name, for the queue's work hook. */
  readonly #byQueue = new Map<string, string>();
  readonly #offWork: () => void;
  readonly #pending = new Set<Promise<void>>();

  constructor(runtime: DeviceRuntime) {
    const { server, options } = runtime;
    this.#runtime = runtime;
    this.broker = new Broker({
      controlKeys: options.brokerControlKeys ?? [newAccessKey()],
      authorizeDevice: ({ apiKey, deviceId }) => this.#authorize(apiKey, deviceId),
      heartbeatMs: options.brokerHeartbeatMs,
      clock: server.clock,
      random: server.random,
      logger: server.logger,
    });
    this.#control = this.broker.control();
    this.#control.onPresence((event) => this.#presence(event));
    this.#control.onMessage((message) => this.#message(message));
    this.#offWork = server.queue.onWork((queue) => {
      const publicId = this.#byQueue.get(queue);
      if (publicId !== undefined) this.#run(() => this.#deliver(publicId, false));
    });
  }

  /** Lets the device register when its access key is right and its type uses the broker. */
  async #authorize(apiKey: string, publicId: string): Promise<boolean> {
    const auth = await deviceByPublicId(this.#runtime.server, { publicId, key: apiKey, protocol: 'broker' });
    if ('refused' in auth) {
      this.#runtime.server.logger.info('broker device refused', { deviceId: publicId, reason: auth.refused });
      return false;
    }
    // subscribing before the registration completes: its device_connected comes to this control
    this.#control.subscribe(publicId);
    return true;
  }

  #presence(event: PresenceEvent): void {
    const { engine } = this.#runtime;
    const publicId = event.deviceId;
    let handle: () => Promise<void>;
    if (event.type === 'device_connected') {
      // a registration replacing one still being set up takes over what waited for it
      const connecting: Connecting = { held: this.#connecting.get(publicId)?.held ?? [] };
      this.#connecting.set(publicId, connecting);
      handle = () => this.#connect(publicId, connecting);
    } else {
      this.#abandon(publicId);
      handle = () => this.#disconnect(publicId);
    }
    // one device's comings and goings are handled in the order they happened
    this.#run(() => engine.serially(`broker:${publicId}`, handle));
  }

  async #connect(publicId: string, connecting: Connecting): Promise<void> {
    try {
      await this.#setUp(publicId);
    } finally {
      this.#release(publicId, connecting);
    }
  }

  async #setUp(publicId: string): Promise<void> {
    const { server } = this.#runtime;
    const auth = await this.#deviceOf(publicId);
    if (auth === undefined) return;
    const queue = queueOf(auth);
    // a connection replacing another (002: one per deviceId) keeps one watch
    this.#connected.get(publicId)?.unwatch?.();
    const entry: Connected = { account: auth.account, deviceId: auth.deviceId, queue, unwatch: undefined };
    this.#connected.set(publicId, entry);
    this.#byQueue.set(queue, publicId);
    entry.unwatch = await server.queue.watch(queue);
    await this.#runtime.engine.seen(auth);
    // what the previous connection held may never have arrived: send it again at once
    await this.#deliver(publicId, true);
  }

  /** The connection is set up (or failed to be): the messages that waited for it are handled, in order. */
  #release(publicId: string, connecting: Connecting): void {
    // a newer registration took over the waiting messages, or the device went away (they were discarded)
    if (this.#connecting.get(publicId) !== connecting) return;
    this.#connecting.delete(publicId);
    const entry = this.#connected.get(publicId);
    if (entry === undefined) {
      this.#discard(publicId, connecting, 'its connection could not be set up');
      return;
    }
    for (const payload of connecting.held) this.#accept(publicId, entry, payload);
  }

  /** The device disconnected while its connection was being set up: what it sent meanwhile goes. */
  #abandon(publicId: string): void {
    const connecting = this.#connecting.get(publicId);
    if (connecting === undefined) return;
    this.#connecting.delete(publicId);
    this.#discard(publicId, connecting, 'it disconnected while its connection was being set up');
  }

  #discard(publicId: string, connecting: Connecting, why: string): void {
    if (connecting.held.length === 0) return;
    this.#runtime.server.logger.debug(`broker device messages discarded: ${why}`, {
      deviceId: publicId,
      messages: connecting.held.length,
    });
  }

  async #disconnect(publicId: string): Promise<void> {
    const entry = this.#connected.get(publicId);
    if (entry === undefined) return;
    this.#connected.delete(publicId);
    this.#byQueue.delete(entry.queue);
    entry.unwatch?.();
    await recordLastSeen(this.#runtime.server.db, entry.account, { deviceId: entry.deviceId, at: undefined });
  }

  async #deviceOf(publicId: string): Promise<Device | undefined> {
    const entry = this.#connected.get(publicId);
    if (entry !== undefined) return findDevice(this.#runtime.server.db, entry.account, entry.deviceId);
    const owner = await ownerOfPublicId(this.#runtime.server.db, publicId);
    return owner === undefined ? undefined : findDevice(this.#runtime.server.db, owner.account, owner.deviceId);
  }

  /** Sends the device its work: with `again`, also what is out with it already, under the same attempt. */
  async #deliver(publicId: string, again: boolean): Promise<void> {
    const entry = this.#connected.get(publicId);
    if (entry === undefined) return;
    const { engine, server } = this.#runtime;
    const works = again ? await engine.outstanding(entry.queue) : [];
    for (;;) {
      const taken = await engine.take(entry.queue, { limit: BATCH });
      works.push(...taken);
      if (taken.length < BATCH) break;
    }
    const at = (ms: number): string => new Date(ms).toISOString();
    for (const work of works) {
      const sent = this.#control.send(publicId, transactionMessage(work, at));
      // not sent: the device went away; the delivery's hold runs out and the next connection gets it
      if (!sent.sent) {
        server.logger.info('broker delivery not sent', {
          deviceId: publicId,
          transactionId: work.transactionId,
          code: sent.code,
        });
        return;
      }
    }
  }

  #message(message: DeviceMessage): void {
    const { payload, deviceId } = message;
    const connecting = this.#connecting.get(deviceId);
    if (connecting !== undefined) {
      // more than the burst would be refused once handled anyway: refuse it now, holding nothing unbounded
      if (connecting.held.length >= this.#runtime.options.rateBurst) this.#rateLimited(deviceId);
      else connecting.held.push(payload);
      return;
    }
    const entry = this.#connected.get(deviceId);
    if (entry === undefined) {
      this.#runtime.server.logger.debug('broker device message discarded: no connection of the device', {
        deviceId,
      });
      return;
    }
    this.#accept(deviceId, entry, payload);
  }

  /** Handles one message of a connected device, within its rate limit. */
  #accept(deviceId: string, entry: Connected, payload: JsonObject): void {
    if (this.#runtime.limits.take(entry.queue) > 0) {
      this.#rateLimited(deviceId);
      return;
    }
    if (typeof payload.type === 'string' && PACKAGE_REQUESTS.has(payload.type)) {
      // one device's package requests are answered one at a time, in the order they came: an answer's
      // data messages never interleave with another's
      this.#run(() =>
        this.#runtime.engine.serially(`broker-packages:${deviceId}`, () => this.#package(deviceId, payload)),
      );
      return;
    }
    this.#run(() => this.#handle(deviceId, payload));
  }

  #rateLimited(deviceId: string): void {
    this.#control.send(deviceId, { type: 'error', code: 'rate-limited', message: 'Too many messages: slow down' });
  }

  async #package(publicId: string, payload: JsonObject): Promise<void> {
    const device = await this.#deviceOf(publicId);
    if (device === undefined) return;
    await this.#runtime.engine.seen(device);
    await answerPackageRequest(this.#runtime, device, payload, (reply) => this.#control.send(publicId, reply).sent);
  }

  async #handle(publicId: string, payload: JsonObject): Promise<void> {
    const device = await this.#deviceOf(publicId);
    if (device === undefined) return;
    await this.#runtime.engine.seen(device);
    if (payload.type === 'ack') await this.#ack(publicId, device, payload);
    else if (payload.type === 'rpc') await this.#rpc(publicId, device, payload);
    else {
      this.#control.send(publicId, {
        type: 'error',
        code: 'unknown-message',
        message: 'Expected an ack, an rpc or a package request',
      });
    }
  }

  async #ack(publicId: string, device: Device, payload: JsonObject): Promise<void> {
    const { transactionId, attempt, status } = payload;
    if (
      typeof transactionId !== 'number' ||
      typeof attempt !== 'number' ||
      typeof status !== 'string' ||
      !ACK_STATUSES.has(status)
    ) {
      this.#control.send(publicId, {
        type: 'error',
        code: 'invalid-ack',
        message: 'An ack has a transactionId, an attempt and a status',
      });
      return;
    }
    const outcome = await this.#runtime.engine.ack(device, {
      transactionId,
      attempt,
      status: status as AckStatus,
      ...(payload.progress === undefined ? {} : { progress: payload.progress }),
      ...(payload.result === undefined ? {} : { result: payload.result }),
    });
    this.#control.send(publicId, {
      type: 'ack-result',
      transactionId,
      attempt,
      outcome: outcome.outcome,
      ...(outcome.outcome === 'rejected' ? { reason: outcome.reason } : {}),
    });
  }

  async #rpc(publicId: string, device: Device, payload: JsonObject): Promise<void> {
    const { id, method, params } = payload;
    if (typeof method !== 'string' || (id !== undefined && typeof id !== 'string' && typeof id !== 'number')) {
      this.#control.send(publicId, {
        type: 'error',
        code: 'invalid-rpc',
        message: 'An rpc has a method and may have an id',
      });
      return;
    }
    const routed = await routeFromDevice(this.#runtime.server, device, {
      method,
      params,
      notification: id === undefined,
    });
    if (id === undefined) return;
    if (routed.kind === 'error') {
      this.#control.send(publicId, { type: 'rpc-reply', id, error: routed.error as unknown as JsonObject });
      return;
    }
    const result = routed.kind === 'result' ? routed.result : 'ok';
    this.#control.send(publicId, { type: 'rpc-reply', id, result: result as JsonObject });
  }

  /** Runs broker work in the background, logging a failure (a broker listener must not throw). */
  #run(work: () => Promise<void>): void {
    const promise = work()
      .catch((error: unknown) => {
        this.#runtime.server.logger.error('broker plugin failed', { error });
      })
      .finally(() => this.#pending.delete(promise));
    this.#pending.add(promise);
  }

  /** Resolves once the background work started so far has settled (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Closes every broker connection (1001) and stops delivering. */
  async close(): Promise<void> {
    this.#offWork();
    this.broker.shutdown('shutdown');
    await this.idle();
    for (const entry of this.#connected.values()) entry.unwatch?.();
    this.#connecting.clear();
    this.#connected.clear();
    this.#byQueue.clear();
  }
}
