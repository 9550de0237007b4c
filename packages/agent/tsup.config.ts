import { packageConfig } from '../../tsup.config.base.ts';

// the CLI is the `fleetkit-agent` bin, built beside the exported entries
export default packageConfig(import.meta.dirname, ['src/adapters/cli.ts']);
