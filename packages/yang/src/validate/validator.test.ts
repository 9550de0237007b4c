import { describe, expect, it } from 'vitest';
import { compileSchema } from '../compiler/compile.ts';
import { ModuleRepository } from '../resolver.ts';
import { createValidator, type Validator } from './validator.ts';

const text = `module v {
  yang-version 1.1; namespace "urn:v"; prefix v;
  identity base; identity one { base base; } identity two { base base; }
  container top {
    leaf name { type string; mandatory true; }
    leaf mtu { type uint16; default 1500; must ". >= 576" { error-message "mtu too small"; error-app-tag "mtu"; } }
    leaf state { type string; config false; }
    leaf-list tags { type string; max-elements 2; }
    list item {
      key "id"; unique "slot"; min-elements 1;
      leaf id { type string; }
      leaf slot { type uint8; }
      leaf ref { type leafref { path "../../item/id"; } }
      leaf loose { type leafref { path "../../item/id"; require-instance false; } }
      leaf kind { type identityref { base base; } }
      leaf only-one { when "derived-from-or-self(../kind, 'v:one')"; type string; }
      choice how { mandatory true; leaf a { type string; } leaf b { type string; } }
    }
    container p { presence "on"; leaf need { type string; mandatory true; } }
    container np { leaf inner { type string; mandatory true; } }
    anydata blob;
    leaf pick { type union { type uint8; type leafref { path "../item/id"; } } }
    leaf mode { type string; }
    leaf cert { when "../mode = 'tls'"; type string; mandatory true; }
  }
  rpc go {
    input { leaf n { type int8; mandatory true; } leaf why { type string; must "../n > 0"; } }
    output { leaf done { type boolean; mandatory true; } }
  }
  notification ping { leaf seq { type uint32; mandatory true; } }
}`;

const validator = (): Validator => {
  const repo = new ModuleRepository();
  repo.add(text, 'v.yang');
  return createValidator(compileSchema(repo, ['v']));
};
const v = validator();
const item = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ id: 'i1', a: 'x', ...extra });
const doc = (top: Record<string, unknown>): unknown => ({
  'v:top': { name: 'n', np: { inner: 'i' }, item: [item()], ...top },
});
const issues = (d: unknown): string[] => v.validateConfig(d).issues.map((i) => `${i.kind} ${i.path}`);

