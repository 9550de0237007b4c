import { compileSchema } from '../compiler/compile.ts';
import { YangError, YangErrorCode } from '../errors.ts';
import type { Statement } from '../parser/statement.ts';
import { ModuleRepository } from '../resolver.ts';
import type { CompiledSchema } from '../schema.ts';
import { createValidator } from '../validate/validator.ts';
import { type CliOptions, readOptions } from './options.ts';

/** What the CLI needs from its host: files, and where to print. */
export interface CliHost {
  readFile(path: string): string;
  /** `.yang` files directly in `dir`. */
  listYang(dir: string): string[];
  out(line: string): void;
  err(line: string): void;
}

const USAGE = `Usage: fleetkit-yang validate [-t config|data|rpc|rpc-reply|notification] [-p DIR]... [-F MODULE:FEATURE,...]... MODULE.yang... DATA.json
       fleetkit-yang compile [-p DIR]... [-F MODULE:FEATURE,...]... MODULE.yang...
Validates RFC 7951 JSON DATA against the YANG modules, or only compiles the modules (imports are looked
up in each -p DIR and beside the modules). Without -F every feature of each implemented module is on;
with it, only the features it names.
Exit status of validate: 0 valid, 1 invalid data, 2 bad usage or modules.
Exit status of compile (as yanglint's): 0 the modules compile, 1 otherwise.`;

/** Runs `fleetkit-yang` with `args` (without the program name); returns the exit status. */
export function runCli(args: readonly string[], host: CliHost): number {
  let options: CliOptions;
  try {
    options = readOptions(args);
  } catch (error) {
    host.err((error as Error).message);
    host.err(USAGE);
    // yanglint exits 1 for bad usage; validate keeps its own 2
    return args[0] === 'compile' ? 1 : 2;
  }
  if (options.help) {
    host.out(USAGE);
    return 0;
  }
  return options.command === 'compile' ? compileCommand(options, host) : validateCommand(options, host);
}

/** `compile`: the modules and what they import, as yanglint given modules only. */
function compileCommand(options: CliOptions, host: CliHost): number {
  if (options.files.length === 0) {
    host.err(USAGE);
    return 1;
  }
  return compileModules(options, options.files, host) === undefined ? 1 : 0;
}

function validateCommand(options: CliOptions, host: CliHost): number {
  const files = [...options.files];
  const data = files.pop();
  if (data === undefined || files.length === 0) {
    host.err(USAGE);
    return 2;
  }
  const schema = compileModules(options, files, host);
  if (schema === undefined) return 2;
  let doc: unknown;
  try {
    doc = JSON.parse(host.readFile(data));
  } catch (error) {
    host.err(`fleetkit-yang: Cannot read ${data} as JSON: ${(error as Error).message}`);
    return 1;
  }
  const result = createValidator(schema).validate(options.type, doc);
  for (const issue of result.issues) host.err(`${data}: ${issue.path}: ${issue.message}`);
  return result.valid ? 0 : 1;
}

/**
 * Compiles the module files with the search directories (each `-p DIR`,
 * and the directory of each module) as the place imports come from.
 * Prints the problem and returns undefined when they do not compile.
 */
function compileModules(options: CliOptions, modules: readonly string[], host: CliHost): CompiledSchema | undefined {
  const seen = new Set(modules);
  const candidates: { file: string; path: string }[] = [];
  for (const dir of [
    ...options.directories,
    ...modules.map((file) => (file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.')),
  ]) {
    for (const file of host.listYang(dir)) {
      const path = `${dir}/${file}`;
      if (seen.has(path) || seen.has(file)) continue;
      seen.add(path);
      candidates.push({ file, path });
    }
  }
  const repo = new SearchRepository(candidates, host);
  try {
    const names: string[] = [];
    for (const file of modules) names.push(repo.add(host.readFile(file), file).name);
    return compileSchema(repo, names, { features: options.features ?? 'implemented' });
  } catch (error) {
    const missing =
      error instanceof YangError && error.code === YangErrorCode.Unresolved ? error.details?.module : undefined;
    const unparsed = typeof missing === 'string' ? repo.broken.get(missing) : undefined;
    if (unparsed === undefined) host.err(`fleetkit-yang: ${(error as Error).message}`);
    else {
      const location = (error as YangError).location;
      host.err(`fleetkit-yang: ${unparsed.error.message}`);
      host.err(
        `fleetkit-yang: Cannot load module "${missing}"${location === undefined ? '' : ` (needed at ${location.file}:${location.line}:${location.column})`}: ${unparsed.path} does not parse`,
      );
    }
    return undefined;
  }
}

/**
 * The modules of the search directories, each file read and parsed only when
 * the compiler asks for a module it does not have yet: first the files named
 * after it (`name.yang`, `name@revision.yang`, the names yanglint looks up),
 * and, for a name no file is named after, every file not read yet (a module
 * stored under another file name). A directory full of modules costs only
 * what the compiled modules import.
 */
class SearchRepository extends ModuleRepository {
  readonly #candidates: { file: string; path: string; read: boolean }[];
  readonly #host: CliHost;
  /** Search-directory files that do not parse, by the module name they declare: the error to show if something imports one. */
  readonly broken = new Map<string, { path: string; error: Error }>();

  constructor(candidates: readonly { file: string; path: string }[], host: CliHost) {
    super();
    this.#candidates = candidates.map((candidate) => ({ ...candidate, read: false }));
    this.#host = host;
  }

  override get(name: string, revision?: string): Statement | undefined {
    const have = super.get(name, revision);
    if (have !== undefined) return have;
    this.#read((file) => file === `${name}.yang` || file.startsWith(`${name}@`));
    const named = super.get(name, revision);
    if (named !== undefined) return named;
    this.#read(() => true);
    return super.get(name, revision);
  }

  #read(wanted: (file: string) => boolean): void {
    for (const candidate of this.#candidates) {
      if (candidate.read || !wanted(candidate.file)) continue;
      candidate.read = true;
      let text: string;
      try {
        text = this.#host.readFile(candidate.path);
      } catch {
        continue;
      }
      try {
        this.add(text, candidate.path);
      } catch (error) {
        this.broken.set(moduleNameOf(text, candidate.file), { path: candidate.path, error: error as Error });
      }
    }
  }
}

/** The name a module text declares, read even when the rest does not parse; else the file's `name[@revision].yang`. */
function moduleNameOf(text: string, file: string): string {
  const declared = /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(?:sub)?module\s+["']?([A-Za-z_][\w.-]*)/.exec(text);
  return declared?.[1] ?? file.replace(/\.yang$/, '').replace(/@.*$/, '');
}
