// RFC 7950 §9.13 / RFC 7951 §6.11 instance-identifier syntax: every step
// module-qualified where the module changes (always on the first step), key
// predicates `[k='v']`, leaf-list predicates `[.='v']` or positions `[3]`.
const ID = '[A-Za-z_][\\w.-]*';
const QUOTED = `(?:'[^']*'|"[^"]*")`;
const PRED = `\\[\\s*(?:(?:${ID}:)?${ID}|\\.)\\s*=\\s*${QUOTED}\\s*\\]|\\[[1-9]\\d*\\]`;
const STEP = `/(?:${ID}:)?${ID}(?:${PRED})*`;
const FIRST = `/${ID}:${ID}(?:${PRED})*`;
const INSTANCE_ID = new RegExp(`^${FIRST}(?:${STEP})*$`);

/** True when `v` is a syntactically valid instance-identifier in JSON encoding. */
export function isInstanceIdentifier(v: string): boolean {
  return INSTANCE_ID.test(v);
}

/** `ietf-netconf-acm` node-instance-identifier: "/" alone, or an instance-identifier whose keys may be left out. */
export function isNodeInstanceIdentifier(v: string): boolean {
  return v === '/' || INSTANCE_ID.test(v);
}
