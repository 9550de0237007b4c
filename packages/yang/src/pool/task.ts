// Worker side of pooled validation. The cache below is per worker thread on
// purpose: each worker unpacks and prepares a schema once per content hash.
import { createValidator, type DocumentType, type ValidationResult, type Validator } from '../validate/validator.ts';
import { unpackSchema } from './pack.ts';

/** Input of the `validateJson` task. */
export interface ValidateTaskInput {
  readonly hash: string;
  readonly schema: Uint8Array;
  readonly type: DocumentType;
  /** JSON text: a string (cloned), or UTF-8 bytes (transferred). */
  readonly json: string | ArrayBuffer;
  readonly maxIssues?: number;
}

const validators = new Map<string, Validator>();
const MAX_CACHED = 32;

/** Parses and validates one JSON document against the schema with this hash. */
export function validateJson(input: ValidateTaskInput): ValidationResult | { readonly parseError: string } {
  let validator = validators.get(input.hash);
  if (validator === undefined) {
    if (validators.size >= MAX_CACHED) validators.delete(validators.keys().next().value!);
    validator = createValidator(unpackSchema(input.schema));
    validators.set(input.hash, validator);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(typeof input.json === 'string' ? input.json : new TextDecoder().decode(input.json));
  } catch (error) {
    return { parseError: (error as Error).message };
  }
  return validator.validate(input.type, doc, input.maxIssues === undefined ? {} : { maxIssues: input.maxIssues });
}
