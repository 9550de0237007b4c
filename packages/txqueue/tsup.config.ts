import { packageConfig } from '../../tsup.config.base.ts';

// vitest is for `./testing` users, who have it; never bundle it
export default { ...packageConfig(import.meta.dirname, []), external: ['vitest'] };
