// Schema-driven random RFC 7951 documents for the differential test: mostly
// plausible values (so that about half the documents are valid), then
// mutations that break one rule each.
import type { Random } from '@fleetkit/core';
import type { CompiledSchema, QualifiedName, SchemaNode, TypeSpec } from '../../src/index.ts';

const STRINGS = [
  'a',
  'abc',
  'eth0',
  'eth1',
  'x-1',
  'dev-7',
  'A',
  'ABC',
  '',
  '1',
  'héllo',
  'admin',
  'root',
  'maintenance',
  '10.0.0.1',
  '192.168.1.1',
  '10.0.0.1%eth0',
  '::1',
  'fe80::1',
  '2001:db8::1',
  '10.0.0.0/8',
  'host.example.com',
  'legacy',
  'x'.repeat(40),
  'a b',
  'tls',
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Generates documents for one schema; values seen are reused so that leafrefs often resolve. */
export class DocumentGenerator {
  readonly #schema: CompiledSchema;
  readonly #r: Random;
  #seen: Json[] = [];
  /** Values generated per leaf type (the same object a leafref's `target` points to). */
  #byType = new Map<TypeSpec, Json[]>();
  /** State data (`config false`) is generated too: data documents, operations and notifications. */
  #state = false;

  constructor(schema: CompiledSchema, random: Random) {
    this.#schema = schema;
    this.#r = random;
  }

  #pick<T>(xs: readonly T[]): T {
    return xs[this.#r.int(xs.length)]!;
  }

  #chance(p: number): boolean {
    return this.#r.float() < p;
  }

  /** A configuration document over the top-level nodes of the given modules. */
  config(modules: readonly string[]): { [k: string]: Json } {
    return this.#document(modules, false);
  }

  /** A data document (configuration and state) over the top-level nodes of the given modules. */
  data(modules: readonly string[]): { [k: string]: Json } {
    return this.#document(modules, true);
  }

  #document(modules: readonly string[], state: boolean): { [k: string]: Json } {
    this.#reset(state);
    const doc: { [k: string]: Json } = {};
    // nodes holding leafrefs last, so that their targets' values have been generated
    const tops = [...this.#schema.data].sort((a, b) => Number(holdsLeafref(a)) - Number(holdsLeafref(b)));
    for (const n of tops) {
      if (!modules.includes(n.module) || (!n.config && !state)) continue;
      if (n.kind === 'choice' || n.presence !== true || this.#chance(0.5))
        this.#member(doc, n, undefined, n.kind === 'container' && n.presence !== true);
    }
    return doc;
  }

  #reset(state: boolean): void {
    this.#seen = [];
    this.#byType = new Map();
    this.#state = state;
  }

  /**
   * An RPC or action invocation (`output`: its reply) or a notification, in
   * yanglint's document form: `{ "mod:rpc": {…} }` at the top level; for an
   * operation in a container or list (named by its schema path, `/m:top/list/action`)
   * the data down to it, list entries with their keys and now and then
   * sibling leaves the operation's rules may read.
   */
  operation(id: string, output = false): { [k: string]: Json } {
    this.#reset(true);
    const op =
      this.#schema.rpcs.find((o) => `${o.module}:${o.name}` === id) ??
      this.#schema.actions.find((o) => schemaPath([...o.parents, o]) === id);
    const n = this.#schema.notifications.find(
      (o) => (o.parents === undefined ? `${o.module}:${o.name}` : schemaPath([...o.parents, o])) === id,
    );
    const found = op ?? n;
    if (found === undefined) throw new Error(`no operation ${id}`);
    const members = op !== undefined ? (output ? op.output : op.input) : n!.children;
    const body: { [k: string]: Json } = {};
    for (const c of members) this.#member(body, c, found.module);
    const parents = 'parents' in found && found.parents !== undefined ? found.parents : [];
    return this.#around(parents, found, body);
  }

  /** Wraps an operation's body in the data nodes down to it. */
  #around(parents: readonly QualifiedName[], op: QualifiedName, body: Json): { [k: string]: Json } {
    const name = (n: QualifiedName, parentModule: string | undefined): string =>
      parentModule === n.module ? n.name : `${n.module}:${n.name}`;
    let inner: { [k: string]: Json } = { [name(op, parents[parents.length - 1]?.module)]: body };
    for (let i = parents.length - 1; i >= 0; i--) {
      const schema = dataNode(this.#schema.data, parents.slice(0, i + 1));
      const holder: { [k: string]: Json } = {};
      // sibling leaves (which the operation's XPath may read), then what leads to the operation
      if (this.#chance(0.5))
        for (const c of schema.children ?? [])
          if (c.kind === 'leaf' && !(schema.keys ?? []).includes(c.name)) this.#member(holder, c, schema.module);
      if (schema.kind === 'list') {
        const keys: { [k: string]: Json } = {};
        for (const k of schema.keys ?? []) keys[k] = this.#value(schema.children!.find((c) => c.name === k)!.type!);
        const entries: Json[] = [{ ...keys, ...holder, ...inner }];
        // another entry, without the operation: context only, no data rules apply to it
        if (this.#chance(0.2)) {
          const other: { [k: string]: Json } = {};
          for (const k of schema.keys ?? []) other[k] = this.#value(schema.children!.find((c) => c.name === k)!.type!);
          entries.push(other);
        }
        inner = { [name(schema, parents[i - 1]?.module)]: entries };
      } else inner = { [name(schema, parents[i - 1]?.module)]: { ...holder, ...inner } };
    }
    return inner;
  }

  #member(obj: { [k: string]: Json }, n: SchemaNode, parentModule: string | undefined, force = false): void {
    if (!n.config && !this.#state) return;
    if (n.kind === 'choice') {
      const cases = n.children ?? [];
      if (cases.length === 0 || (n.mandatory !== true && this.#chance(0.3))) return;
      const picked = this.#pick(cases).children ?? [];
      picked.forEach((c, i) => {
        this.#member(obj, c, parentModule, n.mandatory === true && i === 0);
      });
      return;
    }
    const guarded = (n.when?.length ?? 0) > 0;
    // a mandatory node under `when` is needed only while the condition holds
    const optional = (n.mandatory !== true || guarded) && (n.minElements ?? 0) === 0 && !force;
    // nodes under `when` are mostly left out: their conditions rarely hold for random data
    if (optional && this.#chance(guarded ? (n.mandatory === true ? 0.5 : 0.8) : n.kind === 'leaf' ? 0.35 : 0.25))
      return;
    const key = parentModule === n.module ? n.name : `${n.module}:${n.name}`;
    const v = this.#node(n);
    if (v !== undefined) obj[key] = v;
  }

  #node(n: SchemaNode): Json | undefined {
    switch (n.kind) {
      case 'leaf':
        return this.#value(n.type!);
      case 'leaf-list': {
        const count = Math.max(n.minElements ?? 0, this.#r.int(4));
        const out: Json[] = [];
        for (let i = 0; i < count; i++) out.push(this.#value(n.type!));
        return out;
      }
      case 'container': {
        if (n.presence === true && this.#chance(0.4)) return undefined;
        const o: { [k: string]: Json } = {};
        for (const c of n.children ?? []) this.#member(o, c, n.module);
        return o;
      }
      case 'list': {
        const count = Math.max(n.minElements ?? 0, this.#r.int(4));
        const out: Json[] = [];
        for (let i = 0; i < count; i++) {
          const o: { [k: string]: Json } = {};
          for (const k of n.keys ?? []) {
            const kn = n.children!.find((c) => c.name === k)!;
            o[k] = this.#value(kn.type!);
          }
          for (const c of n.children ?? []) if (!(n.keys ?? []).includes(c.name)) this.#member(o, c, n.module);
          out.push(o);
        }
        return out;
      }
      default:
        return undefined;
    }
  }

  #value(t: TypeSpec): Json {
    const v = this.#raw(t);
    if (typeof v === 'string' || typeof v === 'number') {
      this.#seen.push(v);
      const list = this.#byType.get(t);
      if (list === undefined) this.#byType.set(t, [v]);
      else list.push(v);
    }
    return v;
  }

  #raw(t: TypeSpec): Json {
    switch (t.base) {
      case 'int8':
      case 'int16':
      case 'int32':
      case 'uint8':
      case 'uint16':
      case 'uint32':
        return Number(
          this.#inRange(
            t,
            {
              int8: [-128, 127],
              int16: [-32768, 32767],
              int32: [-2147483648, 2147483647],
              uint8: [0, 255],
              uint16: [0, 65535],
              uint32: [0, 4294967295],
            }[t.base] as [number, number],
          ),
        );
      case 'int64':
      case 'uint64':
        return this.#inRange(
          t,
          t.base === 'int64' ? [-9223372036854775808n, 9223372036854775807n] : [0n, 18446744073709551615n],
        );
      case 'decimal64': {
        const scaled = BigInt(this.#inRange(t, [-100000n, 100000n]));
        const fd = t.fractionDigits ?? 1;
        const s = (scaled < 0n ? -scaled : scaled).toString().padStart(fd + 1, '0');
        return `${scaled < 0n ? '-' : ''}${s.slice(0, -fd)}.${s.slice(-fd)}`;
      }
      case 'boolean':
        return this.#chance(0.5);
      case 'empty':
        return [null];
      case 'enumeration':
        return this.#pick(t.enums ?? [{ name: 'x', value: 0 }]).name;
      case 'bits':
        return (t.bits ?? [])
          .filter(() => this.#chance(0.5))
          .map((b) => b.name)
          .join(' ');
      case 'binary':
        return this.#pick(['AAAA', 'AQID', 'aGVsbG8=', 'AAECAwQFBgc=', 'AAECAwQFBgcICQ==']);
      case 'identityref': {
        const ids = Object.keys(this.#schema.identities);
        // values are identities of implemented modules (RFC 7950 §9.10.2), derived from every base
        const implemented = new Set(this.#schema.modules.filter((m) => m.implemented).map((m) => m.name));
        const ok = ids.filter(
          (id) =>
            implemented.has(id.slice(0, id.indexOf(':'))) &&
            (t.bases ?? []).every((b) => this.#schema.identities[b]?.derived.includes(id)),
        );
        return this.#chance(0.85) && ok.length > 0 ? this.#pick(ok) : this.#pick(ids);
      }
      case 'union':
        return this.#value(this.#pick(t.union ?? []));
      case 'leafref': {
        const target = t.target;
        const exact = target === undefined ? undefined : this.#byType.get(target);
        const fits =
          exact !== undefined && exact.length > 0
            ? exact
            : target === undefined
              ? this.#seen
              : this.#seen.filter((v) => this.#admits(target, v));
        return fits.length > 0 && this.#chance(0.8) ? this.#pick(fits) : target !== undefined ? this.#raw(target) : 'x';
      }
      case 'instance-identifier':
        return '/';
      default: {
        // mostly strings the type's patterns and length admit, so that about half the documents are valid
        const fits = STRINGS.filter((c) => this.#admits(t, c));
        return fits.length > 0 && this.#chance(0.9) ? this.#pick(fits) : this.#pick(STRINGS);
      }
    }
  }

  /** A rough pre-filter for candidate values (JSON kind, patterns, length); the oracle decides validity. */
  #admits(t: TypeSpec, v: Json): boolean {
    const numeric = ['int8', 'int16', 'int32', 'uint8', 'uint16', 'uint32'].includes(t.base);
    if (numeric) return typeof v === 'number';
    if (typeof v !== 'string') return false;
    return (
      (t.patterns ?? []).every((p) => new RegExp(p.js, 'u').test(v) !== p.invert) &&
      (t.length ?? [[0, Infinity]]).some(([a, b]) => [...v].length >= a && [...v].length <= b)
    );
  }

  #inRange(t: TypeSpec, limits: readonly [bigint | number, bigint | number]): string {
    const ranges = t.range?.map(([a, b]) => [BigInt(a), BigInt(b)] as const) ?? [
      [BigInt(limits[0]), BigInt(limits[1])] as const,
    ];
    const [lo, hi] = this.#pick(ranges);
    const roll = this.#r.int(10);
    if (roll === 0) return String(lo);
    if (roll === 1) return String(hi);
    const span = hi - lo;
    const cap = span > 1000n ? 1000n : span;
    return String(lo + BigInt(this.#r.int(Number(cap) + 1)));
  }
}

/** Breaks one thing in a document, or nothing: about half the mutated documents stay valid. */
export function mutate(doc: Json, r: Random): Json {
  const copy = JSON.parse(JSON.stringify(doc)) as Json;
  const spots: { holder: { [k: string]: Json } | Json[]; key: string | number }[] = [];
  const walk = (v: Json): void => {
    if (Array.isArray(v))
      v.forEach((x, i) => {
        spots.push({ holder: v, key: i });
        walk(x);
      });
    else if (v !== null && typeof v === 'object')
      for (const k of Object.keys(v)) {
        spots.push({ holder: v, key: k });
        walk(v[k]!);
      }
  };
  walk(copy);
  if (spots.length === 0) return copy;
  const spot = spots[r.int(spots.length)]!;
  const h = spot.holder as Record<string | number, Json>;
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
  const cur = h[spot.key] as Json;
  switch (r.int(8)) {
    case 0:
      if (!Array.isArray(h)) delete h[spot.key];
      break;
    case 1:
      h[spot.key] =
        typeof cur === 'number' ? String(cur) : typeof cur === 'string' && /^-?\d+$/.test(cur) ? Number(cur) : 7;
      break;
    case 2:
      h[spot.key] = typeof cur === 'number' ? cur + 1000 : cur;
      break;
    case 3:
      if (!Array.isArray(h)) h.bogus = 1;
      break;
    case 4:
      if (Array.isArray(cur) && cur.length > 0) cur.push(JSON.parse(JSON.stringify(cur[0])));
      break;
    case 5:
      h[spot.key] = typeof cur === 'string' ? `${cur}!` : cur;
      break;
    case 6:
      h[spot.key] = typeof cur === 'number' ? -cur - 1 : cur;
      break;
    default:
      break;
  }
  return copy;
}

/** `/m:a/b/n:c`, as the validator names operations in containers and lists. */
export function schemaPath(names: readonly QualifiedName[]): string {
  let out = '';
  let module = '';
  for (const n of names) {
    out += n.module === module ? `/${n.name}` : `/${n.module}:${n.name}`;
    module = n.module;
  }
  return out;
}

/** The data node at `path` (names from the top), looking through choices and cases. */
function dataNode(nodes: readonly SchemaNode[], path: readonly QualifiedName[]): SchemaNode {
  let cur: SchemaNode | undefined;
  let level = nodes;
  for (const step of path) {
    cur = findData(level, step);
    if (cur === undefined) throw new Error(`no data node ${step.module}:${step.name}`);
    level = cur.children ?? [];
  }
  return cur!;
}

function findData(nodes: readonly SchemaNode[], q: QualifiedName): SchemaNode | undefined {
  for (const n of nodes) {
    if (n.kind === 'choice' || n.kind === 'case') {
      const inner = findData(n.children ?? [], q);
      if (inner !== undefined) return inner;
    } else if (n.name === q.name && n.module === q.module) return n;
  }
  return undefined;
}

function holdsLeafref(n: SchemaNode): boolean {
  const refers = (t: TypeSpec | undefined): boolean =>
    t !== undefined && (t.base === 'leafref' || (t.union?.some(refers) ?? false));
  return refers(n.type) || (n.children ?? []).some(holdsLeafref);
}
