import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

// The portable packages' tests, run by the vitest CLI under Bun and Deno
// (docs/sources.md, Runtimes). Node-only tests are excluded: those
// named *.node.test.ts (child processes, PostgreSQL).
export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: ['packages/*/src/**/*.test.ts'],
      exclude: ['**/node_modules/**', '**/*.node.test.ts'],
      globalSetup: [],
    },
  }),
);
