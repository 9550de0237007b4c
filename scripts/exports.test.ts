// hono's build/validate-exports idea: every package's exports map must point
// at sources that exist and at the dist files tsup makes from them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const packagesDir = join(import.meta.dirname, '..', 'packages');

interface Target {
  readonly source?: string;
  readonly types?: string;
  readonly default?: string;
}

/**
 * An entry of committed JavaScript that runs without a build (core's bin
 * launcher, which a checkout's bin runs before anything is built): a `.js`
 * outside `src/` and `dist/`, typed by the `.d.ts` beside it.
 */
function unbuilt(target: Target): boolean {
  const file = target.default ?? '';
  return /^\.\/(?!src\/|dist\/)[\w/-]+\.js$/.test(file) && target.types === file.replace(/\.js$/, '.d.ts');
}

const packages = readdirSync(packagesDir).filter((d) => existsSync(join(packagesDir, d, 'src', 'index.ts')));

describe.each(packages)('exports map of @fleetkit/%s', (name) => {
  const dir = join(packagesDir, name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    type: string;
    sideEffects: boolean;
    exports: Record<string, Target | string>;
  };

  it('has committed JavaScript, not a build, behind every entry without a source', () => {
    for (const [key, target] of Object.entries(pkg.exports)) {
      const t = target as Target;
      if (key === './package.json' || t.source !== undefined) continue;
      expect(unbuilt(t), `${key} has no source: it must be a committed .js with its .d.ts`).toBe(true);
      expect(existsSync(join(dir, t.default!)), `${key} → ${t.default}`).toBe(true);
      expect(existsSync(join(dir, t.types!)), `${key} → ${t.types}`).toBe(true);
    }
  });

  it('is an ESM package without side effects named after its folder', () => {
    expect(pkg.name).toBe(`@fleetkit/${name}`);
    expect(pkg.type).toBe('module');
    expect(pkg.sideEffects).toBe(false);
    expect(existsSync(join(dir, 'tsup.config.ts'))).toBe(true);
  });

  it('maps each entry to an existing source and the dist files built from it', () => {
    expect(pkg.exports['.']).toBeDefined();
    expect(pkg.exports['./package.json']).toBe('./package.json');
    for (const [key, target] of Object.entries(pkg.exports)) {
      if (key === './package.json') continue;
      const t = target as Target;
      if (t.source === undefined && unbuilt(t)) continue;
      expect(t.source, key).toMatch(/^\.\/src\/.+\.ts$/);
      expect(existsSync(join(dir, t.source!)), `${key} → ${t.source}`).toBe(true);
      const stem = t.source!.slice('./src/'.length, -'.ts'.length);
      expect(t.types, key).toBe(`./dist/${stem}.d.ts`);
      expect(t.default, key).toBe(`./dist/${stem}.js`);
      if (existsSync(join(dir, 'dist'))) {
        expect(existsSync(join(dir, t.default!)), `${key} built`).toBe(true);
        expect(existsSync(join(dir, t.types!)), `${key} declarations built`).toBe(true);
      }
    }
  });
});
