import { packageConfig } from '../../tsup.config.base.ts';

// vitest is the test runner of the `./testing` entry's user, never bundled
export default { ...packageConfig(import.meta.dirname), external: ['vitest'] };
