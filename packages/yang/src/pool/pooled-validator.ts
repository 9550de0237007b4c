import { defineTask, taskModuleUrl, type WorkerPool } from '@fleetkit/core';
import type { CompiledSchema } from '../schema.ts';
import { createValidator, type DocumentType, type ValidationResult, type Validator } from '../validate/validator.ts';
import { packSchema, schemaHash } from './pack.ts';
import type { ValidateTaskInput } from './task.ts';

const task = defineTask<ValidateTaskInput, ValidationResult | { readonly parseError: string }>(
  taskModuleUrl(import.meta.url, 'pool/task'),
  'validateJson',
);

/** Options of {@link PooledValidator}. */
export interface PooledValidatorOptions {
  /** The pool large documents run on (`createPiscinaPool` from `@fleetkit/core/piscina`). */
  readonly pool: WorkerPool;
  /** Documents of at least this many bytes go to the pool; smaller ones stay in-thread, where a hop costs more than the work. Default 65536. */
  readonly threshold?: number;
  /** Stop after this many issues (default 100). */
  readonly maxIssues?: number;
}

/**
 * Validates JSON text against one schema, on the worker pool when the text is
 * large. Workers cache the prepared schema by its SHA-256, so each compiles it once.
 */
export class PooledValidator {
  readonly #local: Validator;
  readonly #packed: Uint8Array;
  readonly #options: PooledValidatorOptions;
  #hash: Promise<string> | undefined;

  constructor(schema: CompiledSchema, options: PooledValidatorOptions) {
    this.#local = createValidator(schema);
    this.#packed = packSchema(schema);
    this.#options = options;
  }

  /** Validates a document given as JSON text or UTF-8 bytes; bad JSON is an issue, not an exception. */
  async validate(type: DocumentType, json: string | Uint8Array): Promise<ValidationResult> {
    const size = typeof json === 'string' ? json.length : json.byteLength;
    const maxIssues = this.#options.maxIssues;
    const limit = maxIssues === undefined ? {} : { maxIssues };
    if (size < (this.#options.threshold ?? 65536)) {
      const parsed = parse(typeof json === 'string' ? json : new TextDecoder().decode(json));
      if ('error' in parsed) return parseIssue(parsed.error);
      return this.#local.validate(type, parsed.doc, limit);
    }
    this.#hash ??= schemaHash(this.#packed);
    // text goes as it is: cloning a string is one copy, while encoding it to UTF-8 here and decoding it there would also cost this thread; bytes are copied and transferred
    const text = typeof json === 'string' ? json : (json.slice().buffer as ArrayBuffer);
    const input: ValidateTaskInput = { hash: await this.#hash, schema: this.#packed, type, json: text, ...limit };
    const result = await this.#options.pool.run(
      task,
      input,
      typeof text === 'string' ? undefined : { transfer: [text] },
    );
    return 'parseError' in result ? parseIssue(result.parseError) : result;
  }
}

function parse(text: string): { doc: unknown } | { error: string } {
  try {
    return { doc: JSON.parse(text) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function parseIssue(message: string): ValidationResult {
  return { valid: false, issues: [{ kind: 'type', path: '/', message: `Invalid JSON: ${message}` }] };
}
