/** One YANG statement as written: keyword, argument, position and substatements. */
export interface Statement {
  /** `container`, or `prefix:name` for an extension. */
  readonly keyword: string;
  /** The argument after quoting and concatenation rules, if any. */
  readonly arg: string | undefined;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly subs: readonly Statement[];
}

/** The first substatement with this keyword. */
export function sub(statement: Statement, keyword: string): Statement | undefined {
  for (const substatement of statement.subs) if (substatement.keyword === keyword) return substatement;
  return undefined;
}

/** Every substatement with this keyword, in order. */
export function subs(statement: Statement, keyword: string): Statement[] {
  return statement.subs.filter((substatement) => substatement.keyword === keyword);
}

/** The argument of the first substatement with this keyword. */
export function subArg(statement: Statement, keyword: string): string | undefined {
  return sub(statement, keyword)?.arg;
}

/** `file:line:column` of a statement, for error messages and locations. */
export function where(statement: Statement): { file: string; line: number; column: number } {
  return { file: statement.file, line: statement.line, column: statement.column };
}
