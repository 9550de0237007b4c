// Gives the PostgreSQL tests a server: FLEETKIT_PG_URL when set (CI starts
// one), else a scratch cluster when PostgreSQL is installed. When neither is
// possible the tests decide: they fail under CI and skip with a notice elsewhere.
import { startScratchPostgres } from './postgres.ts';

export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env.FLEETKIT_PG_URL) return undefined;
  try {
    const pg = await startScratchPostgres();
    process.env.FLEETKIT_PG_URL = pg.url;
    return () => pg.stop();
  } catch (error) {
    process.env.FLEETKIT_PG_UNAVAILABLE = error instanceof Error ? error.message : String(error);
    return undefined;
  }
}
