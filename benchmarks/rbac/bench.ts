import type { Rbac } from '@fleetkit/rbac';
import type { CachedEnforcer, Enforcer } from 'casbin';
import { defineSuite, hz } from '../harness/suite.ts';
import { loadCachedCasbin, loadCasbin, loadFloor, loadNestedFloor, loadOurs } from './engines.ts';
import { makePolicy, type Request } from './policy.ts';

const policy = makePolicy();
const requests = policy.requests;
const MASK = requests.length - 1; // 4,096 requests
let ours: Rbac;
let casbin: Enforcer;
let cached: CachedEnforcer;
let floor: (q: Request) => boolean;
let nestedFloor: (q: Request) => boolean;
let sink = 0;

/** Checks per second of a synchronous checker, over at least `ms` of whole passes through the stream. */
function syncRate(check: (q: Request) => boolean, ms: number): number {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 16_384; i++) if (check(requests[(n + i) & MASK]!)) sink++;
    n += 16_384;
    now = performance.now();
  }
  return hz(n, start, now);
}

async function asyncRate(check: (q: Request) => Promise<boolean>, ms: number): Promise<number> {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 256; i++) if (await check(requests[(n + i) & MASK]!)) sink++;
    n += 256;
    now = performance.now();
  }
  return hz(n, start, now);
}

const canCheck = (q: Request): boolean => ours.can(q).allowed;
const act = (q: Request): string => q.package ?? 'exodm';

/** Best of two alternating runs per side, so machine noise hits both alike. */
async function alternate(
  a: () => number | Promise<number>,
  b: () => number | Promise<number>,
): Promise<{ ours_hz: number; peer_hz: number }> {
  const o1 = await a();
  const p1 = await b();
  const o2 = await a();
  const p2 = await b();
  return { ours_hz: Math.max(o1, o2), peer_hz: Math.max(p1, p2) };
}

export default defineSuite({
  name: 'rbac',
  description:
    '`can()` of `@fleetkit/rbac` beside node-casbin 5 (RBAC with domains) and a bare Map/Set floor, checks/s: 50 users × 10 accounts × 6 roles × the 46 Table 2 methods plus package RPC grants, 4,096 requests (70% built-in, 30% package RPCs).',
  async setup() {
    [ours, casbin, cached] = await Promise.all([loadOurs(policy), loadCasbin(policy), loadCachedCasbin(policy)]);
    floor = loadFloor(policy);
    nestedFloor = loadNestedFloor(policy);
    // every engine must give the same answer to every request before any is timed
    let allowed = 0;
    for (const q of requests) {
      const expected = floor(q);
      const got = [
        canCheck(q),
        nestedFloor(q),
        casbin.enforceSync(q.user, q.account, q.method, act(q)),
        await cached.enforce(q.user, q.account, q.method, act(q)),
      ];
      if (got.some((g) => g !== expected))
        throw new Error(
          `engines disagree on ${JSON.stringify(q)}: floor ${expected}, ours/nested floor/casbin/cached ${got}`,
        );
      if (expected) allowed++;
    }
    console.log(
      `policy agrees on all ${requests.length} requests (${((100 * allowed) / requests.length).toFixed(0)}% allowed)`,
    );
    return undefined;
  },
  cases: () => [
    {
      name: 'can() vs casbin CachedEnforcer (hot cache)',
      peer: 'casbin 5 CachedEnforcer.enforce',
      goal: 10,
      measure: () =>
        alternate(
          () => syncRate(canCheck, 1000),
          () => asyncRate((q) => cached.enforce(q.user, q.account, q.method, act(q)), 1000),
        ),
    },
    {
      name: 'can() vs casbin enforceSync',
      peer: 'casbin 5 enforceSync',
      measure: () =>
        alternate(
          () => syncRate(canCheck, 1000),
          () => syncRate((q) => casbin.enforceSync(q.user, q.account, q.method, act(q)), 1000),
        ),
    },
    {
      name: 'can() vs bare Map/Set lookup floor',
      peer: 'Map<user|account, Set<method>>',
      goal: 0.5,
      measure: () =>
        alternate(
          () => syncRate(canCheck, 1000),
          () => syncRate(floor, 1000),
        ),
    },
    {
      name: 'can() vs nested Map/Set floor (no key building)',
      peer: 'Map<user, Map<account, Set<method>>>',
      goal: 0.5,
      measure: () =>
        alternate(
          () => syncRate(canCheck, 1000),
          () => syncRate(nestedFloor, 1000),
        ),
    },
  ],
  async teardown() {
    if (sink < 0) console.log(sink);
  },
});
