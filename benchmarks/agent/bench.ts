import { type ChildProcess, fork } from 'node:child_process';
import { type AuthData, httpTransport, type Session, simulateFleet } from '@fleetkit/agent';
import { alternateBest } from '../harness/alternate.ts';
import { settleHeap } from '../harness/heap.ts';
import { defineSuite, hz, type MeasuredCase } from '../harness/suite.ts';
import { PROVISIONING_KEY } from './key.ts';

/** Idle agents held at once (the 10,000; FLEETKIT_BENCH_AGENTS sets fewer on a busy machine). */
const AGENTS = Number(process.env.FLEETKIT_BENCH_AGENTS ?? 10_000);
/** The goal: at most 20 KiB of heap per idle agent. */
const GOAL_BYTES_PER_AGENT = 20 * 1024;
const MIB = 1024 * 1024;

let child: ChildProcess;
let url: string;
let run = 0;

/** One registered device for the round trip: its auth data, its session, the bare request beside it. */
interface RoundTrip {
  readonly session: Session;
  readonly auth: AuthData;
  readonly signal: AbortSignal;
}
let roundTrip: RoundTrip;
const REPORT = { status: 'online', telemetries: { temperature: 21.5, humidity: 40 } };

function startServer(): Promise<string> {
  child = fork(new URL('./server.ts', import.meta.url), [], {
    execArgv: ['--conditions=source'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the benchmark server exited (${code})`)));
    child.once('message', (message) => resolve((message as { url: string }).url));
  });
}

/** Heap per idle agent: N agents registered and waiting for their next beat, (heap after − heap before) / N. */
function idleAgents(): MeasuredCase {
  return {
    name: `idle agents held per MiB of heap (${AGENTS.toLocaleString('en')} agents)`,
    peer: `the goal: ${GOAL_BYTES_PER_AGENT / 1024} KiB per idle agent`,
    reference: 'goal',
    goal: 1,
    async measure() {
      run++;
      settleHeap();
      const before = process.memoryUsage().heapUsed;
      const started = performance.now();
      const fleet = simulateFleet({
        count: AGENTS,
        url,
        registration: (index) => ({
          account: 'acme',
          provisioningKey: PROVISIONING_KEY,
          deviceId: `idle-${run}-${index}`,
        }),
        // idle: one beat after registering, then nothing within the measurement
        timing: { telemetryInterval: 3_600_000 },
        startSpreadMs: AGENTS / 2,
      });
      await fleet.until((counts) => counts.telemetry >= AGENTS);
      const registeredMs = performance.now() - started;
      settleHeap();
      const perAgent = (process.memoryUsage().heapUsed - before) / AGENTS;
      // CPU of one beat on the agents' side: every agent reports at once, once
      const cpuBefore = process.cpuUsage();
      for (const device of fleet.devices) device.agent.reportNow();
      await fleet.until((counts) => counts.telemetry >= 2 * AGENTS);
      const cpu = process.cpuUsage(cpuBefore);
      const cpuPerBeat = (cpu.user + cpu.system) / AGENTS;
      console.log(
        `    ${AGENTS} agents registered and idle after ${(registeredMs / 1000).toFixed(1)} s: ${Math.round(perAgent)} B of heap each; CPU per telemetry beat (agent side) ${cpuPerBeat.toFixed(0)} µs`,
      );
      await fleet.stop();
      return { ours_hz: MIB / perAgent, peer_hz: MIB / GOAL_BYTES_PER_AGENT };
    },
  };
}

/** Sequential telemetry calls per run of each side. */
const CALLS = 1_000;

/** Calls per second of `call` made one after another, `CALLS` times. */
async function sequentialRate(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < CALLS; index++) await call();
  return hz(CALLS, started, performance.now());
}

/** The agent's telemetry call beside the same POST made with bare fetch, one at a time. */
function telemetryRoundTrip(): MeasuredCase {
  const { session, auth, signal } = roundTrip;
  const target = `${auth.hubUrl}/v1/devices/${encodeURIComponent(auth.id)}/telemetry`;
  const bare = async (): Promise<void> => {
    const response = await fetch(target, {
      method: 'POST',
      headers: { authorization: auth.accessKey, 'content-type': 'application/json' },
      body: JSON.stringify(REPORT),
    });
    const body = (await response.json()) as { command?: unknown };
    if (response.status !== 200 || body.command === undefined) throw new Error(`telemetry answered ${response.status}`);
  };
  return {
    name: `telemetry round trip, ${CALLS} sequential calls (calls/s)`,
    peer: 'bare fetch of the same POST',
    goal: 0.9,
    // both sides the same number of times, alternating: the loaded machine's noise hits them alike
    measure: () =>
      alternateBest(
        { warmups: 1, rounds: 7 },
        () => sequentialRate(() => session.telemetry(REPORT, signal)),
        () => sequentialRate(bare),
      ),
  };
}

export default defineSuite({
  name: 'agent',
  description: `@fleetkit/agent against the fleetkit server (SQLite, in a child process) over HTTP on Node: heap held per idle agent with ${AGENTS.toLocaleString('en')} simulated agents registered (agents per MiB beside the issue's 20 KiB goal; CPU per telemetry beat printed), and the agent transport's telemetry round trip beside the same request made with bare \`fetch\`.`,
  async setup() {
    url = await startServer();
    const transport = httpTransport({ url });
    const signal = new AbortController().signal;
    const auth = await transport.register(
      { account: 'acme', provisioningKey: PROVISIONING_KEY, deviceId: 'round-trip' },
      signal,
    );
    roundTrip = { session: transport.open(auth, { onWork: () => {} }), auth, signal };
    return undefined;
  },
  cases: () => [telemetryRoundTrip(), idleAgents()],
  async teardown() {
    child.removeAllListeners('exit');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.disconnect();
    await exited;
  },
});
