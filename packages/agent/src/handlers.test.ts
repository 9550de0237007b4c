import { describe, expect, it } from 'vitest';
import { Handlers } from './handlers.ts';

describe('Handlers', () => {
  it('finds a command handler by name, else the "*" handler, else none', () => {
    const exact = () => 'exact';
    const any = () => 'any';
    const handlers = new Handlers().command('m:beep', exact);
    expect(handlers.commandHandler('m:beep')?.execute).toBe(exact);
    expect(handlers.commandHandler('m:other')).toBeUndefined();
    handlers.command('*', { execute: any, finish: any });
    expect(handlers.commandHandler('m:other')).toEqual({ execute: any, finish: any });
    expect(handlers.commandHandler('m:beep')?.execute).toBe(exact);
  });

  it('holds one configuration applier and one licence applier, the last registered', () => {
    const first = () => {};
    const second = () => {};
    const handlers = new Handlers().config(first).config(second).license(first);
    expect(handlers.configApplier).toBe(second);
    expect(handlers.licenseApplier).toBe(first);
    expect(new Handlers().configApplier).toBeUndefined();
  });

  it('refuses a handler without a name', () => {
    expect(() => new Handlers().command('', () => {})).toThrow(expect.objectContaining({ code: 'invalid-option' }));
  });

  it('finds a package installer by package name, else the "*" installer, and tells exact command handlers apart', () => {
    const install = () => undefined;
    const any = { install: () => ({ reboot: true }) };
    const handlers = new Handlers().packageInstaller('fw', install);
    expect(handlers.installerOf('fw')).toEqual({ install });
    expect(handlers.installerOf('lib')).toBeUndefined();
    handlers.packageInstaller('*', any).command('*', () => {});
    expect(handlers.installerOf('lib')).toBe(any);
    expect(handlers.hasOwnCommand('exodm:install-package')).toBe(false);
    handlers.command('exodm:install-package', () => {});
    expect(handlers.hasOwnCommand('exodm:install-package')).toBe(true);
    const inventory = () => [];
    expect(handlers.packageInventory(inventory).inventory).toBe(inventory);
  });

  it('refuses an installer without a name or without install', () => {
    expect(() => new Handlers().packageInstaller('', () => undefined)).toThrow(
      expect.objectContaining({ code: 'invalid-option' }),
    );
    expect(() => new Handlers().packageInstaller('fw', {} as never)).toThrow(
      expect.objectContaining({
        code: 'invalid-option',
        details: expect.objectContaining({ path: 'installer.install' }),
      }),
    );
  });
});
