import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { openRpcDocument } from './discovery.ts';
import { createRouter } from './router.ts';
import type { StandardSchemaV1 } from './standard-schema.ts';
import { specRouter } from './testing/spec-methods.ts';

describe('rpc.discover', () => {
  it('answers an OpenRPC document of the registered methods', async () => {
    const router = createRouter({ discover: { title: 'exodm', version: '2.0' } })
      .method('exodm:create-device', {
        summary: 'Create a device',
        params: v.object({
          'device-id': v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
          'session-timeout': v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(43200))),
          protocol: v.picklist(['exodm_bert', 'exoport_http']),
          tags: v.nullable(v.array(v.string())),
        }),
        result: v.object({ result: v.literal('ok') }),
        handler: () => ({ result: 'ok' as const }),
      })
      .method('sum', { params: v.tuple([v.number(), v.number()]), handler: ([a, b]) => a + b });
    const doc = JSON.parse((await router.handle('{"jsonrpc":"2.0","method":"rpc.discover","id":1}')) as string).result;
    expect(doc).toEqual({
      openrpc: '1.3.2',
      info: { title: 'exodm', version: '2.0' },
      methods: [
        {
          name: 'exodm:create-device',
          summary: 'Create a device',
          paramStructure: 'by-name',
          params: [
            { name: 'device-id', required: true, schema: { type: 'string', minLength: 1, maxLength: 64 } },
            { name: 'session-timeout', required: false, schema: { type: 'integer', minimum: 0, maximum: 43200 } },
            { name: 'protocol', required: true, schema: { enum: ['exodm_bert', 'exoport_http'] } },
            {
              name: 'tags',
              required: true,
              schema: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }] },
            },
          ],
          result: {
            name: 'result',
            schema: { type: 'object', properties: { result: { const: 'ok' } }, required: ['result'] },
          },
        },
        {
          name: 'sum',
          paramStructure: 'by-position',
          params: [
            { name: 'param0', required: true, schema: { type: 'number' } },
            { name: 'param1', required: true, schema: { type: 'number' } },
          ],
          result: { name: 'result', schema: {} },
        },
      ],
    });
  });

  it('lists declared positions first for methods taking either structure', () => {
    const { router } = specRouter();
    const subtract = openRpcDocument(router, { title: 't', version: '1' }).methods.find((m) => m.name === 'subtract');
    expect(subtract).toMatchObject({ paramStructure: 'either', params: [{ name: 'minuend' }, { name: 'subtrahend' }] });
  });

  it('asks other schema vendors through Standard JSON Schema, and says "any" when they cannot tell', () => {
    const withJson: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'fleetkit-yang',
        validate: (value) => ({ value }),
        jsonSchema: {
          input: () => ({ type: 'object', properties: { 'device-id': { type: 'string' } }, required: ['device-id'] }),
        },
      },
    };
    const opaque: StandardSchemaV1 = { '~standard': { version: 1, vendor: 'other', validate: (value) => ({ value }) } };
    const router = createRouter()
      .method('exodemo:beep', { params: withJson, handler: () => 1 })
      .method('other', { params: opaque, handler: () => 1 });
    const [beep, other] = openRpcDocument(router, { title: 't', version: '1' }).methods;
    expect(beep?.params).toEqual([{ name: 'device-id', required: true, schema: { type: 'string' } }]);
    expect(other?.params).toEqual([{ name: 'params', required: false, schema: {} }]);
  });
});
