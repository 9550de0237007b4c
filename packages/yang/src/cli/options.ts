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
  const directories: string[] = [];
  let features: Record<string, string[] | '*'> | undefined;
  const files: string[] = [];
  let help = false;
  for (let index = 1; index < args.length; index++) {
    const option = args[index]!;
    const value = (): string => {
      const next = args[++index];
      if (next === undefined) throw new YangError(YangErrorCode.InvalidArgument, `Option ${option} needs a value`);
      return next;
    };
    if (option === '-t' || option === '--type') {
      const given = value();
      if (command === 'compile')
        throw new YangError(YangErrorCode.InvalidArgument, 'Option -t applies to validate, not to compile');
      if (!TYPES.has(given))
        throw new YangError(
          YangErrorCode.InvalidArgument,
          `Unknown data type "${given}": expected config, data, rpc, rpc-reply or notification`,
        );
      type = given as DocumentType;
    } else if (option === '-p' || option === '--path') directories.push(value());
    else if (option === '-F' || option === '--features') {
      const given = value();
      const colon = given.indexOf(':');
      if (colon <= 0)
        throw new YangError(YangErrorCode.InvalidArgument, `Option -F needs MODULE:FEATURE,... (got "${given}")`);
      const list = given.slice(colon + 1);
      features ??= {};
      features[given.slice(0, colon)] = list === '*' ? '*' : list.split(',').filter((feature) => feature !== '');
    } else if (option === '-h' || option === '--help') help = true;
    else if (option.startsWith('-') && option !== '-')
      throw new YangError(YangErrorCode.InvalidArgument, `Unknown option ${option}`);
    else files.push(option);
  }
  return { command, type, directories, features, files, help };
}
