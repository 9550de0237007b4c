import { RbacError, RbacErrorCode } from '../errors.ts';

/** Throws "Cannot <action> as <path> must be <expected>: got <got>" with those facts in `details`. */
export function reject(code: RbacErrorCode, action: string, path: string, expected: string, got: unknown): never {
  throw new RbacError(code, `Cannot ${action} as ${path} must be ${expected}: got ${JSON.stringify(got)}`, {
    details: { path, expected, got },
  });
}

/** `validation-failed` for an input that is not a name. */
export function invalid(path: string, expected: string, got: unknown, action = 'accept the input'): never {
  return reject(RbacErrorCode.ValidationFailed, action, path, expected, got);
}

export function exists(what: string, name: string): never {
  throw new RbacError(
    RbacErrorCode.ObjectExists,
    `Cannot create ${what} ${JSON.stringify(name)} as it already exists`,
    {
      details: { path: what, got: name },
    },
  );
}

export function notFound(what: string, name: string): never {
  throw new RbacError(RbacErrorCode.ObjectNotFound, `Cannot find ${what} ${JSON.stringify(name)}`, {
    details: { path: what, got: name },
  });
}
