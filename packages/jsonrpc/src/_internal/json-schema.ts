// JSON Schema (draft 2020-12) of a params or result schema, for rpc.discover.
// valibot schemas are read structurally (their `type`, `entries`, `pipe`…),
// so valibot stays a type-level dependency here; other Standard Schema
// vendors are asked through Standard JSON Schema (`~standard.jsonSchema`).
import type { StandardSchemaV1 } from '../standard-schema.ts';

export type JsonSchema = Record<string, unknown>;

interface Node {
  readonly type?: string;
  readonly kind?: string;
  readonly requirement?: unknown;
  readonly description?: string;
  readonly [key: string]: unknown;
}

/** The JSON Schema of a schema's input; `{}` (anything) when it cannot be told. */
export function toJsonSchema(schema: StandardSchemaV1): JsonSchema {
  const std = schema['~standard'];
  if (std.vendor === 'valibot') return fromValibot(schema as unknown as Node);
  try {
    return std.jsonSchema?.input({ target: 'draft-2020-12' }) ?? {};
  } catch {
    return {}; // the vendor could not convert this schema: describe it as "any value"
  }
}

/** True when a schema accepts `undefined` (an optional object member or param). */
export function isOptional(node: unknown): boolean {
  const t = (node as Node).type;
  return t === 'optional' || t === 'nullish' || t === 'exact_optional' || t === 'undefinedable';
}

function fromValibot(node: Node): JsonSchema {
  const out = base(node);
  for (const action of (node.pipe as Node[] | undefined) ?? []) refine(out, action);
  return out;
}

function base(n: Node): JsonSchema {
  const child = (x: unknown): JsonSchema => fromValibot(x as Node);
  switch (n.type) {
    case 'string':
    case 'boolean':
    case 'number':
    case 'null':
      return { type: n.type };
    case 'bigint':
      return { type: 'integer' };
    case 'literal':
      return { const: n.literal };
    case 'picklist':
    case 'enum':
      return { enum: n.options };
    case 'array':
      return { type: 'array', items: child(n.item) };
    case 'tuple':
    case 'strict_tuple':
    case 'loose_tuple':
      return {
        type: 'array',
        prefixItems: (n.items as unknown[]).map(child),
        ...(n.type === 'strict_tuple' ? { items: false } : {}),
      };
    case 'object':
    case 'strict_object':
    case 'loose_object':
    case 'object_with_rest':
      return object(n, child);
    case 'record':
      return { type: 'object', additionalProperties: child(n.value) };
    case 'optional':
    case 'exact_optional':
    case 'undefinedable':
      return {
        ...child(n.wrapped),
        ...(n.default === undefined || typeof n.default === 'function' ? {} : { default: n.default }),
      };
    case 'nullable':
    case 'nullish':
      return { anyOf: [child(n.wrapped), { type: 'null' }] };
    case 'union':
    case 'variant':
      return { anyOf: (n.options as unknown[]).map(child) };
    case 'intersect':
      return { allOf: (n.options as unknown[]).map(child) };
    default:
      return {}; // unknown, any, custom…: any value
  }
}

function object(n: Node, child: (x: unknown) => JsonSchema): JsonSchema {
  const entries = n.entries as Record<string, unknown>;
  const required = Object.keys(entries).filter((k) => !isOptional(entries[k]));
  const properties = Object.fromEntries(Object.entries(entries).map(([k, s]) => [k, child(s)]));
  const additional = n.type === 'strict_object' ? false : n.type === 'object_with_rest' ? child(n.rest) : undefined;
  return {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    ...(additional === undefined ? {} : { additionalProperties: additional }),
  };
}

const KEYWORD: Readonly<Record<string, string>> = {
  min_length: 'minLength',
  max_length: 'maxLength',
  min_value: 'minimum',
  max_value: 'maximum',
  regex: 'pattern',
};

function refine(out: JsonSchema, action: Node): void {
  if (action.kind === 'metadata' && action.type === 'description') out.description = action.description;
  if (action.kind !== 'validation' || action.type === undefined) return;
  if (action.type === 'integer') out.type = 'integer';
  const keyword = KEYWORD[action.type];
  if (keyword === undefined) return;
  const arrayish = out.type === 'array' && (keyword === 'minLength' || keyword === 'maxLength');
  const name = arrayish ? keyword.replace('Length', 'Items') : keyword;
  out[name] = action.requirement instanceof RegExp ? action.requirement.source : action.requirement;
}
