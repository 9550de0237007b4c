// A small fleet of simulated devices for the process-level tests: each one
// registers with a provisioning key and then calls the HTTP device API
// (plugin fleetkit-http, docs/server.md) as a device agent would — take the
// current command, carry it out, report it done — over real HTTP, retrying a
// call the network cut off. Test-only: the real agent is another package's.

/** The answer to one device call. */
export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** A command as `GET /v1/devices/{id}/command` answers it. */
export interface Command {
  readonly id: string;
  readonly name: string;
  readonly parameters: Record<string, unknown>;
}

/** Longest wait for one HTTP exchange before it counts as cut off. */
const CALL_TIMEOUT_MS = 15_000;
/** Pause before calling again after the network failed (the server may be restarting). */
const RETRY_MS = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One HTTP exchange with a JSON answer; throws when the network fails or the deadline passes. */
export async function exchange(
  url: string,
  init: { readonly method: 'GET' | 'POST'; readonly headers?: Record<string, string>; readonly body?: unknown },
): Promise<Reply> {
  const response = await fetch(url, {
    method: init.method,
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** One simulated device: its id, its credentials once registered, the server URLs it may call. */
export class SimDevice {
  readonly deviceId: string;
  /** Base URLs of the servers this device calls, in turn (one, or several processes of one fleet). */
  readonly hubs: readonly string[];
  publicId = '';
  accessKey = '';
  #turn = 0;

  constructor(deviceId: string, hubs: readonly string[]) {
    this.deviceId = deviceId;
    this.hubs = hubs;
  }

  /** The next hub in turn: a device alternates between the processes serving it. */
  nextHub(): string {
    return this.hubs[this.#turn++ % this.hubs.length]!;
  }

  /** `POST /v1/devices` with the type's provisioning key; keeps the id and access key. */
  async register(account: string, provisioningKey: string): Promise<Reply> {
    const reply = await exchange(new URL('v1/devices', this.nextHub()).toString(), {
      method: 'POST',
      body: { account, device_id: this.deviceId, provisioning_key: provisioningKey },
    });
    if (reply.status === 200) {
      this.publicId = String(reply.body.id);
      this.accessKey = String(reply.body.access_key);
    }
    return reply;
  }

  /** A call with the access key at `/v1/devices/{id}/{path}` of `hub` (default: the next in turn). */
  call(method: 'GET' | 'POST', path: string, body?: unknown, hub: string = this.nextHub()): Promise<Reply> {
    return exchange(new URL(`v1/devices/${encodeURIComponent(this.publicId)}/${path}`, hub).toString(), {
      method,
      headers: { authorization: this.accessKey },
      ...(body === undefined ? {} : { body }),
    });
  }
}

/** What one device did with one command. */
export interface Handled {
  readonly deviceId: string;
  /** `<transaction>.<attempt>` as the server handed it out. */
  readonly commandId: string;
  /**
   * How the `done` report was answered: 200 `done` (applied, or an identical
   * repeat of an applied one, which changes nothing), or 409 `already-final`.
   */
  readonly answer: 'done' | 'already-final';
  /** The report was sent again because the network cut an earlier try off. */
  readonly repeated: boolean;
}

/** Options of {@link Fleet}. */
export interface FleetOptions {
  /** Pause between polls while no command waits. */
  readonly pollMs?: number;
  /** Ask every hub at once for the current command (scale-out: both must name the same delivery). */
  readonly raceCallIns?: boolean;
  /** Commands each device carries out before its loop ends; default: it runs until {@link Fleet.stop}. */
  readonly commandsEach?: number;
  /** The `result` a device reports for a command; default `{ done: <its name> }`. */
  readonly result?: (command: Command) => Record<string, unknown>;
}

/**
 * Runs devices: each polls `GET …/command`, reports the command `done`
 * under the command id it was given, and polls again. A call the network
 * cut off (a killed server) is repeated until some server answers it, so a
 * report may reach the server twice: the second is refused `already-final`.
 */
export class Fleet {
  readonly devices: readonly SimDevice[];
  /** Every command handled, in the order the reports were answered. */
  readonly handled: Handled[] = [];
  /** Answers no device expects (each a line of text): a test asserts there are none. */
  readonly unexpected: string[] = [];
  /** Call-ins answered by several hubs at once that named different deliveries (raceCallIns). */
  readonly splitDeliveries: string[] = [];
  networkErrors = 0;
  rateLimited = 0;
  readonly #options: FleetOptions;
  #stopped = false;
  #running: Promise<void> | undefined;

  constructor(devices: readonly SimDevice[], options: FleetOptions = {}) {
    this.devices = devices;
    this.#options = options;
  }

  /** Starts every device's loop. */
  start(): void {
    this.#running ??= Promise.all(this.devices.map((device) => this.#run(device))).then(() => undefined);
  }

  /** Resolves when every device's loop has ended (`commandsEach` carried out, or stopped). */
  async finished(): Promise<void> {
    await this.#running;
  }

  /** Stops the loops after the call each one is in, and waits for them. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  /** Repeats `call` until the network carries it (or the fleet stops: undefined); `cut` hears of each failed try. */
  async #carried(call: () => Promise<Reply>, cut?: () => void): Promise<Reply | undefined> {
    while (!this.#stopped) {
      try {
        return await call();
      } catch {
        this.networkErrors++;
        cut?.();
        await sleep(RETRY_MS);
      }
    }
    return undefined;
  }

  async #callIn(device: SimDevice): Promise<Reply | undefined> {
    if (this.#options.raceCallIns !== true || device.hubs.length < 2) {
      return this.#carried(() => device.call('GET', 'command'));
    }
    const replies = await Promise.all(
      device.hubs.map((hub) => this.#carried(() => device.call('GET', 'command', undefined, hub))),
    );
    const ids = new Set(replies.filter((r) => r?.status === 200).map((r) => String(r!.body.id)));
    if (ids.size > 1) this.splitDeliveries.push(`${device.deviceId}: ${[...ids].join(' and ')}`);
    return replies.find((r) => r?.status === 200) ?? replies[0];
  }

  async #run(device: SimDevice): Promise<void> {
    const pollMs = this.#options.pollMs ?? 200;
    let carried = 0;
    while (!this.#stopped && carried < (this.#options.commandsEach ?? Number.POSITIVE_INFINITY)) {
      const got = await this.#callIn(device);
      if (got === undefined) return;
      if (got.status === 404) {
        await sleep(pollMs);
        continue;
      }
      if (got.status === 429) {
        this.rateLimited++;
        await sleep(Number(got.body.retry_after_ms ?? pollMs));
        continue;
      }
      if (got.status !== 200) {
        this.unexpected.push(`${device.deviceId} GET command: ${got.status} ${JSON.stringify(got.body)}`);
        await sleep(pollMs);
        continue;
      }
      await this.#report(device, got.body as unknown as Command);
      carried++;
    }
  }

  /** Reports a command done, again after a cut-off call or a 429, until the server answers it. */
  async #report(device: SimDevice, command: Command): Promise<void> {
    const result = this.#options.result?.(command) ?? { done: command.name };
    let repeated = false;
    const cut = (): void => {
      repeated = true;
    };
    for (;;) {
      const report = () => device.call('POST', 'command', { id: command.id, status: 'done', result });
      const reply = await this.#carried(report, cut);
      if (reply === undefined) return;
      if (reply.status === 429) {
        this.rateLimited++;
        await sleep(Number(reply.body.retry_after_ms ?? 100));
        continue;
      }
      const handled = { deviceId: device.deviceId, commandId: command.id, repeated };
      if (reply.status === 200 && reply.body.status === 'done') {
        this.handled.push({ ...handled, answer: 'done' });
      } else if (reply.status === 409 && reply.body.error === 'already-final') {
        this.handled.push({ ...handled, answer: 'already-final' });
      } else {
        this.unexpected.push(`${device.deviceId} done ${command.id}: ${reply.status} ${JSON.stringify(reply.body)}`);
      }
      return;
    }
  }
}

/** Registers `ids` (up to `concurrency` at once), each repeated until a server answers; any refusal throws. */
export async function registerFleet(
  ids: readonly string[],
  options: {
    readonly hubs: readonly string[];
    readonly account: string;
    readonly provisioningKey: string;
    readonly concurrency?: number;
  },
): Promise<SimDevice[]> {
  const devices = ids.map((id) => new SimDevice(id, options.hubs));
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < devices.length; i = next++) {
      const device = devices[i]!;
      for (;;) {
        let reply: Reply;
        try {
          reply = await device.register(options.account, options.provisioningKey);
        } catch {
          await sleep(RETRY_MS);
          continue;
        }
        if (reply.status !== 200) {
          throw new Error(`registering ${device.deviceId}: ${reply.status} ${JSON.stringify(reply.body)}`);
        }
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return devices;
}
