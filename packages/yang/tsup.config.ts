import { packageConfig } from '../../tsup.config.base.ts';

export default packageConfig(import.meta.dirname, ['src/adapters/node-cli.ts', 'src/pool/task.ts']);
