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
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    if (request.body !== null) {
      const reader = request.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > limit) {
          await reader.cancel().catch(() => {});
          return { refused: problem(413, 'body-too-large', `The body is over ${limit} bytes`) };
        }
        chunks.push(value);
      }
    }
  } catch {
    return { refused: problem(400, 'body-unreadable', 'The body could not be read') };
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  const text = new TextDecoder().decode(bytes).trim();
  if (text === '') return { value: {} };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { refused: problem(400, 'invalid-json', 'The body is not JSON') };
  }
}
