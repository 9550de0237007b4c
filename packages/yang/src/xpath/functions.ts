import type { FunctionCall } from './ast.ts';
import { type DataNode, stringValue } from './data-node.ts';
import { evaluate, type Focus, type XPathContext } from './eval.ts';
import { toBoolean, toNumber, toText, type XPathValue } from './values.ts';

type LazyArgument = () => XPathValue;

/** The XPath 1.0 core library (§4) plus the YANG functions (RFC 7950 §10). */
export function callFunction(
  call: FunctionCall,
  args: LazyArgument[],
  focus: Focus,
  context: XPathContext,
): XPathValue {
  const { node } = focus;
  const argument = (index: number): XPathValue => args[index]!();
  const text = (index: number): string => (args[index] === undefined ? stringValue(node) : toText(argument(index)));
  const nodes = (index: number): DataNode[] => {
    const value = argument(index);
    return Array.isArray(value) ? value : [];
  };
  switch (call.name) {
    case 'last':
      return focus.size;
    case 'position':
      return focus.position;
    case 'count':
      return nodes(0).length;
    case 'local-name':
    case 'name': {
      const selected = args[0] === undefined ? [node] : nodes(0);
      return selected[0]?.name ?? '';
    }
    case 'namespace-uri': {
      const selected = args[0] === undefined ? [node] : nodes(0);
      return selected[0]?.module ?? '';
    }
    case 'string':
      return text(0);
    case 'concat':
      return args.map((_, i) => text(i)).join('');
    case 'starts-with':
      return text(0).startsWith(text(1));
    case 'contains':
      return text(0).includes(text(1));
    case 'substring-before': {
      const subject = text(0);
      const index = subject.indexOf(text(1));
      return index < 0 ? '' : subject.slice(0, index);
    }
    case 'substring-after': {
      const subject = text(0);
      const separator = text(1);
      const index = subject.indexOf(separator);
      return index < 0 ? '' : subject.slice(index + separator.length);
    }
    case 'substring':
      return substring(text(0), toNumber(argument(1)), args[2] === undefined ? undefined : toNumber(argument(2)));
    case 'string-length':
      return [...text(0)].length;
    case 'normalize-space':
      return text(0)
        .trim()
        .replace(/[ \t\r\n]+/g, ' ');
    case 'translate': {
      const from = [...text(1)];
      const replacements = [...text(2)];
      return [...text(0)]
        .map((character) => {
          const index = from.indexOf(character);
          return index < 0 ? character : (replacements[index] ?? '');
        })
        .join('');
    }
    case 'boolean':
      return toBoolean(argument(0));
    case 'not':
      return !toBoolean(argument(0));
    case 'true':
      return true;
    case 'false':
      return false;
    case 'lang':
      return false;
    case 'number':
      return args[0] === undefined ? toNumber(stringValue(node)) : toNumber(argument(0));
    case 'sum':
      return nodes(0).reduce((total, item) => total + toNumber(stringValue(item)), 0);
    case 'floor':
      return Math.floor(toNumber(argument(0)));
    case 'ceiling':
      return Math.ceil(toNumber(argument(0)));
    case 'round': {
      const value = toNumber(argument(0));
      return Number.isFinite(value) ? Math.floor(value + 0.5) : value;
    }
    case 'id':
      return [];
    case 'current':
      return [context.current];
    case 'deref':
      return deref(nodes(0)[0], context);
    case 'derived-from':
      return derived(nodes(0), text(1), call.module, false, context);
    case 'derived-from-or-self':
      return derived(nodes(0), text(1), call.module, true, context);
    case 're-match':
      return context.regex(text(1)).test(text(0));
    case 'enum-value': {
      const first = nodes(0)[0];
      const item = first?.schema?.type?.enums?.find((candidate) => candidate.name === first.value);
      return item === undefined ? NaN : item.value;
    }
    case 'bit-is-set': {
      const first = nodes(0)[0];
      return first?.value?.split(' ').includes(text(1)) ?? false;
    }
    default:
      return '';
  }
}

function substring(text: string, start: number, length: number | undefined): string {
  const chars = [...text];
  const from = Math.round(start);
  const end = length === undefined ? Infinity : from + Math.round(length);
  return chars.filter((_, i) => i + 1 >= from && i + 1 < end).join('');
}

/** RFC 7950 §10.3.1: the nodes a leafref or instance-identifier points to. */
function deref(node: DataNode | undefined, context: XPathContext): DataNode[] {
  const type = node?.schema?.type;
  if (node === undefined || type === undefined) return [];
  if (type.base === 'leafref' && type.path !== undefined) {
    const targets = evaluate(type.path, node, { ...context, current: node });
    return Array.isArray(targets) ? targets.filter((target) => stringValue(target) === node.value) : [];
  }
  return [];
}

function derived(nodes: DataNode[], identity: string, module: string, orSelf: boolean, context: XPathContext): boolean {
  const qualified = identity.includes(':') ? identity : `${module}:${identity}`;
  const set = context.derived(qualified);
  return nodes.some(
    (node) => node.value !== undefined && ((orSelf && node.value === qualified) || (set?.has(node.value) ?? false)),
  );
}
