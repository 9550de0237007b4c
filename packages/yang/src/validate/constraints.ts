import type { SchemaNode, TypeSpec } from '../schema.ts';
import type { Step, XPathExpr } from '../xpath/ast.ts';
import { type DataNode, detachedNode, rootOf } from '../xpath/data-node.ts';
import { evaluate, toBoolean, type XPathContext } from '../xpath/eval.ts';
import { parseXPath } from '../xpath/parse.ts';
import { pathOf } from './issue.ts';
import type { KeyValues } from './key-index.ts';
import type { Runtime } from './runtime.ts';
import { issue, missing, type Walk, walkImplicit } from './tree.ts';

/** Per-run caches: leafref target value sets, so N leafrefs cost O(N) (not O(N²), yang-js #73). */
interface Caches {
  readonly targets: WeakMap<DataNode, Map<TypeSpec, KeyValues>>;
  readonly instanceIdentifiers: Map<string, XPathExpr | null>;
  readonly plans: Map<TypeSpec, Plan | null>;
}

/** A leafref path without predicates: `up` parent steps (or the root), then `rest`. */
interface Plan {
  readonly absolute: boolean;
  readonly up: number;
  readonly rest: XPathExpr;
}

function planOf(t: TypeSpec, caches: Caches): Plan | null {
  let p = caches.plans.get(t);
  if (p !== undefined) return p;
  const e = t.path!;
  p = null;
  if (e.t === 'path' && e.from === undefined && e.steps.every((s) => s.preds.length === 0)) {
    let up = 0;
    if (!e.abs) while (up < e.steps.length && e.steps[up]!.axis === 'parent') up++;
    p = { absolute: e.abs, up, rest: { t: 'path', abs: false, steps: e.steps.slice(up) } };
  }
  caches.plans.set(t, p);
  return p;
}

/** Runs `when`, `must`, leafref and instance-identifier checks on the built tree (RFC 7950 §7.5.3, §7.21.5, §9.9, §9.13). */
export function checkConstraints(w: Walk, rt: Runtime): void {
  const caches: Caches = { targets: new WeakMap(), instanceIdentifiers: new Map(), plans: new Map() };
  // one context object, its current node moved along (no allocation per node)
  const config = w.mode === 'config';
  const cx: { current: DataNode } & Omit<XPathContext, 'current'> = {
    current: w.deferred[0] ?? w.guarded[0]?.parent ?? w.implicitWhen[0]!.parent,
    derived: (id: string) => rt.derived.get(id),
    regex: rt.xsdRegex,
  };
  // absent non-presence containers under `when`: built (with what they hold) where it holds, before any rule reads the tree
  for (let i = 0; i < w.implicitWhen.length; i++) {
    const { node: r, parent } = w.implicitWhen[i]!;
    if (!whenHolds(r.schema, detachedNode(parent, r.schema, r.schema.name, r.schema.module), parent, cx)) continue;
    const n = detachedNode(parent, r.schema, r.schema.name, r.schema.module);
    parent.children = [...parent.children, n];
    parent.byName = undefined;
    walkImplicit(w, r, n);
  }
  for (const node of w.deferred) {
    const s = node.schema!;
    if (s.when !== undefined) {
      // a default whose `when` is false is no data: it goes without an issue (RFC 7950 §7.21.5)
      if (node.implicit === true) {
        if (!whenHolds(s, node, node.parent ?? node, cx)) continue;
      } else {
        let ok = true;
        for (const c of s.when) {
          const ctxNode = c.onParent === true ? (node.parent ?? node) : node;
          cx.current = ctxNode;
          if (!toBoolean(evaluate(c.expr, ctxNode, cx))) {
            issue(w, 'when', pathOf(node), `When condition "${c.text}" not satisfied`);
            ok = false;
            break;
          }
        }
        if (!ok) continue;
      }
    }
    cx.current = node;
    if (s.must !== undefined) {
      for (const c of s.must) {
        const fast = rt.fastMust.get(c);
        if (!(fast != null ? fast(node, node.parent, node.value, config) : toBoolean(evaluate(c.expr, node, cx)))) {
          issue(
            w,
            'must',
            pathOf(node),
            c.errorMessage ?? `Must condition "${c.text}" not satisfied`,
            c.errorAppTag === undefined ? {} : { appTag: c.errorAppTag },
          );
        }
      }
    }
    if (s.type !== undefined && node.value !== undefined && node.implicit !== true)
      instanceCheck(w, s.type, node, caches, cx);
  }
  // RFC 7950 §7.21.5: a mandatory node whose `when` is false need not exist; evaluated on a stand-in node
  for (const g of w.guarded) {
    const standIn = detachedNode(g.parent, g.node.schema, g.node.schema.name, g.node.schema.module);
    if (whenHolds(g.node.schema, standIn, g.parent, cx))
      missing(w, { ...g.node, schema: { ...g.node.schema, when: [] } }, g.parent, g.path);
  }
}

