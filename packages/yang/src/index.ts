export { type CliHost, runCli } from './cli/run.ts';
export { type CompileOptions, compileSchema } from './compiler/compile.ts';
export { type SourceLocation, YangError, YangErrorCode } from './errors.ts';
export { parseYang } from './parser/parse.ts';
export type { Statement } from './parser/statement.ts';
export { packSchema, schemaHash, unpackSchema } from './pool/pack.ts';
export { PooledValidator, type PooledValidatorOptions } from './pool/pooled-validator.ts';
export { ModuleRepository } from './resolver.ts';
export type * from './schema.ts';
export type { IssueKind, YangIssue } from './validate/issue.ts';
export type { StandardIssue, StandardResult, StandardSchemaV1 } from './validate/standard-schema.ts';
export {
  createValidator,
  type DocumentType,
  type ValidateOptions,
  type ValidationResult,
  type Validator,
} from './validate/validator.ts';
