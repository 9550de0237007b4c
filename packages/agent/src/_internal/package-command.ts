import { type InstalledPackage, PACKAGE_COMMANDS, type PackageOperation } from '../packages.ts';
import type { Command } from '../types.ts';
import { isObject } from './replies.ts';

/** A package command as the agent carries it out (docs/server.md, Packages: the command's parameters). */
export interface PackageJob {
  readonly command: Command;
  readonly operation: PackageOperation;
  readonly name: string;
  readonly version: string;
  /** The image's Merkle root in hex, which the signed manifest must name. */
  readonly root?: string;
  /** Paths relative to the device's own base. */
  readonly manifest: string;
  readonly image: string;
  readonly acknowledge: string;
  readonly report: string;
  readonly from?: InstalledPackage;
  readonly values?: Readonly<Record<string, unknown>>;
  readonly arguments?: unknown;
  readonly asDependency: boolean;
}

const SEGMENT = /^[A-Za-z0-9._~%@+-]+$/;

/** True for a path below the device's base: segments of URL-safe characters, none `.` or `..`. */
export function isRelativePath(path: unknown): path is string {
  return (
    typeof path === 'string' &&
    path.split('/').every((segment) => SEGMENT.test(segment) && segment !== '.' && segment !== '..')
  );
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** True when the command is a package operation by its name (the transaction's tag). */
export function isPackageCommand(command: Command): boolean {
  return Object.hasOwn(PACKAGE_COMMANDS, command.name);
}

/** The job a package command asks for, or why it cannot be read. */
export function packageJobOf(command: Command): PackageJob | string {
  const p = command.parameters;
  const operation = PACKAGE_COMMANDS[command.name];
  if (operation === undefined) return `${command.name} is not a package command`;
  const name = text(p['package-name']);
  const version = text(p.version);
  if (name === undefined || version === undefined) return 'the command names no package-name and version';
  const base = `packages/${encodeURIComponent(name)}`;
  const paths = {
    manifest: p.manifest ?? `${base}/manifest`,
    image: p.image ?? `${base}/image`,
    acknowledge: p.acknowledge ?? `${base}/chunks`,
    report: p.report ?? `${base}/status`,
  };
  for (const [key, path] of Object.entries(paths)) {
    if (!isRelativePath(path)) return `${key} is not a path below the device's URL: ${JSON.stringify(path)}`;
  }
  const fromName = text(p['from-package']);
  const fromVersion = text(p['from-version']);
  const root = text(p.root);
  return {
    command,
    operation,
    name,
    version,
    ...(root === undefined ? {} : { root: root.toLowerCase() }),
    manifest: paths.manifest as string,
    image: paths.image as string,
    acknowledge: paths.acknowledge as string,
    report: paths.report as string,
    ...(fromName === undefined ? {} : { from: { name: fromName, version: fromVersion ?? '' } }),
    ...(isObject(p.values) ? { values: p.values } : {}),
    ...(p.arguments === undefined ? {} : { arguments: p.arguments }),
    asDependency: p['as-dependency'] === true,
  };
}

/** What a job's success is reported as. */
export function successOf(operation: PackageOperation): 'installed' | 'upgraded' | 'uninstalled' | 'transmitted' {
  if (operation === 'install') return 'installed';
  if (operation === 'upgrade') return 'upgraded';
  return operation === 'uninstall' ? 'uninstalled' : 'transmitted';
}

/** What a job's failure is reported as. */
export function failureOf(
  operation: PackageOperation,
): 'install-failed' | 'upgrade-failed' | 'uninstall-failed' | 'transmit-failed' {
  return `${operation}-failed`;
}
