import { describe, expect, it } from 'vitest';
import { compileSchema } from '../compiler/compile.ts';
import { ModuleRepository } from '../resolver.ts';
import type { ValidationResult } from './run.ts';
import { type DocumentType, validatorFor } from './validator.ts';

// RFC 7950 §7.5.1: a non-presence container exists whenever its parent
// does, so its `must`s (§7.5.3) apply when a document leaves it out; and a
// default value is data (§7.6.1), so its leaf's `must`s apply too.

const text = `module a {
  yang-version 1.1; namespace "urn:a"; prefix a;
  container top {
    leaf mode { type string; }
    leaf limit { type uint8; default 3; must ". < 10"; }
    container guard {
      must "not(../mode = 'guard')" { error-message "guard refuses this mode"; }
      container inner { must "not(../../mode = 'inner')"; leaf x { type string; } }
    }
    container gated { when "../mode = 'g' or ../mode = 'gated'"; must "not(../mode = 'gated')"; }
    container stats { config false; must "not(../mode = 'stats')"; }
    container present { presence "on"; container below { must "not(../../mode = 'present')"; } }
    choice how {
      default first;
      case first { container one { must "not(../mode = 'one')"; } }
      case second { container two { must "not(../mode = 'two')"; } leaf pick { type string; } }
    }
    list item { key "id"; leaf id { type string; } container per { must "not(../id = 'bad')"; } }
  }
  rpc go { input { leaf n { type uint8; } container opts { must "not(../n = 13)"; } } }
}`;

const repo = new ModuleRepository();
repo.add(text, 'a.yang');
const schema = compileSchema(repo, ['a']);
const found = (r: ValidationResult): string[] => r.issues.map((i) => `${i.kind} ${i.path}`);

// every case on both runtimes: the fast paths must give the generic result
for (const fast of [true, false]) {
  const v = validatorFor(schema, fast);
  const check = (type: DocumentType, doc: unknown): string[] => found(v.validate(type, doc));
  const config = (top: Record<string, unknown>): string[] => check('config', { 'a:top': top });

  describe(`musts of nodes a document leaves out (${fast ? 'fast paths' : 'generic'})`, () => {
    it('evaluates the must of an absent non-presence container, and of one inside it', () => {
      expect(config({ mode: 'ok' })).toEqual([]);
      expect(v.validateConfig({ 'a:top': { mode: 'guard' } }).issues).toEqual([
        { kind: 'must', path: '/a:top/guard', message: 'guard refuses this mode' },
      ]);
      expect(config({ mode: 'inner' })).toEqual(['must /a:top/guard/inner']);
      // the top container itself is absent here: it exists all the same
      expect(check('config', {})).toEqual([]);
    });

    it('evaluates an absent container under `when` only while the condition holds', () => {
      expect(config({ mode: 'g' })).toEqual([]);
      expect(config({ mode: 'gated' })).toEqual(['must /a:top/gated']);
    });

    it('leaves out state containers in configuration and presence containers that are absent', () => {
      expect(config({ mode: 'stats' })).toEqual([]);
      expect(check('data', { 'a:top': { mode: 'stats' } })).toEqual(['must /a:top/stats']);
      expect(config({ mode: 'present' })).toEqual([]);
      expect(config({ mode: 'present', present: {} })).toEqual(['must /a:top/present/below']);
    });

    it("evaluates only the active case's containers, or the default case's when none is active", () => {
      expect(config({ mode: 'one' })).toEqual(['must /a:top/one']);
      expect(config({ mode: 'two' })).toEqual([]);
      expect(config({ mode: 'two', pick: 'p' })).toEqual(['must /a:top/two']);
      expect(config({ mode: 'one', pick: 'p' })).toEqual([]);
    });

    it('evaluates the absent container of each list entry, and of an RPC input', () => {
      expect(config({ item: [{ id: 'ok' }, { id: 'bad' }] })).toEqual(["must /a:top/item[id='bad']/per"]);
      expect(found(v.validateRpcInput('a:go', { n: 13 }))).toEqual(['must /a:go/opts']);
      expect(v.validateRpcInput('a:go', { n: 12 }).valid).toBe(true);
    });

    it('evaluates the must of a leaf on its default value', () => {
      const d = new ModuleRepository();
      d.add(
        'module d { namespace "urn:d"; prefix d; container c { leaf l { type uint8; default 30; must ". < 20"; } } }',
        'd.yang',
      );
      const dv = validatorFor(compileSchema(d, ['d']), fast);
      expect(found(dv.validateConfig({ 'd:c': {} }))).toEqual(['must /d:c/l']);
      expect(dv.validateConfig({ 'd:c': { l: 10 } }).valid).toBe(true);
    });
  });
}
