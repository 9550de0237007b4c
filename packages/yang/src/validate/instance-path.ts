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
  let at = 0;
  let module = '';
  const name = (): string => {
    const m = NAME.exec(text.slice(at));
    if (m === null) return fail(`expected a name at offset ${at}`);
    at += m[0].length;
    return m[0];
  };
  if (text === '' || text[0] !== '/') fail('it must start with "/"');
  while (at < text.length) {
    if (text[at] !== '/') fail(`expected "/" at offset ${at}`);
    at++;
    let local = name();
    if (text[at] === ':') {
      at++;
      module = local;
      local = name();
    } else if (module === '') fail('the first step needs its module ("module:name")');
    const keys: [string, string][] = [];
    while (text[at] === '[') {
      at++;
      let key = name();
      if (text[at] === ':') {
        at++;
        key = name();
      }
      if (text[at] !== '=') fail(`expected "=" after key "${key}"`);
      at++;
      const quote = text[at];
      if (quote !== "'" && quote !== '"') return fail(`the value of key "${key}" must be quoted`);
      const end = text.indexOf(quote, at + 1);
      if (end < 0) fail(`the value of key "${key}" is not closed`);
      keys.push([key, text.slice(at + 1, end)]);
      at = end + 1;
      if (text[at] !== ']') fail(`expected "]" after the value of key "${key}"`);
      at++;
    }
    steps.push({ module, name: local, keys });
  }
  return steps;
}
