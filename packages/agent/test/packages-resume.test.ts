import { ManualClock, SeededRandom } from '@fleetkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, type FetchFunction, Handlers, memoryStore } from '../src/index.ts';
import { agentFor, type TestAgent } from './agent-fixture.ts';
import {
  CHUNK,
  createPackage,
  expectNoRefetch,
  imageOf,
  must,
  packageStatus,
  rangeLog,
  recordingInstaller,
} from './package-fixture.ts';
import { startServer, type TestServer } from './server-fixture.ts';

const CHUNKS = 60;

/**
 * A link that cuts some image responses (chosen by `random`) at a chunk
 * boundary inside them: the bytes before the boundary arrive, then the
 * connection fails. A cut is a network failure or, at random too, a crash
 * of the device at that moment (`onCrash`).
 */
function cutting(
  fetchFunction: FetchFunction,
  plan: { random: SeededRandom; cuts: number; onCrash: () => void },
): FetchFunction & { made: { crash: boolean }[]; delivered: number[] } {
  const made: { crash: boolean }[] = [];
  const delivered: number[] = [];
  const cut: FetchFunction = async (input, init) => {
    const response = await fetchFunction(input, init);
    const range = /bytes=(\d+)-(\d+)/.exec(new Headers(init.headers).get('range') ?? '');
    if (range === null) return response;
    const first = Number(range[1]) / CHUNK;
    const end = Math.ceil((Number(range[2]) + 1) / CHUNK);
    if (made.length >= plan.cuts || plan.random.float() < 0.3) {
      for (let i = first; i < end; i++) delivered.push(i);
      return response;
    }
    const boundary = first + Math.floor(plan.random.float() * (end - first));
    const crash = plan.random.float() < 0.5;
    made.push({ crash });
    for (let i = first; i < boundary; i++) delivered.push(i);
    const bytes = new Uint8Array(await response.arrayBuffer()).subarray(0, (boundary - first) * CHUNK);
    let sent = bytes.length === 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(bytes);
          return;
        }
        if (crash) plan.onCrash();
        controller.error(new TypeError('link cut'));
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return Object.assign(cut, { made, delivered });
}

describe('a package transfer cut at random chunk boundaries resumes where it stopped', () => {
  let t: TestServer;
  const image = imageOf(CHUNKS * CHUNK - 300, 77);
  beforeAll(async () => {
    t = await startServer({ packages: { chunkSize: CHUNK }, devices: { rateBurst: 10_000, ratePerSecond: 10_000 } });
    await createPackage(t, 'cut-fw', image, { version: '3.0' });
  });
  afterAll(() => t.close());

  it.each([11, 29, 4242])('seed %i: network cuts and crashes, no chunk fetched twice', async (seed) => {
    const id = `cut-${seed}`;
    const store = memoryStore();
    const clock = new ManualClock();
    const installed: { name: string; bytes: Uint8Array }[] = [];
    const handlers = new Handlers().packageInstaller('cut-fw', recordingInstaller(installed));
    const logged = rangeLog(t.fetch);
    let finished!: () => void;
    const done = new Promise<void>((resolve) => {
      finished = resolve;
    });
    let agent: Agent;
    const start = (): TestAgent => {
      const made = agentFor(t, id, { store, handlers, clock, fetch: link, packageTransfer: { chunksPerRequest: 8 } });
      agent = made.agent;
      agent.onEvent((event) => {
        // backoff waits pass at once; the clock is the test's
        if (event.type === 'backoff') setTimeout(() => clock.advance(event.delayMs), 0);
        if (event.type === 'package' && event.status === 'installed') finished();
      });
      agent.start();
      return made;
    };
    const restarts: Promise<void>[] = [];
    const link = cutting(logged, {
      random: new SeededRandom(seed),
      cuts: 5,
      // power cut: the agent stops where it is, and a new one starts on the same store
      onCrash: () => {
        const down = agent;
        restarts.push(
          down.stop().then(() => {
            start();
          }),
        );
      },
    });
    const first = start();
    const wait = await first.events.next('waiting');
    await must(t, 'exodm:install-package', { 'package-name': 'cut-fw', targets: [id] });
    clock.advance(wait.delayMs);
    await done;
    await Promise.all(restarts);
    expect(link.made.length).toBeGreaterThan(0);
    expect(link.made.some((cut) => cut.crash)).toBe(true);
    expect(installed).toHaveLength(1);
    expect(installed[0]!.bytes).toEqual(image);
    expectNoRefetch(logged.requests);
    // every chunk arrived once: what came before a cut was kept, by the crashed agent too
    expect([...link.delivered].sort((a, b) => a - b)).toEqual([...Array(CHUNKS).keys()]);
    expect(await packageStatus(t, 'cut-fw', id)).toMatchObject({
      'package-status': 'installed',
      confirmed: true,
      'chunks-acknowledged': CHUNKS,
    });
    await agent!.stop();
  });
});
