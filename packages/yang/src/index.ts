export { YangError, YangErrorCode, type SourceLocation } from './errors.ts';
export { parseYang } from './parser/parse.ts';
export type { Statement } from './parser/statement.ts';
export { ModuleRepository } from './resolver.ts';
export { type CompileOptions, compileSchema } from './compiler/compile.ts';
export type * from './schema.ts';
export { createValidator, type DocumentType, type ValidateOptions, type ValidationResult, type Validator } from './validate/validator.ts';
export type { IssueKind, YangIssue } from './validate/issue.ts';
