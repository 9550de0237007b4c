import { compileSchema } from '../compiler/compile.ts';
import { YangError, YangErrorCode } from '../errors.ts';
import { ModuleRepository } from '../resolver.ts';
import { createValidator, type DocumentType } from '../validate/validator.ts';

/** What the CLI needs from its host: files, and where to print. */
export interface CliHost {
  readFile(path: string): string;
  /** `.yang` files directly in `dir`. */
  listYang(dir: string): string[];
  out(line: string): void;
  err(line: string): void;
}

const USAGE = `Usage: fleetkit-yang validate [-t config|data|rpc|rpc-reply|notification] [-p DIR]... [-F MODULE:FEATURE,...]... MODULE.yang... DATA.json
Validates RFC 7951 JSON DATA against the YANG modules (imports are looked up in each -p DIR and
beside the modules). Exit status: 0 valid, 1 invalid data, 2 bad usage or modules.`;

const TYPES = new Set(['config', 'data', 'rpc', 'rpc-reply', 'notification']);

/** Runs `fleetkit-yang` with `args` (without the program name); resolves to the exit status, as yanglint's: 0 valid, non-zero otherwise. */
export function runCli(args: readonly string[], host: CliHost): number {
  if (args[0] !== 'validate') {
    host.err(USAGE);
    return 2;
  }
  let type: DocumentType = 'config';
  const dirs: string[] = [];
  const features: Record<string, string[] | '*'> = {};
  let anyFeature = false;
  const files: string[] = [];
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new YangError(YangErrorCode.InvalidArgument, `Option ${a} needs a value`);
      return v;
    };
    try {
      if (a === '-t' || a === '--type') {
        const t = value();
        if (!TYPES.has(t))
          throw new YangError(
            YangErrorCode.InvalidArgument,
            `Unknown data type "${t}": expected config, data, rpc, rpc-reply or notification`,
          );
        type = t as DocumentType;
      } else if (a === '-p' || a === '--path') dirs.push(value());
      else if (a === '-F' || a === '--features') {
        const [mod = '', list = ''] = value().split(':');
        features[mod] = list === '*' ? '*' : list.split(',').filter((f) => f !== '');
        anyFeature = true;
      } else if (a === '-h' || a === '--help') {
        host.out(USAGE);
        return 0;
      } else files.push(a);
    } catch (e) {
      host.err((e as Error).message);
      return 2;
    }
  }
  const data = files.pop();
  const modules = files;
  if (data === undefined || modules.length === 0) {
    host.err(USAGE);
    return 2;
  }
  let validator;
  try {
    const repo = new ModuleRepository();
    const names: string[] = [];
    for (const m of modules) names.push(repo.add(host.readFile(m), m).name);
    const seen = new Set(modules);
    for (const dir of [...dirs, ...modules.map((m) => (m.includes('/') ? m.slice(0, m.lastIndexOf('/')) : '.'))]) {
      for (const f of host.listYang(dir)) {
        const path = `${dir}/${f}`;
        if (seen.has(path) || seen.has(f)) continue;
        seen.add(path);
        try {
          repo.add(host.readFile(path), path);
        } catch {
          // a broken module in a search directory matters only if imported, and then its error shows
        }
      }
    }
    validator = createValidator(compileSchema(repo, names, { features: anyFeature ? features : '*' }));
  } catch (e) {
    host.err(`fleetkit-yang: ${(e as Error).message}`);
    return 2;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(host.readFile(data));
  } catch (e) {
    host.err(`fleetkit-yang: Cannot read ${data} as JSON: ${(e as Error).message}`);
    return 1;
  }
  const result = validator.validate(type, doc);
  for (const issue of result.issues) host.err(`${data}: ${issue.path}: ${issue.message}`);
  return result.valid ? 0 : 1;
}
