import type { Options } from 'tsup';
import { packageConfig } from '../../tsup.config.base.ts';

// vitest is for `./testing` users, who have it; never bundle it
const config: Options = { ...packageConfig(import.meta.dirname, []), external: ['vitest'] };
export default config;
