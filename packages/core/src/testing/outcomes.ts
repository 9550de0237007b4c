import type { RunnerTask, TestContext } from 'vitest';

/** How one finished test went: vitest's state (`pass`, `fail`, `skip`…) and the note a skip carried. */
export interface TestOutcome {
  readonly state: string | undefined;
  readonly note: string | undefined;
}

/**
 * How the tests of the running file that came before this one went, by full
 * name (`suite > nested suite > test`). Tests of a file run in order, so a
 * test placed after a contract suite can check what the suite's options did
 * to it: which tests were skipped with which reason, and which ran.
 */
export function testOutcomes(context: TestContext): Map<string, TestOutcome> {
  const outcomes = new Map<string, TestOutcome>();
  const visit = (task: RunnerTask, prefix: string): void => {
    const name = prefix === '' ? task.name : `${prefix} > ${task.name}`;
    if (task.type === 'suite') {
      for (const child of task.tasks) visit(child, name);
      return;
    }
    // vitest keeps the reason of a dynamic skip on the result, outside its declared type
    const result = task.result as { readonly state?: string; readonly note?: string } | undefined;
    outcomes.set(name, { state: result?.state, note: result?.note });
  };
  for (const task of context.task.file.tasks) visit(task, '');
  return outcomes;
}
