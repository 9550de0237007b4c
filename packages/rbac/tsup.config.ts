import type { Options } from 'tsup';
import { packageConfig } from '../../tsup.config.base.ts';

// vitest is the test runner of the `./testing` entry's user, never bundled
const config: Options = { ...packageConfig(import.meta.dirname), external: ['vitest'] };
export default config;
