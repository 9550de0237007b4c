import { connectDevice, type DeviceClient, type JsonObject } from '@fleetkit/broker';
import { type BrokerServer, serve } from '@fleetkit/broker/serve';
import { type SqlDriver, type SqlExecutor, type SqlRow, type SqlValue, silentLogger } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './callback-listener.ts';
import { acmeCall, type Credentials, PROVISIONING_KEY, registered, setUpAccount } from './device-fixture.ts';
import { startServer, type TestServer } from './harness.ts';

const SENSOR_KEY = `${PROVISIONING_KEY}-sensor`;

/** The statement with which the broker plugin records a device's disconnect (its last-seen cleared). */
const isDisconnectRecord = (sql: string, params: readonly SqlValue[] | undefined): boolean =>
  sql.startsWith('UPDATE srv_devices SET last_seen') && params?.[2] === null;

/**
 * A SQLite driver that can hold the next disconnect record until the test
 * lets it through: the plugin handles one device's comings and goings in
 * order, so a held disconnect keeps the next connection of the device being
 * set up for as long as the test needs (a slow store, on demand).
 */
class HeldDisconnects {
  readonly driver: SqlDriver;
  #armed = false;
  #held: { readonly released: Promise<void>; readonly release: () => void } | undefined;
  #holding = false;

