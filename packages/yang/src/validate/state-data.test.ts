import { describe, expect, it } from 'vitest';
import { compileSchema } from '../compiler/compile.ts';
import { ModuleRepository } from '../resolver.ts';
import type { ValidationResult } from './run.ts';
import { validatorFor } from './validator.ts';

const text = `module s {
  yang-version 1.1; namespace "urn:s"; prefix s;
  container top {
    list stat {
      config false;
      key "id";
      leaf id { type uint8; }
      leaf-list sample { type uint8; must ". != 9"; max-elements 3; }
    }
    list event {
      config false;
      leaf code { type uint8 { range "1..100"; } }
      leaf text { type string; must "../code != 7"; }
    }
  }
  rpc go { input { list step { leaf arg { type uint8 { range "0..9"; } } } } }
}`;

const repo = new ModuleRepository();
repo.add(text, 's.yang');
const schema = compileSchema(repo, ['s']);
const found = (r: ValidationResult): string[] => r.issues.map((i) => `${i.kind} ${i.path}`);

for (const fast of [true, false]) {
  const v = validatorFor(schema, fast);
  const data = (top: Record<string, unknown>): string[] => found(v.validateData({ 's:top': top }));

  describe(`state data (${fast ? 'fast paths' : 'generic'})`, () => {
    it('refuses two entries of a config false list with one key: keys identify entries in state data too', () => {
      expect(data({ stat: [{ id: 1 }, { id: 2 }] })).toEqual([]);
      expect(data({ stat: [{ id: 1 }, { id: 1 }] })).toEqual(["duplicate /s:top/stat[id='1']"]);
    });

    it('lets a state leaf-list repeat a value, and names its entries by position', () => {
      expect(data({ stat: [{ id: 1, sample: [3, 3] }] })).toEqual([]);
      expect(data({ stat: [{ id: 1, sample: [3, 9] }] })).toEqual(["must /s:top/stat[id='1']/sample[2]"]);
      expect(data({ stat: [{ id: 1, sample: [1, 2, 3, 4] }] })).toEqual(["max-elements /s:top/stat[id='1']/sample[4]"]);
    });

    it('names an entry of a list without keys by its position', () => {
      expect(data({ event: [{ code: 1 }, { code: 200 }, { code: 300 }] })).toEqual([
        'range /s:top/event[2]/code',
        'range /s:top/event[3]/code',
      ]);
      expect(
        data({
          event: [
            { code: 1, text: 'a' },
            { code: 7, text: 'b' },
          ],
        }),
      ).toEqual(['must /s:top/event[2]/text']);
      expect(found(v.validateRpcInput('s:go', { step: [{ arg: 1 }, { arg: 12 }] }))).toEqual([
        'range /s:go/step[2]/arg',
      ]);
    });
  });
}

describe('identityref values', () => {
  it('accepts only identities of implemented modules (RFC 7950 §9.10.2), not of one only imported', () => {
    const ids = new ModuleRepository();
    ids.add('module ids { namespace "urn:ids"; prefix i; identity base; identity one { base base; } }', 'ids.yang');
    ids.add(
      `module use { namespace "urn:use"; prefix u; import ids { prefix i; }
        identity two { base i:base; }
        leaf kind { type identityref { base i:base; } } }`,
      'use.yang',
    );
    const imported = validatorFor(compileSchema(ids, ['use']), true);
    expect(imported.validateConfig({ 'use:kind': 'use:two' }).valid).toBe(true);
    expect(found(imported.validateConfig({ 'use:kind': 'ids:one' }))).toEqual(['identity /use:kind']);
    const both = validatorFor(compileSchema(ids, ['use', 'ids']), true);
    expect(both.validateConfig({ 'use:kind': 'ids:one' }).valid).toBe(true);
  });
});
