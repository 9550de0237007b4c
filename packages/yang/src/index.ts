export { YangError, YangErrorCode, type SourceLocation } from './errors.ts';
export { parseYang } from './parser/parse.ts';
export type { Statement } from './parser/statement.ts';
export { ModuleRepository } from './resolver.ts';
export { type CompileOptions, compileSchema } from './compiler/compile.ts';
export type * from './schema.ts';
export {
  createValidator,
  type DocumentType,
  type ValidateOptions,
  type ValidationResult,
  type Validator,
} from './validate/validator.ts';
export type { IssueKind, YangIssue } from './validate/issue.ts';
export { packSchema, schemaHash, unpackSchema } from './pool/pack.ts';
export { PooledValidator, type PooledValidatorOptions } from './pool/pooled-validator.ts';
export { type CliHost, runCli } from './cli/run.ts';
export type { StandardIssue, StandardResult, StandardSchemaV1 } from './validate/standard-schema.ts';
