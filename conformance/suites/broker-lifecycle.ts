import { checks } from '../broker/checks.ts';
import { CheckContext, type Target } from '../broker/context.ts';
import { Skip } from '../runner/check.ts';
import type { Suite } from '../runner/suite.ts';

/**
 * The broker suite (conformance/broker, document 002's connection
 * lifecycle and docs/broker.md) in the same runner: it needs a broker that
 * takes shared device and control keys, given with --broker-url and its keys.
 */
export const brokerLifecycle: Suite = {
  name: 'broker-lifecycle',
  title: 'broker connection lifecycle (002)',
  async plan(env) {
    const broker = env.broker;
    if (broker === undefined) {
      throw new Skip(
        'no broker given: pass --broker-url with --broker-device-key and --broker-control-key (a broker that takes shared keys)',
      );
    }
    const target: Target = {
      url: broker.url,
      deviceKey: broker.deviceKey,
      controlKey: broker.controlKey,
      heartbeatMs: broker.heartbeatMs,
      timeoutMs: env.waitMs,
      ...(broker.restartCommand === undefined ? {} : { restartCommand: broker.restartCommand }),
      ...(broker.shutdownCommand === undefined ? {} : { shutdownCommand: broker.shutdownCommand }),
    };
    return {
      checks: checks.map((check, index) => ({
        name: check.name,
        async run() {
          // device ids carry the run and the check, so the suite can share a broker with real devices
          const ctx = new CheckContext(target, `${env.run}-${index + 1}`);
          try {
            await check.run(ctx);
          } finally {
            await ctx.dispose();
          }
        },
      })),
    };
  },
};
