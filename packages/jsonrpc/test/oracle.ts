// An independent model of what a router serving `add`, `incr`, `fail` and
// `later` must answer for any JSON value (specification §4–§6), written
// without the router's code so the property test can compare the two.

export type Expected = { readonly id: unknown; readonly code?: number; readonly result?: unknown };
export type Effect = readonly unknown[];

export interface Prediction {
  /** `none`: no body; `one`: a single response; `many`: an array of responses. */
  readonly shape: 'none' | 'one' | 'many';
  readonly responses: readonly Expected[];
  /** Handler side effects, in order. */
  readonly effects: readonly Effect[];
}

const plainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const validId = (x: unknown): boolean =>
  x === null || typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x));

export function predict(text: string, state: { counter: number }): Prediction {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { shape: 'one', responses: [{ id: null, code: -32700 }], effects: [] };
  }
  const effects: Effect[] = [];
  if (!Array.isArray(value)) {
    const r = entry(value, state, effects);
    return { shape: r === undefined ? 'none' : 'one', responses: r === undefined ? [] : [r], effects };
  }
  if (value.length === 0) return { shape: 'one', responses: [{ id: null, code: -32600 }], effects };
  const responses = value.map((v) => entry(v, state, effects)).filter((r): r is Expected => r !== undefined);
  return { shape: responses.length === 0 ? 'none' : 'many', responses, effects };
}

function holdsInfinity(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some(holdsInfinity);
}

function entry(v: unknown, state: { counter: number }, effects: Effect[]): Expected | undefined {
  if (!plainObject(v)) return { id: null, code: -32600 };
  const hasId = Object.hasOwn(v, 'id');
  if (hasId && !validId(v.id)) return { id: null, code: -32600 };
  const id = hasId ? v.id : null;
  const paramsOk = !Object.hasOwn(v, 'params') || (typeof v.params === 'object' && v.params !== null);
  if (v.jsonrpc !== '2.0' || typeof v.method !== 'string' || !paramsOk) return { id, code: -32600 };
  const reply = (r: Expected): Expected | undefined => (hasId ? r : undefined);
  // a number beyond the double range (1e999 reads as Infinity) makes the params of a method with a schema invalid
  if (v.method === 'add' && holdsInfinity(v.params)) return reply({ id, code: -32602 });
  switch (v.method) {
    case 'add': {
      const p = v.params;
      let named: Record<string, unknown> | undefined;
      if (Array.isArray(p)) named = p.length <= 2 ? { a: p[0], b: p[1] } : undefined;
      else named = (p ?? {}) as Record<string, unknown>;
      if (named === undefined || typeof named.a !== 'number' || typeof named.b !== 'number')
        return reply({ id, code: -32602 });
      effects.push(['add', named.a, named.b]);
      return reply({ id, result: named.a + named.b });
    }
    case 'incr':
      state.counter++;
      effects.push(['incr']);
      return reply({ id, result: state.counter });
    case 'fail':
      return reply({ id, code: -32603 });
    case 'later':
      effects.push(['later']);
      return reply({ id, result: Object.hasOwn(v, 'params') ? v.params : null });
    default:
      return reply({ id, code: -32601 });
  }
}
