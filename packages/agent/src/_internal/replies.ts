import { AgentError, AgentErrorCode } from '../errors.ts';
import type { PackageState } from '../transport.ts';
import type { AuthData, Command, ConfigDocument, License, Pending } from '../types.ts';

type Fields = Readonly<Record<string, unknown>>;

/** True for a plain JSON object. */
export function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(what: string, got: unknown): AgentError {
  return new AgentError(AgentErrorCode.InvalidReply, `Cannot read the server's ${what}: unexpected shape`, {
    details: { reply: what, got },
  });
}

/** An id the server may send as a number or as text. */
function idOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function versionOf(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 ? number : undefined;
}

/** `{id, access_key, hub_url}`; a missing hub URL means the provisioning URL's origin. */
export function authDataOf(reply: unknown, provisioningUrl: string): AuthData {
  const id = isObject(reply) ? idOf(reply.id) : undefined;
  if (!isObject(reply) || id === undefined || typeof reply.access_key !== 'string' || reply.access_key === '') {
    throw invalid('registration', reply);
  }
  const hub =
    typeof reply.hub_url === 'string' && reply.hub_url !== '' ? reply.hub_url : new URL(provisioningUrl).origin;
  return { id, accessKey: reply.access_key, hubUrl: hub.replace(/\/+$/, '') };
}

/** `{config_version, command, new_licenses}`. */
export function pendingOf(reply: unknown): Pending {
  if (!isObject(reply)) throw invalid('telemetry answer', reply);
  const configVersion =
    reply.config_version === undefined || reply.config_version === null ? 0 : versionOf(reply.config_version);
  if (configVersion === undefined) throw invalid('telemetry answer', reply);
  return { command: reply.command === true, configVersion, licenses: reply.new_licenses === true };
}

/** `{id, name, parameters, status, cancel?}`. */
export function commandOf(reply: unknown): Command {
  const id = isObject(reply) ? idOf(reply.id) : undefined;
  if (!isObject(reply) || id === undefined || typeof reply.name !== 'string') throw invalid('command', reply);
  return {
    id,
    name: reply.name,
    parameters: isObject(reply.parameters) ? reply.parameters : {},
    status: reply.status === 'in_progress' ? 'in_progress' : 'pending',
    cancel: reply.cancel === true,
  };
}

/** `{id?, version, config}`. */
export function configOf(reply: unknown): ConfigDocument {
  const version = isObject(reply)
    ? versionOf(reply.version ?? (isObject(reply.config) ? reply.config.version : undefined))
    : undefined;
  if (!isObject(reply) || version === undefined) throw invalid('configuration', reply);
  const id = idOf(reply.id);
  return { ...(id === undefined ? {} : { id }), version, config: isObject(reply.config) ? reply.config : {} };
}

const ACTIONS = ['add', 'update', 'remove'] as const;

/** `[{id, add|update|remove: true, expired_at?, data?}]`. */
export function licensesOf(reply: unknown): License[] {
  if (!Array.isArray(reply)) throw invalid('licences', reply);
  return reply.map((entry: unknown) => {
    const id = isObject(entry) ? idOf(entry.id) : undefined;
    const action = isObject(entry) ? ACTIONS.find((name) => entry[name] === true) : undefined;
    if (!isObject(entry) || id === undefined || action === undefined) throw invalid('licences', reply);
    return {
      id,
      action,
      ...(typeof entry.expired_at === 'string' ? { expiresAt: entry.expired_at } : {}),
      data: entry.data,
    };
  });
}

/** `{packages: [{package-name, package-status, confirmed}]}`: the server's view of the device's packages. */
export function packageStatesOf(reply: unknown): PackageState[] {
  if (!isObject(reply) || !Array.isArray(reply.packages)) throw invalid('packages', reply);
  return reply.packages.filter(isObject).map((entry) => ({
    name: String(entry['package-name'] ?? entry.name),
    status: String(entry['package-status']),
    confirmed: entry.confirmed === true,
  }));
}
