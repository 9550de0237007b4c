// The Standard Schema v1 interface (https://standardschema.dev), declared here
// so that any validator implementing it plugs in without a dependency: valibot
// schemas natively, and the YANG package's RPC-input validators.

/** A validator implementing Standard Schema v1. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaProps<Input, Output>;
}

/** The `~standard` property of a {@link StandardSchemaV1}. */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  readonly version: 1;
  readonly vendor: string;
  readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
  readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  /** Optional Standard JSON Schema converter, used by `rpc.discover`. */
  readonly jsonSchema?:
    | { readonly input: (options: { readonly target: string }) => Record<string, unknown> }
    | undefined;
}

/** The outcome of `validate`: a value, or issues. */
export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: readonly StandardIssue[] };

/** One validation issue; valibot issues add `expected` and `received`. */
export interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
  readonly expected?: string | null;
  readonly received?: string;
}

/** The output type of a schema. */
export type InferOutput<S> = S extends StandardSchemaV1<unknown, infer O> ? O : unknown;
/** The input type of a schema. */
export type InferInput<S> = S extends StandardSchemaV1<infer I, unknown> ? I : unknown;
