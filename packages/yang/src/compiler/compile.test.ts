import { describe, expect, it } from 'vitest';
import { YangError } from '../errors.ts';
import { ModuleRepository } from '../resolver.ts';
import type { CompiledSchema, SchemaNode } from '../schema.ts';
import { compileSchema } from './compile.ts';

function repoOf(...texts: string[]): ModuleRepository {
  const repo = new ModuleRepository();
  texts.forEach((t, i) => {
    repo.add(t, `t${i}.yang`);
  });
  return repo;
}

function child(nodes: readonly SchemaNode[] | undefined, ...path: string[]): SchemaNode {
  let cur: SchemaNode | undefined;
  let list = nodes;
  for (const name of path) {
    cur = list?.find((n) => n.name === name);
    if (cur === undefined) throw new Error(`no ${name} in ${list?.map((n) => n.name).join(', ')}`);
    list = cur.children;
  }
  return cur!;
}

function compileError(fn: () => unknown): YangError {
  try {
    fn();
  } catch (e) {
    if (e instanceof YangError) return e;
    throw e;
  }
  throw new Error('expected a YangError');
}

const base = `module b {
  yang-version 1.1; namespace "urn:b"; prefix b;
  feature fast;
  identity animal; identity pet; identity dog { base animal; base pet; }
  typedef small { type int32 { range "0..100"; } default 7; }
  grouping named { leaf name { type string; } leaf size { type small; } container more { } }
  container zoo {
    uses named { refine size { default 9; } augment "more" { leaf extra { type string; } } }
    leaf fast-only { if-feature fast; type string; }
    leaf state { type string; config false; }
    choice kind { leaf a { type string; } case c2 { leaf b { type string; } } }
    list cage { key id; leaf id { type uint8; } container inner { config false; leaf z { type string; } } }
  }
  rpc feed { input { leaf amount { type small; } } output { leaf ok { type boolean; } } }
  notification fed { leaf by { type string; } }
}`;

