import { describe, expect, it } from 'vitest';
import { compileSchema } from '../compiler/compile.ts';
import { ModuleRepository } from '../resolver.ts';
import type { ValidationResult } from './run.ts';
import { createValidator } from './validator.ts';

const text = `module o {
  yang-version 1.1; namespace "urn:o"; prefix o;
  container top {
    leaf mode { type string; }
    list item {
      key "id";
      leaf id { type string; }
      action reset {
        input {
          must "../id != 'locked' or force = 'true'" { error-message "a locked item needs force"; }
          leaf force { type boolean; }
          leaf delay { type uint8 { range "0..60"; } mandatory true; }
          leaf-list tag { type string; }
        }
        output { must "ok = 'true' or reason"; leaf ok { type boolean; } leaf reason { type string; } }
      }
      notification changed {
        must "what != 'mode' or ../../mode";
        leaf what { type string; mandatory true; }
        leaf-list tag { type string; }
      }
    }
  }
  rpc go {
    input {
      must "count(target) <= 2" { error-message "at most two targets"; error-app-tag "too-many"; }
      leaf-list target { type string; }
      list step { key "n"; leaf n { type uint8; } }
    }
    output { must "done = 'true'"; leaf done { type boolean; } }
  }
  notification ping {
    must "seq > 0";
    leaf seq { type uint32; }
    leaf-list tag { type string; }
  }
}`;

const repo = new ModuleRepository();
repo.add(text, 'o.yang');
const v = createValidator(compileSchema(repo, ['o']));
const found = (r: ValidationResult): string[] => r.issues.map((i) => `${i.kind} ${i.path}`);
const item = "/o:top/item[id='locked']/reset";

describe('must on input, output and notifications', () => {
  it('enforces a must written directly on an RPC input, at the operation node', () => {
    expect(v.validateRpcInput('o:go', { target: ['a', 'b'] }).valid).toBe(true);
    const r = v.validateRpcInput('o:go', { target: ['a', 'b', 'c'] });
    expect(r.issues).toEqual([{ kind: 'must', path: '/o:go', message: 'at most two targets', appTag: 'too-many' }]);
  });

  it('enforces a must on an RPC output and on a notification', () => {
    expect(found(v.validateRpcOutput('o:go', { done: false }))).toEqual(['must /o:go']);
    expect(v.validateRpcOutput('o:go', { done: true }).valid).toBe(true);
    expect(found(v.validateNotification('o:ping', { seq: 0 }))).toEqual(['must /o:ping']);
    expect(v.validateNotification('o:ping', { seq: 1 }).valid).toBe(true);
  });

  it('lets leaf-lists repeat a value in RPC input and notifications (uniqueness is for configuration)', () => {
    expect(v.validateRpcInput('o:go', { target: ['a', 'a'] }).valid).toBe(true);
    expect(v.validateNotification('o:ping', { seq: 1, tag: ['x', 'x'] }).valid).toBe(true);
  });

  it('still refuses two entries with one key in an RPC input list', () => {
    expect(found(v.validateRpcInput('o:go', { step: [{ n: 1 }, { n: 1 }] }))).toEqual(["duplicate /o:go/step[n='1']"]);
  });
});

describe('actions', () => {
  it('validates an action input on the instance its path names, whose keys its must reads', () => {
    expect(v.validateAction("/o:top/item[id='a']/reset", { delay: 5 }).valid).toBe(true);
    const r = v.validateAction(item, { delay: 5 });
    expect(r.issues).toEqual([{ kind: 'must', path: item, message: 'a locked item needs force' }]);
    expect(v.validateAction(item, { delay: 5, force: true }).valid).toBe(true);
  });

  it('checks the nodes of an action input like any data: types, mandatory, unknown members', () => {
    expect(found(v.validateAction("/o:top/item[id='a']/reset", { delay: 99, bogus: 1 }))).toEqual([
      "range /o:top/item[id='a']/reset/delay",
      "unknown /o:top/item[id='a']/reset",
    ]);
    expect(found(v.validateAction("/o:top/item[id='a']/reset", {}))).toEqual([
      "mandatory /o:top/item[id='a']/reset/delay",
    ]);
  });

  it('validates an action output, with the must on output', () => {
    expect(v.validateActionOutput(item, { ok: true }).valid).toBe(true);
    expect(found(v.validateActionOutput(item, { ok: false }))).toEqual([`must ${item}`]);
  });

  it("reads yanglint's document form of an action: the data down to it, then its input or output", () => {
    const invoke = (reset: unknown, extra: Record<string, unknown> = {}): unknown => ({
      'o:top': { ...extra, item: [{ id: 'locked', reset }] },
    });
    expect(v.validate('rpc', invoke({ delay: 1, force: true })).valid).toBe(true);
    expect(found(v.validate('rpc', invoke({ delay: 1 })))).toEqual([`must ${item}`]);
    expect(found(v.validate('rpc-reply', invoke({ ok: false })))).toEqual([`must ${item}`]);
    // the surrounding data is context: its values are typed, but no data rule applies to it
    expect(found(v.validate('rpc', invoke({ delay: 1, force: true }, { mode: 5 })))).toEqual(['type /o:top/mode']);
    expect(found(v.validate('rpc', { 'o:top': { item: [{ id: 'x' }] } }))).toEqual(['unknown /']);
  });

  it('refuses an action path the schema does not have, and an action member in data', () => {
    expect(() => v.validateAction('/o:top/item/reset', {})).toThrow(
      expect.objectContaining({ code: 'yang-invalid-argument' }),
    );
    expect(() => v.validateAction("/o:top/item[id='a']/nope", {})).toThrow(/Unknown action/);
    expect(found(v.validateConfig({ 'o:top': { item: [{ id: 'a', reset: {} }] } }))).toEqual([
      "unknown /o:top/item[id='a']/reset",
    ]);
  });
});

describe('notifications in a container or list', () => {
  const changed = "/o:top/item[id='a']/changed";

  it('validates one named by its instance path, and in the document form', () => {
    expect(v.validateNotification(changed, { what: 'x', tag: ['t', 't'] }).valid).toBe(true);
    expect(found(v.validateNotification(changed, { what: 'x', tag: 1 }))).toEqual([`type ${changed}`]);
    expect(found(v.validateNotification(changed, { what: 'mode' }))).toEqual([`must ${changed}`]);
    expect(found(v.validate('notification', { 'o:top': { item: [{ id: 'a', changed: { what: 'mode' } }] } }))).toEqual([
      `must ${changed}`,
    ]);
    expect(
      v.validate('notification', { 'o:top': { mode: 'm', item: [{ id: 'a', changed: { what: 'mode' } }] } }).valid,
    ).toBe(true);
  });
});