describe('Validator.validateConfig', () => {
  it('accepts a valid document', () => {
    expect(v.validateConfig(doc({}))).toEqual({ valid: true, issues: [] });
  });

  it('reports a missing mandatory leaf, also inside an absent non-presence container', () => {
    expect(issues({ 'v:top': { item: [item()] } })).toEqual(['mandatory /v:top/name', 'mandatory /v:top/np/inner']);
  });

  it('requires a when-guarded mandatory node only while its condition holds', () => {
    expect(issues(doc({ mode: 'plain' }))).toEqual([]);
    expect(issues(doc({ mode: 'tls' }))).toEqual(['mandatory /v:top/cert']);
    expect(issues(doc({ mode: 'tls', cert: 'c' }))).toEqual([]);
  });

  it('asks presence containers for their mandatory children only when present', () => {
    expect(issues(doc({}))).toEqual([]);
    expect(issues(doc({ p: {} }))).toEqual(['mandatory /v:top/p/need']);
  });

  it('rejects state data (config false) in configuration, accepts it in data', () => {
    expect(issues(doc({ state: 's' }))).toEqual(['state /v:top/state']);
    expect(v.validateData(doc({ state: 's' })).valid).toBe(true);
  });

  it('rejects unknown members, naming the parent', () => {
    expect(issues(doc({ bogus: 1 }))).toEqual(['unknown /v:top']);
    expect(issues({ top: {} })).toEqual([
      'unknown /',
      'mandatory /v:top/name',
      'min-elements /v:top/item',
      'mandatory /v:top/np/inner',
    ]);
  });

  it('checks list keys, key uniqueness, unique and min-elements', () => {
    expect(issues(doc({ item: [{ a: 'x' }] }))).toEqual(['missing-key /v:top/item']);
    expect(issues(doc({ item: [item(), item()] }))).toEqual(["duplicate /v:top/item[id='i1']"]);
    expect(issues(doc({ item: [item({ slot: 1 }), { id: 'i2', a: 'y', slot: 1 }] }))[0]).toBe(
      "unique /v:top/item[id='i1']",
    );
    expect(issues(doc({ item: [] }))).toEqual(['min-elements /v:top/item']);
  });

  it('enforces choice exclusivity and mandatory choices, naming the data node that holds the choice', () => {
    expect(issues(doc({ item: [item({ b: 'y' })] }))).toEqual(["choice /v:top/item[id='i1']"]);
    // a choice is no data node: the path ends at the entry, the message names the choice
    const [missing] = v.validateConfig(doc({ item: [{ id: 'i1' }] })).issues;
    expect(missing).toMatchObject({ kind: 'mandatory', path: "/v:top/item[id='i1']" });
    expect(missing!.message).toContain('"how"');
  });

  it('counts an empty list or leaf-list, or a container holding only those, as no data for a mandatory choice (as libyang)', () => {
    // ietf-routing's next-hop-options: {"next-hop-list": {"next-hop": []}} leaves the mandatory choice without data
    const repo = new ModuleRepository();
    repo.add(
      `module c {
      yang-version 1.1; namespace "urn:c"; prefix c;
      container hop {
        choice options {
          mandatory true;
          leaf simple { type string; }
          case many { container hop-list { list entry { key "n"; leaf n { type uint8; } } } }
          case tags { leaf-list tag { type string; } }
        }
      }
    }`,
      'c.yang',
    );
    const cv = createValidator(compileSchema(repo, ['c']));
    const found = (hop: unknown): string[] =>
      cv.validateConfig({ 'c:hop': hop }).issues.map((i) => `${i.kind} ${i.path}`);
    expect(found({ 'hop-list': { entry: [] } })).toEqual(['mandatory /c:hop']);
    expect(found({ tag: [] })).toEqual(['mandatory /c:hop']);
    // an empty leaf-list does not make its case conflict with another (yanglint 2.1.30 agrees)
    expect(found({ tag: [], simple: 's' })).toEqual([]);
    expect(found({ 'hop-list': { entry: [{ n: 1 }] }, simple: 's' })).toEqual(['choice /c:hop']);
  });

  it('checks leaf-list duplicates and max-elements', () => {
    expect(issues(doc({ tags: ['a', 'a'] }))).toEqual(["duplicate /v:top/tags[.='a']"]);
    expect(issues(doc({ tags: ['a', 'b', 'c'] }))).toEqual(["max-elements /v:top/tags[.='c']"]);
  });

  it('resolves leafrefs through the index and honours require-instance false', () => {
    expect(issues(doc({ item: [item({ ref: 'i1', loose: 'nowhere' })] }))).toEqual([]);
    expect(issues(doc({ item: [item({ ref: 'i9' })] }))).toEqual(["leafref /v:top/item[id='i1']/ref"]);
  });

  it('checks leafrefs to the key of a large list against exactly its entries', () => {
    const items = Array.from({ length: 40 }, (_, i) => item({ id: `i${i}`, ref: `i${(i * 7) % 40}` }));
    expect(issues(doc({ item: items }))).toEqual([]);
    items[3] = item({ id: 'i3', ref: 'i40' });
    expect(issues(doc({ item: items }))).toEqual(["leafref /v:top/item[id='i3']/ref"]);
    // an entry whose key is rejected is no target, even for the empty string (i29 refers to i3)
    items[3] = item({ id: 3, ref: '' });
    expect(issues(doc({ item: items }))).toEqual([
      'type /v:top/item/id',
      'leafref /v:top/item/ref',
      "leafref /v:top/item[id='i29']/ref",
    ]);
  });

  it('checks the instance of a union value only when a leafref member took it', () => {
    expect(issues(doc({ pick: 5 }))).toEqual([]);
    expect(issues(doc({ pick: 'i1' }))).toEqual([]);
    expect(issues(doc({ pick: 'i9' }))).toEqual(['leafref /v:top/pick']);
  });

  it('evaluates must with its error-message and error-app-tag', () => {
    const r = v.validateConfig(doc({ mtu: 100 }));
    expect(r.issues).toEqual([{ kind: 'must', path: '/v:top/mtu', message: 'mtu too small', appTag: 'mtu' }]);
  });

  it('evaluates when with derived-from on identityrefs', () => {
    expect(issues(doc({ item: [item({ kind: 'v:one', 'only-one': 'x' })] }))).toEqual([]);
    expect(issues(doc({ item: [item({ kind: 'two', 'only-one': 'x' })] }))).toEqual([
      "when /v:top/item[id='i1']/only-one",
    ]);
  });

  it('reports what was expected and what came for a type error', () => {
    const [i] = v.validateConfig(doc({ mtu: '1500' })).issues;
    expect(i).toMatchObject({ kind: 'type', path: '/v:top/mtu', received: '1500' });
    expect(i!.expected).toContain('JSON number');
  });

  it('rejects members of the wrong JSON kind', () => {
    expect(issues(doc({ np: 'x' }))).toEqual(['type /v:top']);
    expect(issues(doc({ blob: 3 }))).toEqual(['type /v:top/blob']);
  });

  it('stops at maxIssues', () => {
    expect(v.validateConfig({ a: 1, b: 2, c: 3 }, { maxIssues: 2 }).issues).toHaveLength(2);
  });

  it('treats a non-object document as an issue, not an exception', () => {
    expect(issues([1])).toEqual(['type /']);
  });

  it('validates 500 entries with a leafref each (yang-js overflows its stack there)', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ id: `i${i}`, a: 'x', ref: `i${(i * 7) % 500}` }));
    expect(v.validateConfig(doc({ item: many })).valid).toBe(true);
  });
});

