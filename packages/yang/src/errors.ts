import { FleetkitError } from '@fleetkit/core';

/** Codes of `@fleetkit/yang`. */
export const YangErrorCode = {
  /** YANG text is not well-formed (tokens, quoting, braces). */
  Syntax: 'yang-syntax',
  /** A statement is not allowed where it appears, or its argument is invalid. */
  Grammar: 'yang-grammar',
  /** A module, submodule, prefix, typedef, grouping, identity or node cannot be found. */
  Unresolved: 'yang-unresolved',
  /** Import or include cycle. */
  Cycle: 'yang-cycle',
  /** Two definitions clash (duplicate node names, revisions, …). */
  Duplicate: 'yang-duplicate',
  /** A restriction or type is invalid (range outside the base type, bad pattern…). */
  InvalidType: 'yang-invalid-type',
  /** An XPath expression does not parse or names an unknown function or prefix. */
  XPath: 'yang-xpath',
  /** A schema given to a validator is not one this version compiled. */
  InvalidSchema: 'yang-invalid-schema',
  /** A caller passed a wrong argument (unknown RPC, bad option). */
  InvalidArgument: 'yang-invalid-argument',
} as const;
export type YangErrorCode = (typeof YangErrorCode)[keyof typeof YangErrorCode];

/** Where in which YANG file a statement is. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Error thrown by `@fleetkit/yang` for bad modules and bad arguments (data problems are issues, not errors). */
export class YangError extends FleetkitError<YangErrorCode> {
  /** The YANG source position the error is about, when it is about one. */
  readonly location: SourceLocation | undefined;

  constructor(
    code: YangErrorCode,
    message: string,
    options: { location?: SourceLocation; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    const where =
      options.location === undefined
        ? ''
        : `${options.location.file}:${options.location.line}:${options.location.column}: `;
    super(code, where + message, {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      details: { ...options.details, ...(options.location === undefined ? {} : { location: options.location }) },
    });
    this.location = options.location;
  }
}
