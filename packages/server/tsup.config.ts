import type { Options } from 'tsup';
import { packageConfig } from '../../tsup.config.base.ts';

const config: Options = packageConfig(import.meta.dirname, []);
export default config;
