/** What the dependency walk needs of a package: its prerequisites by name. */
export interface DependencyNode {
  readonly name: string;
  readonly prerequisites: readonly string[];
}

/** Why a dependency walk could not order the packages. */
export type GraphProblem =
  | { readonly kind: 'cycle'; readonly path: readonly string[] }
  | { readonly kind: 'missing'; readonly name: string; readonly neededBy: string };

/** The outcome of {@link dependencyOrder}: the packages deps-first, or the problem found. */
export type DependencyOrder = { readonly order: readonly string[] } | { readonly problem: GraphProblem };

/**
 * Every package `root` needs, transitively, dependencies before their
 * dependents and `root` last (manual §5.6 item 3: the server works out which
 * further packages a device needs). A cycle is reported with its path
 * (`a → b → a`), a dependency no package answers with who needs it.
 */
export async function dependencyOrder(
  root: string,
  lookup: (name: string) => Promise<DependencyNode | undefined>,
): Promise<DependencyOrder> {
  const order: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = async (name: string, neededBy: string): Promise<GraphProblem | undefined> => {
    if (done.has(name)) return undefined;
    const at = path.indexOf(name);
    if (at >= 0) return { kind: 'cycle', path: [...path.slice(at), name] };
    const node = await lookup(name);
    if (node === undefined) return { kind: 'missing', name, neededBy };
    path.push(name);
    for (const dependency of node.prerequisites) {
      const problem = await visit(dependency, name);
      if (problem !== undefined) return problem;
    }
    path.pop();
    done.add(name);
    order.push(name);
    return undefined;
  };
  const problem = await visit(root, root);
  return problem === undefined ? { order } : { problem };
}

/** A problem as the reason of a refusal: `dependency cycle: a → b → a`. */
export function describeProblem(problem: GraphProblem): string {
  return problem.kind === 'cycle'
    ? `dependency cycle: ${problem.path.join(' → ')}`
    : `package ${problem.name}, a dependency of ${problem.neededBy}, does not exist`;
}