  constructor(driver: SqlDriver) {
    const gate = async (sql: string, params: readonly SqlValue[] | undefined): Promise<void> => {
      if (!this.#armed || !isDisconnectRecord(sql, params)) return;
      this.#armed = false;
      this.#holding = true;
      await this.#held?.released;
    };
    const held = (executor: SqlExecutor): SqlExecutor => ({
      dialect: executor.dialect,
      async query<Row extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
        await gate(sql, params);
        return executor.query<Row>(sql, params);
      },
      async run(sql: string, params?: readonly SqlValue[]) {
        await gate(sql, params);
        return executor.run(sql, params);
      },
    });
    const outside = held(driver);
    this.driver = new Proxy(driver, {
      get(target, key, receiver) {
        if (key === 'query') return outside.query;
        if (key === 'run') return outside.run;
        if (key === 'transaction') {
          return <T>(fn: (tx: SqlExecutor) => Promise<T>) => target.transaction((tx) => fn(held(tx)));
        }
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Holds the next disconnect record. */
  arm(): void {
    let release = (): void => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#held = { released, release };
    this.#holding = false;
    this.#armed = true;
  }

  /** True once the armed disconnect record is being held. */
  get holding(): boolean {
    return this.#holding;
  }

  /** Lets the held record through. */
  release(): void {
    this.#held?.release();
    this.#held = undefined;
  }
}

/** What a device on the broker received, with a wait for a message. */
interface Inbox {
  readonly received: JsonObject[];
  next(match: (message: JsonObject) => boolean, what: string): Promise<JsonObject>;
}

function inbox(): Inbox {
  const received: JsonObject[] = [];
  return {
    received,
    async next(match, what) {
      await eventually(() => received.some(match), what);
      return received.splice(received.findIndex(match), 1)[0]!;
    },
  };
}

describe('the broker plugin: a message that arrives while the connection is being set up', () => {
  let t: TestServer;
  let broker: BrokerServer;
  const store = new HeldDisconnects(openSqlite({ path: ':memory:' }));
  const clients: DeviceClient[] = [];
  const sockets: WebSocket[] = [];
  const acme = () => acmeCall(t);

  /** A device of the broker client, recording what the server sends it. */
  const connect = (credentials: Credentials): Inbox & { readonly client: DeviceClient } => {
    const box = inbox();
    const client = connectDevice({
      url: `${broker.url}/devices`,
      apiKey: credentials.access_key,
      deviceId: credentials.id,
      logger: silentLogger,
      onCommand: (payload) => box.received.push(payload),
    });
    clients.push(client);
    return { ...box, client };
  };

  /** A device on a plain WebSocket that sends `payloads` in the same breath as its registration. */
  const pipelined = (credentials: Credentials, payloads: readonly JsonObject[]): Inbox => {
    const box = inbox();
    const socket = new WebSocket(`${broker.url}/devices?apiKey=${encodeURIComponent(credentials.access_key)}`);
    sockets.push(socket);
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: 'register', deviceId: credentials.id }));
      for (const payload of payloads) socket.send(JSON.stringify({ type: 'message', payload }));
    };
    socket.onmessage = (event) => {
      const frame = JSON.parse(String(event.data)) as JsonObject;
      if (frame.type === 'message') box.received.push(frame.payload as JsonObject);
    };
    return box;
  };

  const isConnected = async (deviceId: string): Promise<string | undefined> => {
    const reply = await acme()('exodm:lookup-device-attributes', {
      'device-id': deviceId,
      attributes: ['is-connected'],
    });
    return (reply.result?.attributes as { val: string }[] | undefined)?.[0]?.val;
  };

  /** Disconnects `device` with its disconnect record held: its next connection waits behind it. */
  const disconnectHeld = async (client: DeviceClient): Promise<void> => {
    store.arm();
    client.close();
    await eventually(() => store.holding, 'the held disconnect');
  };

  /** Waits until the broker relayed `count` more device messages than `before` to the plugin. */
  const relayed = (before: number, count: number) =>
    eventually(() => t.server.broker.stats.published >= before + count, `${count} relayed messages`);

  beforeAll(async () => {
    t = await startServer({ driver: store.driver });
    broker = await serve(t.server.broker, { port: 0, hostname: '127.0.0.1' });
    await setUpAccount(t);
  });
  afterAll(async () => {
    store.release();
    for (const client of clients) client.close();
    for (const socket of sockets) socket.close();
    await broker.close();
    await t.close();
    await store.driver.close();
  });

  it('answers a package-inventory request sent in the same breath as the registration', async () => {
    const { credentials } = await registered(t, 'sn-breath', SENSOR_KEY);
    const device = pipelined(credentials!, [{ type: 'package-inventory', id: 'inv-1' }]);
    expect(await device.next((m) => m.id === 'inv-1', 'the inventory answer')).toEqual({
      type: 'package-inventory',
      id: 'inv-1',
      packages: [],
    });
  });

  it("applies the first ack after a reconnect whose setup waits behind the previous connection's disconnect", async () => {
    const { credentials } = await registered(t, 'sn-again', SENSOR_KEY);
    const first = connect(credentials!);
    await first.client.registered();
    const reply = await acme()('test:echo', { 'device-id': 'sn-again', text: 'held across a reconnect' });
    const transactionId = Number(reply.result?.['transaction-id']);
    expect(await first.next((m) => m.type === 'transaction', 'the transaction')).toMatchObject({ transactionId });
    await disconnectHeld(first.client);
    const second = connect(credentials!);
    await second.client.registered();
    const before = t.server.broker.stats.published;
    second.client.send({ type: 'ack', transactionId, attempt: 1, status: 'complete', result: { echoed: 'yes' } });
    await relayed(before, 1);
    store.release();
    expect(await second.next((m) => m.type === 'ack-result', 'the ack-result')).toEqual({
      type: 'ack-result',
      transactionId,
      attempt: 1,
      outcome: 'applied',
    });
    await eventually(async () => (await isConnected('sn-again')) === 'true', 'the connection recorded');
  });

  it('handles the messages that waited in the order they came', async () => {
    const { credentials } = await registered(t, 'sn-order', SENSOR_KEY);
    const first = connect(credentials!);
    await first.client.registered();
    await disconnectHeld(first.client);
    const second = connect(credentials!);
    await second.client.registered();
    const before = t.server.broker.stats.published;
    const ids = ['k-1', 'k-2', 'k-3', 'k-4'];
    for (const id of ids) second.client.send({ type: 'package-key', id });
    await relayed(before, ids.length);
    store.release();
    await eventually(() => second.received.filter((m) => m.type === 'package-key').length === ids.length, 'the keys');
    expect(second.received.filter((m) => m.type === 'package-key').map((m) => m.id)).toEqual(ids);
  });

  it('discards, with a debug log, what a device sent while a connection it closed was being set up', async () => {
    const { credentials } = await registered(t, 'sn-gone', SENSOR_KEY);
    const first = connect(credentials!);
    await first.client.registered();
    await disconnectHeld(first.client);
    const second = connect(credentials!);
    await second.client.registered();
    const before = t.server.broker.stats.published;
    second.client.send({ type: 'package-inventory', id: 'lost' });
    await relayed(before, 1);
    second.client.close();
    const dropped = () =>
      t.logs.records.filter(
        (r) => r.level === 'debug' && r.fields.deviceId === credentials!.id && r.message.includes('discarded'),
      );
    await eventually(() => dropped().length > 0, 'the debug log');
    expect(dropped()[0]!.fields).toMatchObject({ deviceId: credentials!.id, messages: 1 });
    store.release();
    await eventually(async () => (await isConnected('sn-gone')) === 'false', 'both disconnects recorded');
    // the device's next connection is served, and the discarded request is never answered
    const third = connect(credentials!);
    await third.client.registered();
    third.client.send({ type: 'package-inventory', id: 'kept' });
    expect(await third.next((m) => m.id === 'kept', 'the inventory answer')).toMatchObject({ packages: [] });
    expect([...second.received, ...third.received].some((m) => m.id === 'lost')).toBe(false);
  });
});
