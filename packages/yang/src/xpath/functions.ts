import type { XPathExpr } from './ast.ts';
import { type DataNode, stringValue } from './data-node.ts';
import { evaluate, type XPathContext } from './eval.ts';
import { toBoolean, toNumber, toText, type XPathValue } from './values.ts';

type FunctionCall = Extract<XPathExpr, { t: 'fn' }>;
type LazyArgument = () => XPathValue;

/** The XPath 1.0 core library (§4) plus the YANG functions (RFC 7950 §10). */
export function callFunction(
  e: FunctionCall,
  args: LazyArgument[],
  node: DataNode,
  pos: number,
  size: number,
  cx: XPathContext,
): XPathValue {
  const a = (i: number): XPathValue => args[i]!();
  const s = (i: number): string => (args[i] === undefined ? stringValue(node) : toText(a(i)));
  const set = (i: number): DataNode[] => {
    const v = a(i);
    return Array.isArray(v) ? v : [];
  };
  switch (e.name) {
    case 'last':
      return size;
    case 'position':
      return pos;
    case 'count':
      return set(0).length;
    case 'local-name':
    case 'name': {
      const n = args[0] === undefined ? [node] : set(0);
      return n[0]?.name ?? '';
    }
    case 'namespace-uri': {
      const n = args[0] === undefined ? [node] : set(0);
      return n[0]?.module ?? '';
    }
    case 'string':
      return s(0);
    case 'concat':
      return args.map((_, i) => s(i)).join('');
    case 'starts-with':
      return s(0).startsWith(s(1));
    case 'contains':
      return s(0).includes(s(1));
    case 'substring-before': {
      const x = s(0);
      const i = x.indexOf(s(1));
      return i < 0 ? '' : x.slice(0, i);
    }
    case 'substring-after': {
      const x = s(0);
      const y = s(1);
      const i = x.indexOf(y);
      return i < 0 ? '' : x.slice(i + y.length);
    }
    case 'substring':
      return substring(s(0), toNumber(a(1)), args[2] === undefined ? undefined : toNumber(a(2)));
    case 'string-length':
      return [...s(0)].length;
    case 'normalize-space':
      return s(0)
        .trim()
        .replace(/[ \t\r\n]+/g, ' ');
    case 'translate': {
      const from = [...s(1)];
      const to = [...s(2)];
      return [...s(0)]
        .map((c) => {
          const i = from.indexOf(c);
          return i < 0 ? c : (to[i] ?? '');
        })
        .join('');
    }
    case 'boolean':
      return toBoolean(a(0));
    case 'not':
      return !toBoolean(a(0));
    case 'true':
      return true;
    case 'false':
      return false;
    case 'lang':
      return false;
    case 'number':
      return args[0] === undefined ? toNumber(stringValue(node)) : toNumber(a(0));
    case 'sum':
      return set(0).reduce((t, n) => t + toNumber(stringValue(n)), 0);
    case 'floor':
      return Math.floor(toNumber(a(0)));
    case 'ceiling':
      return Math.ceil(toNumber(a(0)));
    case 'round': {
      const x = toNumber(a(0));
      return Number.isFinite(x) ? Math.floor(x + 0.5) : x;
    }
    case 'id':
      return [];
    case 'current':
      return [cx.current];
    case 'deref':
      return deref(set(0)[0], cx);
    case 'derived-from':
      return derived(set(0), s(1), e.module, false, cx);
    case 'derived-from-or-self':
      return derived(set(0), s(1), e.module, true, cx);
    case 're-match':
      return cx.regex(s(1)).test(s(0));
    case 'enum-value': {
      const n = set(0)[0];
      const en = n?.schema?.type?.enums?.find((x) => x.name === n.value);
      return en === undefined ? NaN : en.value;
    }
    case 'bit-is-set': {
      const n = set(0)[0];
      return n?.value?.split(' ').includes(s(1)) ?? false;
    }
    default:
      return '';
  }
}

function substring(str: string, start: number, len: number | undefined): string {
  const chars = [...str];
  const from = Math.round(start);
  const to = len === undefined ? Infinity : from + Math.round(len);
  return chars.filter((_, i) => i + 1 >= from && i + 1 < to).join('');
}

/** RFC 7950 §10.3.1: the nodes a leafref or instance-identifier points to. */
function deref(n: DataNode | undefined, cx: XPathContext): DataNode[] {
  const type = n?.schema?.type;
  if (n === undefined || type === undefined) return [];
  if (type.base === 'leafref' && type.path !== undefined) {
    const targets = evaluate(type.path, n, { ...cx, current: n });
    return Array.isArray(targets) ? targets.filter((t) => stringValue(t) === n.value) : [];
  }
  return [];
}

function derived(nodes: DataNode[], identity: string, module: string, orSelf: boolean, cx: XPathContext): boolean {
  const id = identity.includes(':') ? identity : `${module}:${identity}`;
  const set = cx.derived(id);
  return nodes.some((n) => n.value !== undefined && ((orSelf && n.value === id) || (set?.has(n.value) ?? false)));
}
