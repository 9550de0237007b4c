import { reject } from './_internal/fail.ts';
import { RbacErrorCode } from './errors.ts';

// exodm_type.yang `id-string`: 1..64 characters. A name starts with a letter
// or digit so a Basic-auth login can never be mistaken for the
// `<D>account<D>user` form, whose delimiter D is punctuation.
const ID = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;
// YANG identifier (RFC 7950 §6.2), optionally prefixed by a module name.
const YANG_ID = '[A-Za-z_][A-Za-z0-9_.-]*';
const RPC = new RegExp(`^(?:${YANG_ID}:)?${YANG_ID}$`);

const ID_RULE = '1 to 64 characters: letters, digits and . _ @ + -, starting with a letter or digit';

/** Checks an account, user or package name; throws `illegal-name` with the path. */
export function checkName(path: string, value: unknown): string {
  if (typeof value === 'string' && ID.test(value)) return value;
  return illegal(path, ID_RULE, value);
}

/** Checks an RPC name (`module:rpc` or `rpc`, YANG identifiers). */
export function checkRpcName(path: string, value: unknown): string {
  if (typeof value === 'string' && value.length <= 256 && RPC.test(value)) return value;
  return illegal(path, 'a YANG RPC name, `module:rpc` or `rpc`, at most 256 characters', value);
}

function illegal(path: string, expected: string, got: unknown): never {
  return reject(RbacErrorCode.IllegalName, 'accept the name', path, expected, got);
}