describe('compileSchema', () => {
  it('folds typedef chains, keeping the typedef default and narrowing the range', () => {
    const s = compileSchema(repoOf(base), ['b']);
    const size = child(s.data, 'zoo', 'size');
    expect(size.type).toMatchObject({ base: 'int32', name: 'small', range: [['0', '100']] });
    expect(size.defaults).toEqual(['9']);
  });

  it('expands uses with refine and an augment inside the uses', () => {
    const s = compileSchema(repoOf(base), ['b']);
    expect(child(s.data, 'zoo').children!.map((n) => n.name)).toEqual([
      'name',
      'size',
      'more',
      'state',
      'kind',
      'cage',
    ]);
    expect(child(s.data, 'zoo', 'more', 'extra').kind).toBe('leaf');
  });

  it('turns a data node directly in a choice into a case of its own name', () => {
    const s = compileSchema(repoOf(base), ['b']);
    expect(child(s.data, 'zoo', 'kind').children!.map((c) => [c.kind, c.name])).toEqual([
      ['case', 'a'],
      ['case', 'c2'],
    ]);
  });

  it('drops nodes under a disabled feature and keeps them when it is enabled', () => {
    expect(child(compileSchema(repoOf(base), ['b']).data, 'zoo').children!.some((n) => n.name === 'fast-only')).toBe(
      false,
    );
    expect(child(compileSchema(repoOf(base), ['b'], { features: { b: ['fast'] } }).data, 'zoo', 'fast-only').kind).toBe(
      'leaf',
    );
  });

  it('inherits config false down the tree', () => {
    const s = compileSchema(repoOf(base), ['b']);
    expect(child(s.data, 'zoo', 'state').config).toBe(false);
    expect(child(s.data, 'zoo', 'cage', 'inner', 'z').config).toBe(false);
    expect(child(s.data, 'zoo', 'cage', 'id').config).toBe(true);
  });

  it('records identities with multiple bases and their derivations', () => {
    const s = compileSchema(repoOf(base), ['b']);
    expect(s.identities['b:dog']).toEqual({ bases: ['b:animal', 'b:pet'], derived: [] });
    expect(s.identities['b:pet']!.derived).toEqual(['b:dog']);
  });

  it('compiles RPCs and notifications', () => {
    const s = compileSchema(repoOf(base), ['b']);
    expect(s.rpcs.map((r) => [r.module, r.name, r.input.map((n) => n.name), r.output.map((n) => n.name)])).toEqual([
      ['b', 'feed', ['amount'], ['ok']],
    ]);
    expect(s.notifications[0]).toMatchObject({ module: 'b', name: 'fed' });
  });

  it('applies augments from another module, into a choice as a new case, with the augmenting namespace', () => {
    const aug = `module a { namespace "urn:a"; prefix a; import b { prefix b; }
      identity cat { base b:animal; }
      augment "/b:zoo/b:kind" { leaf c { type string; } }
      augment "/b:zoo" { leaf note { when "../b:name"; type string; } } }`;
    const s = compileSchema(repoOf(base, aug), ['a']);
    const c = child(s.data, 'zoo', 'kind', 'c');
    expect(c.module).toBe('a');
    expect(child(s.data, 'zoo', 'kind').children!.map((x) => x.name)).toEqual(['a', 'c2', 'c']);
    expect(child(s.data, 'zoo', 'note').when).toHaveLength(1);
    expect(s.identities['b:animal']!.derived).toContain('a:cat');
  });

  it('applies deviations: not-supported, replace type, add must', () => {
    const dev = `module d { namespace "urn:d"; prefix d; import b { prefix b; }
      deviation "/b:zoo/b:state" { deviate not-supported; }
      deviation "/b:zoo/b:name" { deviate replace { type uint8; } }
      deviation "/b:zoo/b:more/b:extra" { deviate add { must ". != 'x'"; } } }`;
    const s = compileSchema(repoOf(base, dev), ['b', 'd']);
    expect(child(s.data, 'zoo').children!.some((n) => n.name === 'state')).toBe(false);
    expect(child(s.data, 'zoo', 'name').type!.base).toBe('uint8');
    expect(child(s.data, 'zoo', 'more', 'extra').must).toHaveLength(1);
  });

  it('merges submodules through include and belongs-to', () => {
    const main = `module m { yang-version 1.1; namespace "urn:m"; prefix m; include s; container c { uses g; } }`;
    const sub = `submodule s { yang-version 1.1; belongs-to m { prefix m; } grouping g { leaf x { type string; } } }`;
    const s = compileSchema(repoOf(main, sub), ['m']);
    expect(child(s.data, 'c', 'x').module).toBe('m');
  });

  it('resolves import by revision-date', () => {
    const old = 'module r { namespace "urn:r"; prefix r; revision 2020-01-01; typedef t { type int8; } }';
    const neu =
      'module r { namespace "urn:r"; prefix r; revision 2021-01-01; revision 2020-01-01; typedef t { type string; } }';
    const user =
      'module u { namespace "urn:u"; prefix u; import r { prefix r; revision-date 2020-01-01; } leaf x { type r:t; } }';
    const s = compileSchema(repoOf(old, neu, user), ['u']);
    expect(s.data[0]!.type!.base).toBe('int8');
  });

  it('detects import cycles', () => {
    const x = 'module x { namespace "urn:x"; prefix x; import y { prefix y; } }';
    const y = 'module y { namespace "urn:y"; prefix y; import x { prefix x; } }';
    const e = compileError(() => compileSchema(repoOf(x, y), ['x']));
    expect(e.code).toBe('yang-cycle');
    expect(e.message).toContain('x -> y -> x');
  });

  it('detects a grouping that uses itself', () => {
    const m = 'module g { namespace "urn:g"; prefix g; grouping a { container c { uses a; } } uses a; }';
    expect(compileError(() => compileSchema(repoOf(m), ['g'])).code).toBe('yang-cycle');
  });

  it('rejects a range that widens the base type, naming the statement', () => {
    const m =
      'module w { namespace "urn:w"; prefix w;\n typedef p { type uint8 { range "1..10"; } }\n leaf x { type p { range "5..20"; } } }';
    const e = compileError(() => compileSchema(repoOf(m), ['w']));
    expect(e.code).toBe('yang-invalid-type');
    expect(e.location).toMatchObject({ file: 't0.yang', line: 3 });
    expect(e.message).toContain('"5..20" is outside the base type');
  });

  it('rejects statements the grammar does not allow, e.g. description inside input', () => {
    const m = 'module i { namespace "urn:i"; prefix i;\n rpc r {\n  input {\n   description "no";\n  }\n }\n}';
    const e = compileError(() => compileSchema(repoOf(m), ['i']));
    expect(e.code).toBe('yang-grammar');
    expect(e.location).toEqual({ file: 't0.yang', line: 4, column: 4 });
    expect(e.message).toContain('Invalid statement "description" inside "input"');
  });

  it('rejects duplicate sibling names across uses and cases', () => {
    const m =
      'module dup { namespace "urn:d"; prefix d; grouping g { leaf a { type string; } }\n container c { uses g;\n leaf a { type int8; } } }';
    const e = compileError(() => compileSchema(repoOf(m), ['dup']));
    expect(e.code).toBe('yang-duplicate');
    expect(e.location?.line).toBe(3);
  });

  it('rejects unknown types, groupings, prefixes and leafref targets', () => {
    const cases = [
      'leaf x { type nope; }',
      'uses nope;',
      'leaf x { type q:t; }',
      'leaf x { type leafref { path "../nothing"; } }',
    ];
    for (const body of cases) {
      const e = compileError(() => compileSchema(repoOf(`module u { namespace "urn:u"; prefix u; ${body} }`), ['u']));
      expect(e.code).toBe('yang-unresolved');
    }
  });

  it('produces plain data that survives a JSON round trip unchanged', () => {
    const s: CompiledSchema = compileSchema(repoOf(base, ops), ['b', 'o']);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

// m adds `more` to b's zoo by augment; the modules below only import m
const adds = `module m { yang-version 1.1; namespace "urn:m"; prefix m; import b { prefix b; }
  feature extra;
  augment "/b:zoo" { container more2 { leaf x { type string; } leaf only { if-feature extra; type string; } } } }`;

describe('compileSchema: modules an augment, deviation or leafref reaches into', () => {
  it('implements an imported module whose augment adds the target of an augment', () => {
    const aug = `module u { namespace "urn:u"; prefix u; import b { prefix b; } import m { prefix m; }
      augment "/b:zoo/m:more2" { leaf y { type string; } } }`;
    const s = compileSchema(repoOf(base, adds, aug), ['u']);
    expect(child(s.data, 'zoo', 'more2', 'y').module).toBe('u');
    expect(s.modules.filter((m) => m.implemented).map((m) => m.name)).toEqual(['b', 'm', 'u']);
  });

  it('implements an imported module whose augment adds the target of a leafref', () => {
    const ref = `module r { namespace "urn:r"; prefix r; import b { prefix b; } import m { prefix m; }
      leaf pick { type leafref { path "/b:zoo/m:more2/m:x"; } } }`;
    const s = compileSchema(repoOf(base, adds, ref), ['r']);
    expect(child(s.data, 'pick').type!.target!.base).toBe('string');
  });

  it('implements an imported module whose augment adds the target of a deviation', () => {
    const dev = `module d { namespace "urn:d"; prefix d; import b { prefix b; } import m { prefix m; }
      deviation "/b:zoo/m:more2/m:x" { deviate not-supported; } }`;
    const s = compileSchema(repoOf(base, adds, dev), ['d']);
    expect(child(s.data, 'zoo', 'more2').children).toEqual([]);
  });

  it("with features 'implemented', enables the features of implemented modules only (yanglint without -F)", () => {
    const aug = `module u { namespace "urn:u"; prefix u; import b { prefix b; } import m { prefix m; }
      feature own; augment "/b:zoo/m:more2" { leaf y { if-feature own; type string; } } }`;
    const s = compileSchema(repoOf(base, adds, aug), ['u'], { features: 'implemented' });
    expect(child(s.data, 'zoo', 'more2').children!.map((n) => n.name)).toEqual(['x', 'only', 'y']);
    expect(child(s.data, 'zoo', 'fast-only').name).toBe('fast-only');
    const imported = `module i { namespace "urn:i"; prefix i; import b { prefix b; } leaf l { if-feature b:fast; type string; } }`;
    expect(compileSchema(repoOf(base, imported), ['i'], { features: 'implemented' }).data).toEqual([]);
  });
});

const ops = `module o { yang-version 1.1; namespace "urn:o"; prefix o;
  grouping acts { action poke { input { leaf n { type uint8; } } } }
  container top {
    list item { key id; leaf id { type string; }
      action reset { input { must "n > 0"; leaf n { type uint8; } leaf-list t { type string; } } output { must "ok"; leaf ok { type boolean; } } }
      notification changed { must "what"; leaf what { type string; } }
    }
    container sub { uses acts; }
  }
  rpc go { input { must "count(t) < 3"; leaf-list t { type string; } } }
}`;

describe('compileSchema: actions and nested notifications', () => {
  it('lifts them out of the data tree with the data nodes down to them', () => {
    const s = compileSchema(repoOf(ops), ['o']);
    expect(child(s.data, 'top', 'item').children!.map((n) => n.name)).toEqual(['id']);
    expect(s.actions.map((a) => [a.parents.map((p) => p.name).join('/'), a.name])).toEqual([
      ['top/item', 'reset'],
      ['top/sub', 'poke'],
    ]);
    expect(s.notifications.map((n) => [n.parents?.map((p) => p.name).join('/'), n.name])).toEqual([
      ['top/item', 'changed'],
    ]);
  });

  it('keeps the musts written on input, output and the notification, and marks their nodes as not configuration', () => {
    const s = compileSchema(repoOf(ops), ['o']);
    const reset = s.actions[0]!;
    expect([reset.inputMust?.map((m) => m.text), reset.outputMust?.map((m) => m.text)]).toEqual([['n > 0'], ['ok']]);
    expect(s.rpcs[0]!.inputMust?.map((m) => m.text)).toEqual(['count(t) < 3']);
    expect(s.notifications[0]!.must?.map((m) => m.text)).toEqual(['what']);
    expect(reset.input.map((n) => n.config)).toEqual([false, false]);
  });

  it('refuses an action below a list without keys, and one inside an operation', () => {
    const keyless = `module k { yang-version 1.1; namespace "urn:k"; prefix k;
      container c { config false; list l { leaf x { type string; } action a; } } }`;
    expect(compileError(() => compileSchema(repoOf(keyless), ['k'])).code).toBe('yang-grammar');
    const inside = `module k { yang-version 1.1; namespace "urn:k"; prefix k;
      grouping g { action a; } rpc r { input { uses g; } } }`;
    expect(compileError(() => compileSchema(repoOf(inside), ['k'])).message).toContain('cannot be defined inside');
  });
});
