// Test support: an engine on an in-memory SQLite store with fast hashes and
// a seeded random, so tests are deterministic and quick.
import { memoryLogger, SeededRandom } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import type { RbacOptions } from '../src/options.ts';
import { openRbac, type Rbac } from '../src/rbac.ts';

export async function openTestRbac(
  options: Partial<RbacOptions> = {},
): Promise<Rbac & { readonly logger: ReturnType<typeof memoryLogger> }> {
  const logger = memoryLogger();
  const rbac = await openRbac({
    driver: openSqlite({ path: ':memory:' }),
    random: new SeededRandom(7),
    logger,
    insecureTestPasswordIterations: 1000,
    ...options,
  });
  return Object.assign(rbac, { logger });
}
