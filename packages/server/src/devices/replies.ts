import { readLimited } from '@fleetkit/jsonrpc';
import type * as v from 'valibot';

/** A device-facing error: the HTTP status and a JSON body `{error, message, …}` (never a bare status: devices parse every answer). */
export function problem(
  status: number,
  error: string,
  message: string,
  more: { readonly body?: Record<string, unknown>; readonly headers?: Record<string, string> } = {},
): Response {
  return Response.json(
    { error, message, ...more.body },
    { status, ...(more.headers ? { headers: more.headers } : {}) },
  );
}

/** The valibot issues of a refused body, as `{path, message}` pairs. */
export function issueList(issues: readonly v.BaseIssue<unknown>[]): { path: string; message: string }[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((item) => String(item.key)).join('.'),
    message: issue.message,
  }));
}

/** The outcome of {@link readJsonBody}: the parsed value, or the answer to give instead. */
export type BodyRead = { readonly value: unknown } | { readonly refused: Response };

/**
 * Reads a request's JSON body up to `limit` bytes: 413 beyond it (the rest
 * is not read), 400 for a body that is not JSON or breaks off. An empty body
 * reads as `{}` (a GET-like POST from a minimal device).
 */
export async function readJsonBody(request: Request, limit: number): Promise<BodyRead> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) {
    await request.body?.cancel().catch(() => {});
    return { refused: problem(413, 'body-too-large', `The body is over ${limit} bytes`) };
  }
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readLimited(request, limit);
  } catch {
    return { refused: problem(400, 'body-unreadable', 'The body could not be read') };
  }
  if (bytes === undefined) return { refused: problem(413, 'body-too-large', `The body is over ${limit} bytes`) };
  const text = new TextDecoder().decode(bytes).trim();
  if (text === '') return { value: {} };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { refused: problem(400, 'invalid-json', 'The body is not JSON') };
  }
}
