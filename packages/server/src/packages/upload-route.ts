import { sleep } from '@fleetkit/core';
import { parseBasicAuth } from '@fleetkit/jsonrpc';
import { RbacError } from '@fleetkit/rbac';
import * as v from 'valibot';
import { account } from '../api/params.ts';
import { addressOf } from '../app.ts';
import type { ServerContext } from '../context.ts';
import { LoginThrottle } from '../login-throttle.ts';
import { Outcome, ResultCode } from '../result-code.ts';
import { declarationOf, declarationParams } from './params.ts';
import { createPackage, ImageTooLarge } from './upload.ts';
import { packageObject } from './views.ts';

/** The HTTP status of each outcome of an upload. */
const STATUS: Readonly<Record<string, number>> = {
  [ResultCode.ObjectExists]: 409,
  [ResultCode.ObjectNotFound]: 404,
  [ResultCode.ValidationFailed]: 422,
  [ResultCode.MissingOption]: 400,
  [ResultCode.IllegalName]: 400,
  [ResultCode.AccountNotSpecified]: 400,
  [ResultCode.PermissionDenied]: 403,
};

const LISTS = new Set(['prerequisite-packages', 'upgrade-from-packages']);
const NUMBERS = new Set(['sequence', 'chunk-size']);

const query = v.object({ account, ...declarationParams });

/** The query string as create-package's params: lists repeated or comma-separated, numbers as numbers. */
function paramsOf(url: URL, name: string): Record<string, unknown> {
  const params: Record<string, unknown> = { 'package-name': name };
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    if (LISTS.has(key)) params[key] = values.flatMap((value) => value.split(',')).filter((item) => item !== '');
    else if (NUMBERS.has(key)) params[key] = /^\d+$/.test(values[0]!) ? Number(values[0]) : values[0];
    else params[key] = values[0];
  }
  return params;
}

function answer(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers });
}

/**
 * `PUT /exodm/packages/{name}`: creates a package from the request body,
 * streamed through the encoder without ever holding the image (manual §5.6;
 * docs/server.md §Packages). HTTP Basic auth as the backend API, the same
 * access control as `exodm:create-package` (the `account` query param picks
 * the account), and create-package's params in the query string.
 */
export function uploadHandler(server: ServerContext): (request: Request, name: string) => Promise<Response> {
  const throttle = new LoginThrottle({ clock: server.clock });
  const refuse = async (request: Request, response: Response): Promise<Response> => {
    await request.body?.cancel().catch(() => undefined);
    return response;
  };
  return async (request, name) => {
    const credentials = parseBasicAuth(request.headers.get('authorization'));
    const keys = [`user:${credentials?.user ?? ''}`, `address:${addressOf(request)}`];
    // repeated failures are slowed as on the backend API (app.ts)
    const delay = throttle.delayFor(keys);
    if (delay > 0) await sleep(server.clock, delay, request.signal);
    const login =
      credentials === undefined ? undefined : await server.rbac.authenticate(credentials.user, credentials.password);
    if (credentials === undefined || login === undefined) {
      if (credentials !== undefined) throttle.failed(keys);
      return refuse(
        request,
        answer(401, { error: 'unauthorized' }, { 'www-authenticate': 'Basic realm="exodm", charset="UTF-8"' }),
      );
    }
    throttle.succeeded(keys[0]!);
    const url = new URL(request.url);
    const parsed = v.safeParse(query, paramsOf(url, name));
    if (!parsed.success) {
      const issues = parsed.issues.map((issue) => ({
        path: (issue.path ?? []).map((item) => String(item.key)),
        message: issue.message,
      }));
      return refuse(request, answer(400, { error: 'invalid-params', issues }));
    }
    let caller: { user: string; account: string };
    try {
      caller = server.rbac.selectAccount({ login, account: parsed.output.account });
    } catch (error) {
      if (error instanceof RbacError && error.code === ResultCode.AccountNotSpecified) {
        return refuse(request, answer(400, { result: ResultCode.AccountNotSpecified, reason: error.message }));
      }
      throw error;
    }
    if (!server.rbac.can({ ...caller, method: 'exodm:create-package' }).allowed) {
      return refuse(request, answer(403, { result: ResultCode.PermissionDenied }));
    }
    const length = request.headers.get('content-length');
    const size = length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
    if (request.body === null)
      return answer(400, { result: ResultCode.MissingOption, reason: 'image: the body is empty' });
    try {
      const record = await createPackage(server, caller.account, declarationOf(parsed.output), {
        image: request.body,
        size,
      });
      return answer(201, { result: ResultCode.Ok, ...packageObject(record) });
    } catch (error) {
      if (!(error instanceof Outcome)) throw error;
      const status = error instanceof ImageTooLarge ? 413 : (STATUS[error.result] ?? 400);
      return refuse(request, answer(status, error.toResult()));
    }
  };
}
