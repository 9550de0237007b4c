// Runs the real `fleetkit-server` CLI (src/adapters/cli.ts) in a child
// process, as an operator would, so tests can kill it with SIGKILL or stop it
// with SIGTERM and start it again on the same database.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');
/** The repository's Node 24 (runs the TypeScript sources directly). */
const NODE = join(root, 'node_modules', '.bin', 'node');
const CLI = join(root, 'packages', 'server', 'src', 'adapters', 'cli.ts');
/** Lines of the child's stderr kept for a failure message. */
const KEPT_LINES = 40;

/** Options of {@link startChild}. */
export interface ChildOptions {
  /** The data directory of the embedded SQLite store; give this or `database`. */
  readonly dataDir?: string;
  /** A `postgres://` URL (`--database`). */
  readonly database?: string;
  /** TCP port; 0 (the default) picks a free one. A restart passes the first start's port. */
  readonly port?: number;
  /** `FLEETKIT_ADMIN_PASSWORD`: sysadm's password on first start. */
  readonly adminPassword: string;
  /** More flags, e.g. `['--log-level', 'debug']`. */
  readonly args?: readonly string[];
}

/** How a child ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A server process started by {@link startChild}. */
export interface ServerChild {
  /** The URL it printed, ending in `/`. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly exited: Promise<Exit>;
  /** SIGKILL: no cleanup of any kind; resolves once the process is gone. */
  kill(): Promise<Exit>;
  /** SIGTERM: the CLI's graceful stop; resolves once the process has exited. */
  stop(): Promise<Exit>;
  /** The last lines the child wrote to stderr (its JSON logs). */
  logs(): string;
}

/**
 * Starts `fleetkit-server` on a SQLite data directory or a PostgreSQL URL and
 * resolves once it printed its URL (it listens then). Rejects with the
 * child's stderr if it exits first.
 */
export function startChild(options: ChildOptions): Promise<ServerChild> {
  const args = ['--conditions=source', CLI, '--port', String(options.port ?? 0), '--log-level', 'warn'];
  if (options.dataDir !== undefined) args.push('--data-dir', options.dataDir);
  if (options.database !== undefined) args.push('--database', options.database);
  args.push(...(options.args ?? []));
  const child: ChildProcess = spawn(NODE, args, {
    cwd: root,
    env: { ...process.env, FLEETKIT_ADMIN_PASSWORD: options.adminPassword },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    if (lines.length > KEPT_LINES) lines.splice(0, lines.length - KEPT_LINES);
  });
  const logs = (): string => [...lines, partial].join('\n');
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const ended = (signal: NodeJS.Signals) => async (): Promise<Exit> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return new Promise<ServerChild>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8');
    const onData = (chunk: string): void => {
      out += chunk;
      const match = /fleetkit server on (\S+) /.exec(out);
      if (match === null) return;
      child.stdout!.off('data', onData);
      // keep draining stdout, or a full pipe would block the child
      child.stdout!.resume();
      const url = match[1]!;
      resolve({
        url,
        port: Number(new URL(url).port),
        pid: child.pid!,
        exited,
        kill: ended('SIGKILL'),
        stop: ended('SIGTERM'),
        logs,
      });
    };
    child.stdout!.on('data', onData);
    child.once('error', reject);
    void exited.then((exit) =>
      reject(new Error(`fleetkit-server exited before it listened (${JSON.stringify(exit)}):\n${out}\n${logs()}`)),
    );
  });
}

/** A backend's JSON-RPC answer: the HTTP status and the parsed body. */
export interface BackendReply {
  readonly status: number;
  readonly result?: Record<string, unknown>;
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
}

let rpcId = 0;

/**
 * One backend call to `POST /exodm/rpc` of `url` with Basic auth. Throws
 * when the network fails (a killed server): the caller decides to repeat it.
 */
export async function backendCall(
  url: string,
  login: { readonly user: string; readonly password: string },
  method: string,
  params: Record<string, unknown> = {},
): Promise<BackendReply> {
  const response = await fetch(new URL('exodm/rpc', url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${login.user}:${login.password}`).toString('base64')}`,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, ...(text === '' ? {} : (JSON.parse(text) as object)) };
}

/** sysadm's password in every child-process test. */
export const ADMIN_PASSWORD = 'child-test-sysadm-password';
export const SYSADM = { user: 'sysadm', password: ADMIN_PASSWORD } as const;
/** The admin of account `acme`, which every child-process test creates. */
export const ACME = { user: 'acme-admin', password: 'child-test-acme-password' } as const;
/** The provisioning key of acme's device type `meter` (plugin fleetkit-http). */
export const PROVISIONING_KEY = 'child-test-provisioning-key';

/** The device RPC the tests drive: `work:run`, which a device answers with what it did. */
export const WORK_YANG = `module work {
  namespace "urn:fleetkit:work";
  prefix w;
  import exosense { prefix exo; }
  revision 2024-01-01;
  rpc run {
    input { uses exo:std-request; leaf n { type uint32; } }
    output { leaf done { type uint32; } }
  }
}`;

/** Calls `method` and expects `{result: 'ok'}` (with whatever else it answers); throws otherwise. */
export async function expectOk(
  url: string,
  login: { readonly user: string; readonly password: string },
  method: string,
  params: Record<string, unknown>,
): Promise<BackendReply> {
  const reply = await backendCall(url, login, method, params);
  if (reply.result?.result !== 'ok') throw new Error(`${method}: ${JSON.stringify(reply)}`);
  return reply;
}

/**
 * Creates account acme (admin `acme-admin`), its module `work` with
 * `work:run` granted to the admin role, and the device type `meter` of the
 * HTTP device API with {@link PROVISIONING_KEY}.
 */
export async function setUpAcme(url: string): Promise<void> {
  await expectOk(url, SYSADM, 'exodm:create-account', {
    name: 'acme',
    email: 'ops@acme.example',
    password: ACME.password,
  });
  await expectOk(url, ACME, 'exodm:create-yang-module', { name: 'work.yang', 'yang-module': WORK_YANG });
  await expectOk(url, ACME, 'exodm:add-role-execution-permission', {
    role: 'admin',
    'package-name': 'work',
    'rpc-name': 'run',
  });
  await expectOk(url, ACME, 'exodm:create-device-type', {
    name: 'meter',
    protocol: 'fleetkit-http',
    'provisioning-key': PROVISIONING_KEY,
  });
}
