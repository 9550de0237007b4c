import { addNode } from '../xpath/data-node.ts';
import { checkConstraints } from './constraints.ts';
import { checkEarlyLeafrefs } from './early.ts';
import type { YangIssue } from './issue.ts';
import { pathOf } from './issue.ts';
import type { Locate } from './placement.ts';
import type { Runtime, RuntimeNode } from './runtime.ts';
import { issue, type TreeMode, walkMembers } from './tree.ts';
import { isObject, newWalk, type Walk } from './walk.ts';

/** The outcome of a validation: never thrown, always returned. */
export type ValidationResult =
  | { readonly valid: true; readonly issues: readonly [] }
  | { readonly valid: false; readonly issues: readonly YangIssue[] };

/** A runtime with the fast paths off, for a run whose early rules failed. */
export type Generic = () => Runtime;

/** Validates a data document (configuration, or configuration and state) against the data tree of `rt`. */
export function runData(rt: Runtime, mode: TreeMode, doc: unknown, limit: number, generic: Generic): ValidationResult {
  const w = newWalk(mode, rt.tree, rt.fastPaths, limit);
  const root = addNode(undefined, undefined, '', '');
  if (!isObject(doc)) {
    issue(w, 'type', '/', 'Expected a JSON object', { expected: 'object', received: doc });
    return result(w);
  }
  walkMembers(w, rt.data, doc, root);
  return finish(w, rt, () => runData(generic(), mode, doc, limit, generic));
}

/**
 * Validates the input (a notification: its content) or the output of an
 * operation where `locate` places it. The operation's own node holds the
 * members and carries the `must`s written on `input`/`output` (the
 * notification), evaluated with it as context node (RFC 7950 §7.5.3).
 */
export function runOperation(
  rt: Runtime,
  locate: Locate,
  output: boolean,
  limit: number,
  generic: Generic,
): ValidationResult {
  const w = newWalk('data', rt.tree, rt.fastPaths, limit);
  const root = addNode(undefined, undefined, '', '');
  const at = locate(w, rt, root);
  if (at !== undefined) {
    const { holder, operation: op, content } = at;
    const node = output ? op.outputNode : op.inputNode;
    const members: RuntimeNode = output ? op.output : op.input;
    if (!isObject(content)) {
      // named at the node holding it, as yanglint names a container of the wrong JSON kind
      issue(w, 'type', pathOf(holder), `"${op.name}" must be a JSON object`, { expected: 'object', received: content });
      return result(w);
    }
    const top = addNode(holder, node, op.name, op.module);
    if (node.must !== undefined) w.deferred.push(top);
    walkMembers(w, members, content, top);
  }
  return finish(w, rt, () => runOperation(generic(), locate, output, limit, generic));
}

/** The checks after the walk; an early rule that failed sends the document to the generic runtime. */
function finish(w: Walk, rt: Runtime, again: () => ValidationResult): ValidationResult {
  if (w.pending.length > 0) checkEarlyLeafrefs(w);
  // an early rule failed: the generic run reports every issue, in its order
  if (w.fallback) return again();
  if (w.deferred.length > 0 || w.guarded.length > 0 || w.implicitWhen.length > 0) checkConstraints(w, rt);
  return result(w);
}

function result(w: Walk): ValidationResult {
  return w.issues.length === 0 ? { valid: true, issues: [] } : { valid: false, issues: w.issues };
}
