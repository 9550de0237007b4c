import { describe, expect, it } from 'vitest';
import type { Command } from '../types.ts';
import { isPackageCommand, isRelativePath, packageJobOf } from './package-command.ts';

const command = (name: string, parameters: Record<string, unknown>): Command => ({
  id: '7.1',
  name,
  parameters,
  status: 'pending',
  cancel: false,
});

describe('reading a package command', () => {
  it('takes the tags of package transactions as package commands, and nothing else', () => {
    expect(isPackageCommand(command('exodm:install-package', {}))).toBe(true);
    expect(isPackageCommand(command('exodm:push-package', {}))).toBe(true);
    expect(isPackageCommand(command('exodm:configure', {}))).toBe(false);
    expect(isPackageCommand(command('toString', {}))).toBe(false);
  });

  it("reads the operation, the package, its paths and an upgrade's old package", () => {
    const job = packageJobOf(
      command('exodm:upgrade-package', {
        operation: 'upgrade',
        'package-name': 'fw 2',
        version: '2.0',
        root: 'ABCD',
        'from-package': 'fw-1',
        'from-version': '1.0',
        values: { level: 3 },
        arguments: ['--fast'],
      }),
    );
    expect(job).toMatchObject({
      operation: 'upgrade',
      name: 'fw 2',
      version: '2.0',
      root: 'abcd',
      manifest: 'packages/fw%202/manifest',
      image: 'packages/fw%202/image',
      acknowledge: 'packages/fw%202/chunks',
      report: 'packages/fw%202/status',
      from: { name: 'fw-1', version: '1.0' },
      values: { level: 3 },
      arguments: ['--fast'],
      asDependency: false,
    });
  });

  it("says why it cannot read one: no package, a path that leaves the device's URL", () => {
    expect(packageJobOf(command('exodm:install-package', { version: '1' }))).toBe(
      'the command names no package-name and version',
    );
    expect(
      packageJobOf(command('exodm:install-package', { 'package-name': 'a', version: '1', image: '../../x/image' })),
    ).toMatch(/^image is not a path below the device's URL/);
  });

  it('accepts only paths of URL-safe segments below the base', () => {
    expect(isRelativePath('packages/fw%201/image')).toBe(true);
    for (const path of ['/packages/x', 'https://evil/x', 'a/../b', 'a//b', '.', 'a?b=1', 7]) {
      expect(isRelativePath(path), String(path)).toBe(false);
    }
  });
});