/** Every `when` of `s` holds for `node` (or, for one from `uses`/`augment`/a choice, its parent). */
function whenHolds(
  s: SchemaNode,
  node: DataNode,
  parent: DataNode,
  cx: { current: DataNode } & Omit<XPathContext, 'current'>,
): boolean {
  for (const c of s.when ?? []) {
    const at = c.onParent === true ? parent : node;
    cx.current = at;
    if (!toBoolean(evaluate(c.expr, at, cx))) return false;
  }
  return true;
}

function instanceCheck(w: Walk, t: TypeSpec, node: DataNode, caches: Caches, cx: XPathContext): void {
  const v = node.value!;
  if (t.base === 'union') {
    // RFC 7950 §9.12: the first member that accepts the value decides; only a reference member needs an instance
    const member = w.unionReferences.get(node);
    if (member !== undefined) instanceCheck(w, member, node, caches, cx);
    return;
  }
  if (t.base === 'leafref' && t.requireInstance !== false && t.path !== undefined) {
    if (!leafrefTargets(w, t, node, caches, cx).has(v)) {
      issue(
        w,
        'leafref',
        pathOf(node),
        `Invalid leafref value "${v}" - no target instance "${t.pathText}" with the same value`,
        { expected: `an existing ${t.pathText}`, received: v },
      );
    }
  } else if (t.base === 'instance-identifier' && t.requireInstance !== false) {
    let expr = caches.instanceIdentifiers.get(v);
    if (expr === undefined) {
      try {
        expr = parseXPath(v, { defaultModule: '', prefix: (p) => p });
      } catch {
        expr = null;
      }
      caches.instanceIdentifiers.set(v, expr);
    }
    const found = expr === null ? [] : evaluate(expr, rootOf(node), cx);
    if (!Array.isArray(found) || found.length === 0)
      issue(w, 'instance-required', pathOf(node), `Required instance "${v}" does not exist`, { received: v });
  }
}

/** Values the leafref may take here; cached per starting node when the path below it has no predicates. */
function leafrefTargets(w: Walk, t: TypeSpec, node: DataNode, caches: Caches, cx: XPathContext): KeyValues {
  const p = planOf(t, caches);
  if (p !== null) {
    let start: DataNode = p.absolute ? rootOf(node) : node;
    for (let i = 0; i < p.up; i++) start = start.parent ?? start;
    let byType = caches.targets.get(start);
    if (byType === undefined) {
      byType = new Map();
      caches.targets.set(start, byType);
    }
    let set = byType.get(t);
    if (set === undefined) {
      set = keySet(w, p, start);
      if (set === undefined) {
        const found = evaluate(p.rest, start, cx);
        set = new Set(Array.isArray(found) ? found.map((n) => n.value ?? '') : []);
      }
      byType.set(t, set);
    }
    return set;
  }
  const found = evaluate(t.path!, node, cx);
  return new Set(Array.isArray(found) ? found.map((n) => n.value ?? '') : []);
}

/** `list/key` from `start`, where the walk kept that list's key values: the same set, not built again. */
function keySet(w: Walk, p: Plan, start: DataNode): KeyValues | undefined {
  const e = p.rest;
  if (e.t !== 'path' || e.steps.length !== 2) return undefined;
  const [a, b] = e.steps as [Step, Step];
  if (a.axis !== 'child' || b.axis !== 'child' || a.test.k !== 'name' || b.test.k !== 'name') return undefined;
  const ta = a.test;
  const tb = b.test;
  const k = w.keySets
    .get(start)
    ?.find(
      (x) =>
        x.exact &&
        x.list.name === ta.name &&
        x.list.module === ta.module &&
        x.key.name === tb.name &&
        x.key.module === tb.module,
    );
  return k?.values;
}
