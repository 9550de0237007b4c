import { JsonRpcError } from '../errors.ts';

/** `value`, or `fallback` when absent; a bad value throws `invalid-definition` naming the option. */
export function countOption(path: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new JsonRpcError(
      'invalid-definition',
      `Cannot use ${path} = ${String(value)}: expected an integer >= ${min}`,
      {
        details: { path, expected: `integer >= ${min}`, got: value },
      },
    );
  }
  return value;
}

/** An absolute http(s) URL, or `invalid-definition` naming the option. */
export function urlOption(path: string, value: string | URL): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new JsonRpcError(
      'invalid-definition',
      `Cannot use ${path} = ${JSON.stringify(String(value))}: expected an absolute http(s) URL`,
      {
        details: { path, expected: 'absolute http(s) URL', got: String(value) },
      },
    );
  }
  return url.href;
}
