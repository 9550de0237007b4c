import { YangError, YangErrorCode } from '../errors.ts';
import type { DocumentType } from '../validate/validator.ts';

/** The command line, read: which command, its options and its files. */
export interface CliOptions {
  readonly command: 'validate' | 'compile';
  readonly type: DocumentType;
  readonly directories: readonly string[];
  /** Features per module from `-F`; undefined without `-F` (every feature of each implemented module). */
  readonly features: Readonly<Record<string, string[] | '*'>> | undefined;
  readonly files: readonly string[];
  readonly help: boolean;
}

const TYPES = new Set(['config', 'data', 'rpc', 'rpc-reply', 'notification']);

/** Reads the arguments after the program name; a bad option throws `yang-invalid-argument`. */
export function readOptions(args: readonly string[]): CliOptions {
  const command = args[0];
  if (command !== 'validate' && command !== 'compile')
    throw new YangError(
      YangErrorCode.InvalidArgument,
      `Unknown command "${command ?? ''}": expected validate or compile`,
    );
  let type: DocumentType = 'config';
  const dirs: string[] = [];
  let features: Record<string, string[] | '*'> | undefined;
  const files: string[] = [];
  let help = false;
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new YangError(YangErrorCode.InvalidArgument, `Option ${a} needs a value`);
      return v;
    };
    if (a === '-t' || a === '--type') {
      const t = value();
      if (command === 'compile')
        throw new YangError(YangErrorCode.InvalidArgument, 'Option -t applies to validate, not to compile');
      if (!TYPES.has(t))
        throw new YangError(
          YangErrorCode.InvalidArgument,
          `Unknown data type "${t}": expected config, data, rpc, rpc-reply or notification`,
        );
      type = t as DocumentType;
    } else if (a === '-p' || a === '--path') dirs.push(value());
    else if (a === '-F' || a === '--features') {
      const v = value();
      const colon = v.indexOf(':');
      if (colon <= 0)
        throw new YangError(YangErrorCode.InvalidArgument, `Option -F needs MODULE:FEATURE,... (got "${v}")`);
      const list = v.slice(colon + 1);
      features ??= {};
      features[v.slice(0, colon)] = list === '*' ? '*' : list.split(',').filter((f) => f !== '');
    } else if (a === '-h' || a === '--help') help = true;
    else if (a.startsWith('-') && a !== '-') throw new YangError(YangErrorCode.InvalidArgument, `Unknown option ${a}`);
    else files.push(a);
  }
  return { command, type, directories: dirs, features, files, help };
}
