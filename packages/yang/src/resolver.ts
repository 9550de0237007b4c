import { YangError, YangErrorCode } from './errors.ts';
import { parseYang } from './parser/parse.ts';
import { type Statement, subs } from './parser/statement.ts';

/** A module text as stored: parsed once, kept by `name@revision`. */
interface Entry {
  readonly name: string;
  readonly revision: string | undefined;
  readonly file: string;
  readonly text: string;
  readonly statement: Statement;
}

/**
 * An in-memory, per-tenant set of YANG module and submodule texts, keyed by
 * `name@revision`. No filesystem: callers add texts (from a database, an
 * upload, a directory they read themselves).
 */
export class ModuleRepository {
  readonly #modules = new Map<string, Entry[]>();

  /** Parses and stores one module or submodule text; returns its `name` and latest `revision`. */
  add(text: string, file?: string): { name: string; revision: string | undefined } {
    const statement = parseYang(text, file ?? '<input>');
    const name = statement.arg;
    if (name === undefined)
      throw new YangError(YangErrorCode.Grammar, `"${statement.keyword}" needs a name`, {
        location: { file: statement.file, line: statement.line, column: statement.column },
      });
    const revision = latestRevision(statement);
    const list = this.#modules.get(name) ?? [];
    const same = list.find((entry) => entry.revision === revision);
    if (same !== undefined) {
      if (same.text === text) return { name, revision };
      throw new YangError(
        YangErrorCode.Duplicate,
        `Cannot add ${name}${revision === undefined ? '' : `@${revision}`} from ${file ?? '<input>'}: a different text with that name and revision is already in the repository (${same.file})`,
      );
    }
    list.push({
      name,
      revision,
      file: file ?? `${name}${revision === undefined ? '' : `@${revision}`}.yang`,
      text,
      statement,
    });
    list.sort((a, b) => (b.revision ?? '').localeCompare(a.revision ?? ''));
    this.#modules.set(name, list);
    return { name, revision };
  }

  /** The parsed module `name` at `revision`, or its latest revision; undefined when absent. */
  get(name: string, revision?: string): Statement | undefined {
    const list = this.#modules.get(name);
    if (list === undefined) return undefined;
    return (revision === undefined ? list[0] : list.find((entry) => entry.revision === revision))?.statement;
  }

  /** `name@revision` of every stored text. */
  list(): string[] {
    return [...this.#modules.values()]
      .flat()
      .map((entry) => (entry.revision === undefined ? entry.name : `${entry.name}@${entry.revision}`));
  }
}

/** The newest `revision` date of a module statement. */
export function latestRevision(statement: Statement): string | undefined {
  let best: string | undefined;
  for (const revision of subs(statement, 'revision'))
    if (revision.arg !== undefined && (best === undefined || revision.arg > best)) best = revision.arg;
  return best;
}
