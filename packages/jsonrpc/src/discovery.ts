import { type JsonSchema, toJsonSchema } from './_internal/json-schema.ts';
import type { MethodDefinition } from './method.ts';
import type { Router } from './router.ts';

/** Title and version of the API, for the OpenRPC `info` object. */
export interface DiscoveryInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

/** An OpenRPC 1.3 document (https://spec.open-rpc.org), as `rpc.discover` returns it. */
export interface OpenRpcDocument {
  readonly openrpc: '1.3.2';
  readonly info: DiscoveryInfo;
  readonly methods: readonly OpenRpcMethod[];
}

/** One method of an {@link OpenRpcDocument}. */
export interface OpenRpcMethod {
  readonly name: string;
  readonly summary?: string;
  readonly description?: string;
  readonly paramStructure: 'by-name' | 'by-position' | 'either';
  readonly params: readonly { readonly name: string; readonly required: boolean; readonly schema: JsonSchema }[];
  readonly result: { readonly name: string; readonly schema: JsonSchema };
}

/** The OpenRPC document of a router's methods (the `rpc.*` built-ins are left out, as OpenRPC asks). */
export function openRpcDocument(router: Pick<Router, 'definitions'>, info: DiscoveryInfo): OpenRpcDocument {
  const methods: OpenRpcMethod[] = [];
  for (const [name, def] of router.definitions()) {
    if (!name.startsWith('rpc.')) methods.push(describeMethod(name, def));
  }
  return { openrpc: '1.3.2', info, methods };
}

function describeMethod(name: string, def: MethodDefinition): OpenRpcMethod {
  const schema = def.params === undefined ? {} : toJsonSchema(def.params);
  const { params, paramStructure } = paramsOf(def, schema);
  return {
    name,
    ...(def.summary === undefined ? {} : { summary: def.summary }),
    ...(def.description === undefined ? {} : { description: def.description }),
    paramStructure,
    params,
    result: { name: 'result', schema: def.result === undefined ? {} : toJsonSchema(def.result) },
  };
}

function paramsOf(def: MethodDefinition, schema: JsonSchema): Pick<OpenRpcMethod, 'params' | 'paramStructure'> {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (schema.type === 'object' && properties !== undefined) {
    const required = new Set((schema.required as string[] | undefined) ?? []);
    // declared positions first, so that position i in the list is param i
    const names = [...(def.positional ?? []), ...Object.keys(properties).filter((k) => !def.positional?.includes(k))];
    return {
      paramStructure: def.positional === undefined ? 'by-name' : 'either',
      params: names.map((n) => ({ name: n, required: required.has(n), schema: properties[n] ?? {} })),
    };
  }
  const items = schema.prefixItems as JsonSchema[] | undefined;
  if (items !== undefined) {
    return {
      paramStructure: 'by-position',
      params: items.map((s, i) => ({ name: `param${i}`, required: true, schema: s })),
    };
  }
  // any other schema describes the params as one whole value
  return {
    paramStructure: schema.type === 'array' ? 'by-position' : 'either',
    params: def.params === undefined ? [] : [{ name: 'params', required: false, schema }],
  };
}

/** Registers `rpc.discover` on a router, answering its OpenRPC document (built on each call, so later methods appear). */
export function withDiscovery<R extends Pick<Router, 'reserved' | 'definitions'>>(router: R, info: DiscoveryInfo): R {
  router.reserved('rpc.discover', {
    summary: 'The OpenRPC document of this API',
    handler: () => openRpcDocument(router, info),
  });
  return router;
}
