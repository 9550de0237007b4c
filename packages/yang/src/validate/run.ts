import { addNode } from '../xpath/data-node.ts';
import { checkConstraints } from './constraints.ts';
import { checkEarlyLeafrefs } from './early.ts';
import type { YangIssue } from './issue.ts';
import { pathOf } from './issue.ts';
import type { Locate } from './placement.ts';
import type { Runtime } from './runtime.ts';
import type { RuntimeNode } from './runtime-node.ts';
import { issue, type TreeMode, walkMembers } from './tree.ts';
import { isObject, newWalk, type Walk } from './walk.ts';

/** The outcome of a validation: never thrown, always returned. */
export type ValidationResult =
  | { readonly valid: true; readonly issues: readonly [] }
  | { readonly valid: false; readonly issues: readonly YangIssue[] };

/** What one validation call runs with besides the document: made once per call, never per node. */
export interface Run {
  readonly runtime: Runtime;
  /** Stop collecting after this many issues. */
  readonly limit: number;
  /** The runtime with the fast paths off, for a run whose early rules failed. */
  readonly generic: () => Runtime;
}

/** Validates a data document (configuration, or configuration and state) against the data tree of the run's runtime. */
export function runData(run: Run, mode: TreeMode, doc: unknown): ValidationResult {
  const { runtime } = run;
  const walk = newWalk(mode, runtime.tree, runtime.fastPaths, run.limit);
  const root = addNode(undefined, undefined, '', '');
  if (!isObject(doc)) {
    issue(walk, 'type', '/', 'Expected a JSON object', { expected: 'object', received: doc });
    return result(walk);
  }
  walkMembers(walk, runtime.data, doc, root);
  return finish(walk, runtime, () => runData(generically(run), mode, doc));
}

/**
 * Validates the input (a notification: its content) or the output of an
 * operation where `locate` places it. The operation's own node holds the
 * members and carries the `must`s written on `input`/`output` (the
 * notification), evaluated with it as context node (RFC 7950 §7.5.3).
 */
export function runOperation(run: Run, locate: Locate, output: boolean): ValidationResult {
  const { runtime } = run;
  const walk = newWalk('data', runtime.tree, runtime.fastPaths, run.limit);
  const root = addNode(undefined, undefined, '', '');
  const placement = locate(walk, runtime, root);
  if (placement !== undefined) {
    const { holder, operation, content } = placement;
    const node = output ? operation.outputNode : operation.inputNode;
    const members: RuntimeNode = output ? operation.output : operation.input;
    if (!isObject(content)) {
      // named at the node holding it, as yanglint names a container of the wrong JSON kind
      issue(walk, 'type', pathOf(holder), `"${operation.name}" must be a JSON object`, {
        expected: 'object',
        received: content,
      });
      return result(walk);
    }
    const top = addNode(holder, node, operation.name, operation.module);
    if (node.must !== undefined) walk.deferred.push(top);
    walkMembers(walk, members, content, top);
  }
  return finish(walk, runtime, () => runOperation(generically(run), locate, output));
}

/** The same run on the generic runtime. */
function generically(run: Run): Run {
  return { runtime: run.generic(), limit: run.limit, generic: run.generic };
}

/** The checks after the walk; an early rule that failed sends the document to the generic runtime. */
function finish(walk: Walk, runtime: Runtime, again: () => ValidationResult): ValidationResult {
  if (walk.pending.length > 0) checkEarlyLeafrefs(walk);
  // an early rule failed: the generic run reports every issue, in its order
  if (walk.fallback) return again();
  if (walk.deferred.length > 0 || walk.guarded.length > 0 || walk.implicitWhen.length > 0)
    checkConstraints(walk, runtime);
  return result(walk);
}

function result(walk: Walk): ValidationResult {
  return walk.issues.length === 0 ? { valid: true, issues: [] } : { valid: false, issues: walk.issues };
}
