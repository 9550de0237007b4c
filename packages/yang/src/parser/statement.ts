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
export function sub(stmt: Statement, keyword: string): Statement | undefined {
  for (const s of stmt.subs) if (s.keyword === keyword) return s;
  return undefined;
}

/** Every substatement with this keyword, in order. */
export function subs(stmt: Statement, keyword: string): Statement[] {
  return stmt.subs.filter((s) => s.keyword === keyword);
}

/** The argument of the first substatement with this keyword. */
export function subArg(stmt: Statement, keyword: string): string | undefined {
  return sub(stmt, keyword)?.arg;
}

/** `file:line:column` of a statement, for error messages and locations. */
export function where(stmt: Statement): { file: string; line: number; column: number } {
  return { file: stmt.file, line: stmt.line, column: stmt.column };
}