describe('RPCs and notifications', () => {
  it('validates RPC input members with must across siblings', () => {
    expect(v.validateRpcInput('v:go', { n: 1, why: 'w' }).valid).toBe(true);
    expect(v.validateRpcInput('v:go', { n: 0, why: 'w' }).issues.map((i) => `${i.kind} ${i.path}`)).toEqual([
      'must /v:go/why',
    ]);
    expect(v.validateRpcInput('v:go', {}).issues.map((i) => i.path)).toEqual(['/v:go/n']);
  });

  it('validates RPC output and notifications', () => {
    expect(v.validateRpcOutput('v:go', { done: true }).valid).toBe(true);
    expect(v.validateRpcOutput('v:go', {}).valid).toBe(false);
    expect(v.validateNotification('v:ping', { seq: 1 }).valid).toBe(true);
  });

  it('reads yanglint document forms: {"mod:rpc": {...}}', () => {
    expect(v.validate('rpc', { 'v:go': { n: 1 } }).valid).toBe(true);
    expect(v.validate('rpc', { 'v:nope': {} }).issues[0]!.kind).toBe('unknown');
  });

  it('throws for an unknown RPC name, listing the known ones', () => {
    expect(() => v.validateRpcInput('v:nope', {})).toThrow(/Unknown RPC "v:nope": expected one of v:go/);
  });

  it('exposes RPC input as a Standard Schema v1 object', () => {
    const s = v.rpcInputSchema('v:go')['~standard'];
    expect([s.version, s.vendor]).toEqual([1, 'fleetkit-yang']);
    expect(s.validate({ n: 3 })).toEqual({ value: { n: 3 } });
    expect(s.validate({ n: 300 })).toEqual({
      issues: [
        { message: 'Invalid value 300: expected int8 in -128..127', path: ['n'], expected: 'int8 in -128..127' },
      ],
    });
    const unknown = s.validate({ n: 3, extra: true }) as unknown as {
      issues: { path: unknown[]; received?: string }[];
    };
    expect(unknown.issues.map((i) => [i.path, i.received])).toEqual([[['extra'], 'extra']]);
  });

  it('refuses a value that is not a compiled schema', () => {
    expect(() => createValidator({} as never)).toThrow(expect.objectContaining({ code: 'yang-invalid-schema' }));
  });
});
