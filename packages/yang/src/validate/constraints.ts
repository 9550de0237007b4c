import type { TypeSpec } from '../schema.ts';
import type { XPathExpr } from '../xpath/ast.ts';
import { type DNode, rootOf } from '../xpath/dnode.ts';
import { evaluate, toBoolean, type XContext } from '../xpath/eval.ts';
import { parseXPath } from '../xpath/parse.ts';
import { pathOf } from './issue.ts';
import type { Runtime } from './runtime.ts';
import { issue, type Walk } from './tree.ts';

/** Per-run caches: leafref target value sets, so N leafrefs cost O(N) (not O(N²), yang-js #73). */
interface Caches {
  readonly targets: WeakMap<DNode, Map<TypeSpec, Set<string>>>;
  readonly instanceIds: Map<string, XPathExpr | null>;
}

/** Runs `when`, `must`, leafref and instance-identifier checks on the built tree (RFC 7950 §7.5.3, §7.21.5, §9.9, §9.13). */
export function checkConstraints(w: Walk, rt: Runtime): void {
  const caches: Caches = { targets: new WeakMap(), instanceIds: new Map() };
  const base = { derived: (id: string) => rt.derived.get(id), regex: rt.xsdRegex };
  for (const { node, r } of w.deferred) {
    const s = r.s;
    if (s.when !== undefined && node.implicit !== true) {
      let ok = true;
      for (const c of s.when) {
        const ctxNode = c.onParent === true ? (node.parent ?? node) : node;
        if (!toBoolean(evaluate(c.expr, ctxNode, { ...base, current: ctxNode }))) {
          issue(w, 'when', pathOf(node), `When condition "${c.text}" not satisfied`);
          ok = false;
          break;
        }
      }
      if (!ok) continue;
    }
    if (s.must !== undefined) {
      const cx: XContext = { ...base, current: node };
      for (const c of s.must) {
        if (!toBoolean(evaluate(c.expr, node, cx))) {
          issue(w, 'must', pathOf(node), c.errorMessage ?? `Must condition "${c.text}" not satisfied`, c.errorAppTag === undefined ? {} : { appTag: c.errorAppTag });
        }
      }
    }
    if (s.type !== undefined && node.value !== undefined) instanceCheck(w, s.type, node, caches, { ...base, current: node });
  }
}


function instanceCheck(w: Walk, t: TypeSpec, node: DNode, caches: Caches, cx: XContext): void {
  const v = node.value!;
  if (t.base === 'union') {
    // the member that accepted the value decides; a leafref member only binds when no earlier member did
    const lr = t.union?.find((u) => u.base === 'leafref' || u.base === 'instance-identifier');
    if (lr !== undefined && t.union![0] === lr) instanceCheck(w, lr, node, caches, cx);
    return;
  }
  if (t.base === 'leafref' && t.requireInstance !== false && t.path !== undefined) {
    if (!leafrefTargets(t, node, caches, cx).has(v)) {
      issue(w, 'leafref', pathOf(node), `Invalid leafref value "${v}" - no target instance "${t.pathText}" with the same value`, { expected: `an existing ${t.pathText}`, received: v });
    }
  } else if (t.base === 'instance-identifier' && t.requireInstance !== false) {
    let expr = caches.instanceIds.get(v);
    if (expr === undefined) {
      try {
        expr = parseXPath(v, { defaultModule: '', prefix: (p) => p });
      } catch {
        expr = null;
      }
      caches.instanceIds.set(v, expr);
    }
    const found = expr === null ? [] : evaluate(expr, rootOf(node), cx);
    if (!Array.isArray(found) || found.length === 0) issue(w, 'instance-required', pathOf(node), `Required instance "${v}" does not exist`, { received: v });
  }
}

/** Values the leafref may take here; cached per starting node when the path below it has no predicates. */
function leafrefTargets(t: TypeSpec, node: DNode, caches: Caches, cx: XContext): Set<string> {
  const p = t.path!;
  if (p.t === 'path' && p.from === undefined && p.steps.every((s) => s.preds.length === 0)) {
    let start: DNode = p.abs ? rootOf(node) : node;
    let i = 0;
    if (!p.abs) {
      while (i < p.steps.length && p.steps[i]!.axis === 'parent') {
        start = start.parent ?? start;
        i++;
      }
    }
    let byType = caches.targets.get(start);
    if (byType === undefined) caches.targets.set(start, (byType = new Map()));
    let set = byType.get(t);
    if (set === undefined) {
      const rest: XPathExpr = { t: 'path', abs: false, steps: p.steps.slice(i) };
      const found = evaluate(rest, start, cx);
      set = new Set(Array.isArray(found) ? found.map((n) => n.value ?? '') : []);
      byType.set(t, set);
    }
    return set;
  }
  const found = evaluate(p, node, cx);
  return new Set(Array.isArray(found) ? found.map((n) => n.value ?? '') : []);
}
