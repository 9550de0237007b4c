// RFC 7950 §9.13 / RFC 7951 §6.11 instance-identifier syntax: every step
// module-qualified where the module changes (always on the first step), key
// predicates `[k='v']`, leaf-list predicates `[.='v']` or positions `[3]`.
const IDENTIFIER = '[A-Za-z_][\\w.-]*';
const QUOTED = `(?:'[^']*'|"[^"]*")`;
const PRED = `\\[\\s*(?:(?:${IDENTIFIER}:)?${IDENTIFIER}|\\.)\\s*=\\s*${QUOTED}\\s*\\]|\\[[1-9]\\d*\\]`;
const STEP = `/(?:${IDENTIFIER}:)?${IDENTIFIER}(?:${PRED})*`;
const FIRST = `/${IDENTIFIER}:${IDENTIFIER}(?:${PRED})*`;
const INSTANCE_ID = new RegExp(`^${FIRST}(?:${STEP})*$`);

/** True when `text` is a syntactically valid instance-identifier in JSON encoding. */
export function isInstanceIdentifier(text: string): boolean {
  return INSTANCE_ID.test(text);
}

/** `ietf-netconf-acm` node-instance-identifier: "/" alone, or an instance-identifier whose keys may be left out. */
export function isNodeInstanceIdentifier(text: string): boolean {
  return text === '/' || INSTANCE_ID.test(text);
}
