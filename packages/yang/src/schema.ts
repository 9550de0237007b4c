// The compiled schema: plain data only (no functions, classes or cycles), so
// msgpackr can carry it to workers and into storage unchanged.
import type { XPathExpr } from './xpath/ast.ts';

/** The format tag of compiled schemas this version writes and reads; a schema with another tag must be compiled again. */
export const SCHEMA_FORMAT = 'fleetkit-yang-schema/2';

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
  /** Configuration (RFC 7950 §7.21.1, inherited); false for state data and inside operations and notifications. */
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

/** A node name in its module's namespace. */
export interface QualifiedName {
  readonly module: string;
  readonly name: string;
}

/**
 * An RPC or action: its input and output as node lists. Nodes of input and
 * output are not configuration (`config` false: RFC 7950 §7.21.1 covers
 * only data nodes), so leaf-lists there may repeat a value (§7.7).
 */
export interface OperationNode {
  readonly name: string;
  readonly module: string;
  readonly input: SchemaNode[];
  readonly output: SchemaNode[];
  /** `must` directly in `input` (§7.14.2): evaluated with the operation's node as context. */
  readonly inputMust?: readonly Condition[];
  /** `must` directly in `output` (§7.14.3). */
  readonly outputMust?: readonly Condition[];
}

/**
 * A YANG 1.1 action (§7.15): an operation defined in a container or list,
 * invoked on one instance of it. `parents` are the data nodes from the top
 * down to the node holding it (choices and cases left out).
 */
export interface ActionNode extends OperationNode {
  readonly parents: readonly QualifiedName[];
}

/** A notification and its data nodes (not configuration, as in an operation). */
export interface NotificationNode {
  readonly name: string;
  readonly module: string;
  readonly children: SchemaNode[];
  /** `must` of the notification itself (§7.16), evaluated with its node as context. */
  readonly must?: readonly Condition[];
  /** A notification in a container or list (YANG 1.1 §7.16): the data nodes down to its holder. Absent at the top level. */
  readonly parents?: readonly QualifiedName[];
}

/** One identity and every identity derived from it, transitively. */
export interface IdentitySpec {
  readonly bases: readonly string[];
  readonly derived: readonly string[];
}

/** A compiled module set: the unit validators work on. */
export interface CompiledSchema {
  readonly format: typeof SCHEMA_FORMAT;
  readonly modules: readonly {
    readonly name: string;
    readonly revision?: string;
    readonly namespace: string;
    readonly prefix: string;
    readonly features: readonly string[];
    /**
     * Implemented (asked for, or reached by an augment, deviation or leafref),
     * not only imported: its data nodes exist, and only its identities are
     * valid identityref values (RFC 7950 §9.10.2).
     */
    readonly implemented: boolean;
  }[];
  readonly data: SchemaNode[];
  readonly rpcs: OperationNode[];
  /** Actions, lifted out of the data tree (each names its place in `parents`). */
  readonly actions: ActionNode[];
  /** Top-level notifications, then those nested in data nodes (with `parents`). */
  readonly notifications: NotificationNode[];
  /** `module:identity` → spec. */
  readonly identities: Readonly<Record<string, IdentitySpec>>;
}
