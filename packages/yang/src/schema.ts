// The compiled schema: plain data only (no functions, classes or cycles), so
// msgpackr can carry it to workers and into storage unchanged.
import type { XPathExpr } from './xpath/ast.ts';

/** Built-in YANG types (RFC 7950 §4.2.4). */
export type BuiltinType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'decimal64'
  | 'string'
  | 'boolean'
  | 'enumeration'
  | 'bits'
  | 'binary'
  | 'leafref'
  | 'identityref'
  | 'empty'
  | 'union'
  | 'instance-identifier';

/** A pattern restriction: the XSD source and its exact JavaScript translation. */
export interface PatternSpec {
  readonly xsd: string;
  /** JavaScript source for `new RegExp(js, 'u')`, anchored. */
  readonly js: string;
  readonly invert: boolean;
  readonly errorMessage?: string;
}

/** A type with every typedef and restriction folded in. */
export interface TypeSpec {
  readonly base: BuiltinType;
  /** Name as written (`inet:port-number`), for messages. */
  readonly name: string;
  /** Range intervals as integer strings (decimal64: scaled by 10^fraction-digits). */
  readonly range?: readonly (readonly [string, string])[];
  readonly rangeText?: string;
  readonly length?: readonly (readonly [number, number])[];
  readonly lengthText?: string;
  readonly patterns?: readonly PatternSpec[];
  readonly fractionDigits?: number;
  readonly enums?: readonly { readonly name: string; readonly value: number }[];
  readonly bits?: readonly { readonly name: string; readonly position: number }[];
  readonly union?: readonly TypeSpec[];
  /** leafref: the path and the resolved target's type. */
  readonly path?: XPathExpr;
  readonly pathText?: string;
  readonly requireInstance?: boolean;
  readonly target?: TypeSpec;
  /**
   * Well-known typedefs with a value syntax beyond their base type, as
   * libyang checks them: `ietf-yang-types:xpath1.0` and
   * `ietf-netconf-acm:node-instance-identifier`.
   */
  readonly special?: 'xpath1.0' | 'node-instance-identifier';
  /** identityref: `module:identity` of each base. */
  readonly bases?: readonly string[];
}

/** A `must` or `when` expression, compiled. */
export interface Condition {
  readonly expr: XPathExpr;
  readonly text: string;
  readonly errorMessage?: string;
  readonly errorAppTag?: string;
  /** `when` from `uses`/`augment`: evaluated with the parent data node as context (RFC 7950 §7.21.5). */
  readonly onParent?: boolean;
}

export type NodeKind = 'container' | 'leaf' | 'leaf-list' | 'list' | 'choice' | 'case' | 'anydata' | 'anyxml';

/** A schema node. Choice and case nodes hold the data nodes of their cases. */
export interface SchemaNode {
  readonly kind: NodeKind;
  readonly name: string;
  /** Name of the module whose namespace the node is in. */
  readonly module: string;
  readonly config: boolean;
  readonly children?: SchemaNode[];
  readonly type?: TypeSpec;
  readonly mandatory?: boolean;
  readonly presence?: boolean;
  readonly keys?: readonly string[];
  /** `unique` tuples: descendant paths as name lists. */
  readonly unique?: readonly (readonly (readonly string[])[])[];
  readonly minElements?: number;
  readonly maxElements?: number;
  readonly defaults?: readonly string[];
  readonly defaultCase?: string;
  readonly must?: readonly Condition[];
  readonly when?: readonly Condition[];
  readonly userOrdered?: boolean;
}

/** An RPC or action: its input and output as node lists. */
export interface OperationNode {
  readonly name: string;
  readonly module: string;
  readonly input: SchemaNode[];
  readonly output: SchemaNode[];
}

/** A notification and its data nodes. */
export interface NotificationNode {
  readonly name: string;
  readonly module: string;
  readonly children: SchemaNode[];
}

/** One identity and every identity derived from it, transitively. */
export interface IdentitySpec {
  readonly bases: readonly string[];
  readonly derived: readonly string[];
}

/** A compiled module set: the unit validators work on. */
export interface CompiledSchema {
  readonly format: 'fleetkit-yang-schema/1';
  readonly modules: readonly {
    readonly name: string;
    readonly revision?: string;
    readonly namespace: string;
    readonly prefix: string;
    readonly features: readonly string[];
  }[];
  readonly data: SchemaNode[];
  readonly rpcs: OperationNode[];
  readonly notifications: NotificationNode[];
  /** `module:identity` → spec. */
  readonly identities: Readonly<Record<string, IdentitySpec>>;
}
