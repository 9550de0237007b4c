import { YangError, YangErrorCode } from '../errors.ts';

/** One step of an instance path: a node name, module-qualified where the module changes, and its key values. */
export interface PathStep {
  readonly module: string;
  readonly name: string;
  readonly keys: readonly (readonly [name: string, value: string])[];
}

const NAME = /^[A-Za-z_][\w.-]*/;

/**
 * Reads an instance path as yanglint prints one (RFC 7951 §6.11 style):
 * `/mod:top/list[key='k'][other="v"]/action`. The first step names its
 * module; a later step without one is in the module of the step before.
 */
export function parseInstancePath(text: string): PathStep[] {
  const fail = (why: string): never => {
    throw new YangError(YangErrorCode.InvalidArgument, `Invalid instance path "${text}": ${why}`);
  };
  const steps: PathStep[] = [];
  let offset = 0;
  let module = '';
  const name = (): string => {
    const match = NAME.exec(text.slice(offset));
    if (match === null) return fail(`expected a name at offset ${offset}`);
    offset += match[0].length;
    return match[0];
  };
  if (text === '' || text[0] !== '/') fail('it must start with "/"');
  while (offset < text.length) {
    if (text[offset] !== '/') fail(`expected "/" at offset ${offset}`);
    offset++;
    let local = name();
    if (text[offset] === ':') {
      offset++;
      module = local;
      local = name();
    } else if (module === '') fail('the first step needs its module ("module:name")');
    const keys: [string, string][] = [];
    while (text[offset] === '[') {
      offset++;
      let key = name();
      if (text[offset] === ':') {
        offset++;
        key = name();
      }
      if (text[offset] !== '=') fail(`expected "=" after key "${key}"`);
      offset++;
      const quote = text[offset];
      if (quote !== "'" && quote !== '"') return fail(`the value of key "${key}" must be quoted`);
      const end = text.indexOf(quote, offset + 1);
      if (end < 0) fail(`the value of key "${key}" is not closed`);
      keys.push([key, text.slice(offset + 1, end)]);
      offset = end + 1;
      if (text[offset] !== ']') fail(`expected "]" after the value of key "${key}"`);
      offset++;
    }
    steps.push({ module, name: local, keys });
  }
  return steps;
}
