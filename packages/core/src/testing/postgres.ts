import { describe } from 'vitest';

/**
 * The PostgreSQL server tests use: `FLEETKIT_PG_URL`, which CI sets and the
 * workspace's vitest global set-up fills with a scratch cluster.
 */
export function postgresTestUrl(): string | undefined {
  return process.env.FLEETKIT_PG_URL || undefined;
}

/**
 * `describe` for tests that need PostgreSQL. Without a server they fail under
 * CI (`CI` set) and are skipped with a notice elsewhere, so a missing server
 * can never pass CI silently.
 */
export function describeWithPostgres(name: string, body: (url: string) => void): void {
  const url = postgresTestUrl();
  if (url) {
    describe(name, () => body(url));
    return;
  }
  const why = process.env.FLEETKIT_PG_UNAVAILABLE ?? 'FLEETKIT_PG_URL is not set';
  if (process.env.CI) {
    describe(name, () => {
      throw new Error(`PostgreSQL is required under CI but unavailable: ${why}`);
    });
  } else {
    console.warn(`[fleetkit] skipping "${name}": PostgreSQL unavailable (${why})`);
    describe.skip(name, () => body(''));
  }
}
