/** The caller's `X-Request-Id`, kept for log correlation only when it is short and printable. */
export function requestIdHeader(request: Request): string | undefined {
  const header = request.headers.get('x-request-id');
  return header !== null && header.length <= 128 && PRINTABLE.test(header) ? header : undefined;
}

const PRINTABLE = /^[\x21-\x7e]+$/;
