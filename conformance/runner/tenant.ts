import type { Login, Reply } from './backend.ts';
import type { PlayedDevice } from './devices/device.ts';
import type { Env } from './env.ts';

/**
 * An account a suite creates for itself through the backend API, as the
 * master user: its admin (`<account>-admin`), and a record of what it
 * created so that `dispose` can delete it again, newest first.
 */
export class Tenant {
  readonly env: Env;
  readonly account: string;
  readonly admin: Login;
  readonly #undo: { readonly login: Login; readonly method: string; readonly params: Record<string, unknown> }[] = [];
  readonly #devices: PlayedDevice[] = [];
  readonly #types = new Set<string>();

  private constructor(env: Env, account: string) {
    this.env = env;
    this.account = account;
    this.admin = { user: `${account}-admin`, password: env.password };
  }

  /** Creates the account `<run>-<label>` and its admin. */
  static async create(env: Env, label: string): Promise<Tenant> {
    const tenant = new Tenant(env, `${env.run}-${label}`);
    await env.backend.ok(env.backend.master, 'exodm:create-account', {
      name: tenant.account,
      uname: tenant.admin.user,
      email: 'conformance@example.com',
      password: env.password,
    });
    tenant.#undo.push({ login: env.backend.master, method: 'exodm:delete-account', params: { name: tenant.account } });
    return tenant;
  }

  /** A call as the account's admin. */
  call(method: string, params?: Record<string, unknown>): Promise<Reply> {
    return this.env.backend.call(this.admin, method, params);
  }

  /** A call as the admin that must answer `{"result": "ok"}`. */
  ok(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.env.backend.ok(this.admin, method, params);
  }

  /** Remembers how to delete something this suite made, as `login` (default the admin). */
  undo(method: string, params: Record<string, unknown>, login: Login = this.admin): void {
    this.#undo.push({ login, method, params });
  }

  /** Uploads a YANG module (manual §5.9). */
  async module(name: string, text: string): Promise<void> {
    await this.ok('exodm:create-yang-module', { name: `${name}.yang`, 'yang-module': text });
    this.undo('exodm:delete-yang-module', { name: `${name}.yang` });
  }

  /** Lets `role` call `<module>:<rpc>` (manual §8.5). */
  async grant(role: string, module: string, rpc: string): Promise<void> {
    await this.ok('exodm:add-role-execution-permission', { role, 'package-name': module, 'rpc-name': rpc });
  }

  /** A device type of the run's device API (manual §5.5), made once. */
  async type(name: string): Promise<string> {
    if (this.#types.has(name)) return name;
    const devices = this.env.devices;
    await this.ok('exodm:create-device-type', { name, protocol: devices.protocol, ...devices.typeParams(this, name) });
    this.#types.add(name);
    this.undo('exodm:delete-device-type', { name });
    return name;
  }

  /** A device of the given type (default `device-type`), played through the run's device API. */
  async device(id: string, type = 'device-type'): Promise<PlayedDevice> {
    await this.type(type);
    const device = await this.env.devices.provision(this, id, type);
    this.#devices.push(device);
    this.undo('exodm:delete-devices', { 'device-id': [id] });
    return device;
  }

  /** A device group (manual §5.8), with a notification URL if given. */
  async group(id: string, notificationUrl?: string): Promise<void> {
    await this.ok('exodm:create-device-group', {
      'group-name': id,
      ...(notificationUrl === undefined ? {} : { 'notification-url': notificationUrl }),
    });
    this.undo('exodm:delete-device-group', { 'group-name': id });
  }

  /** Adds devices to a group; `primary` marks the group as their primary one. */
  async join(group: string, devices: readonly string[], primary = false): Promise<void> {
    await this.ok('exodm:add-device-group-members', { 'group-name': group, 'device-id': devices, primary });
  }

  /** Closes the played devices and deletes what the suite made, newest first; failures are ignored. */
  async dispose(): Promise<void> {
    await Promise.allSettled(this.#devices.map((device) => device.close()));
    for (const step of this.#undo.splice(0).reverse()) {
      try {
        await this.env.backend.call(step.login, step.method, step.params);
      } catch {
        // best effort: the server under test may be gone
      }
    }
  }
}
