import { describe, expect, it } from 'vitest';
import { METHOD_ALIASES, TABLE_2 } from './matrix.ts';
import { buildMethodIndex } from './methods.ts';
import { roleMask } from './roles.ts';

describe('method index', () => {
  const index = buildMethodIndex();

  it('resolves each documented alias to its canonical method and roles', () => {
    expect(index.canonical('exodm:add-role-execution-rights')).toBe('exodm:add-role-execution-permission');
    expect(index.canonical('exodm:add-execution-permission')).toBe('exodm:add-role-execution-permission');
    expect(index.canonical('exodm:remove-user-to-account')).toBe('exodm:remove-user-from-account');
    expect(index.canonical('exodm:list-user')).toBe('exodm:list-users');
    expect(index.canonical('exodm: remove-config-set-members')).toBe('exodm:remove-config-set-members');
    for (const [alias, target] of Object.entries(METHOD_ALIASES)) expect(index.mask(alias)).toBe(index.mask(target));
  });

  it('resolves a bare name to the exodm method, like the real server', () => {
    expect(index.canonical('list-devices')).toBe('exodm:list-devices');
    expect(index.canonical('add-execution-permission')).toBe('exodm:add-role-execution-permission');
    expect(index.mask('create-account')).toBe(roleMask(['master']));
  });

  it('knows nothing of package RPCs or unlisted methods', () => {
    expect(index.mask('fleet:locate')).toBeUndefined();
    expect(index.mask('exodm:lookup-user')).toBeUndefined();
    expect(index.canonical('exodm:no-such-method')).toBeUndefined();
  });

  it('takes a custom matrix that extends Table 2', () => {
    const custom = buildMethodIndex([...TABLE_2, { method: 'exodm:lookup-user', roles: ['admin', 'view'] }]);
    expect(custom.mask('lookup-user')).toBe(roleMask(['admin', 'view']));
  });

  it('rejects a row with an unknown role, a duplicate row, or an alias to nothing, naming the place', () => {
    expect(() => buildMethodIndex([{ method: 'exodm:x', roles: ['root' as never] }])).toThrow(
      expect.objectContaining({
        code: 'validation-failed',
        details: expect.objectContaining({ path: 'methods[0].roles', got: 'root' }),
      }),
    );
    const dup = { method: 'exodm:x', roles: ['admin'] } as const;
    expect(() => buildMethodIndex([dup, dup], {})).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'methods[1].method' }) }),
    );
    expect(() => buildMethodIndex([dup], { 'exodm:y': 'exodm:z' })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'aliases["exodm:y"]', got: 'exodm:z' }) }),
    );
  });
});
