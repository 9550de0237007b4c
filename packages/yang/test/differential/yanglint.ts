// Runs many documents through one interactive yanglint process: one `data`
// command per file, errors attributed to the file named by "Failed to parse".
import { spawnSync } from 'node:child_process';

/** yanglint's verdict on one document and the first data/schema path it names. */
export interface YanglintVerdict {
  readonly valid: boolean;
  readonly messages: string[];
  /** `Data location` or `Schema location` path of the first error, if any. */
  readonly path: string | undefined;
  readonly pathKind: 'data' | 'schema' | undefined;
}

export const YANGLINT = '/usr/bin/yanglint';

/** yanglint's document types the differential test uses. */
export type YanglintType = 'config' | 'data' | 'rpc' | 'reply' | 'notif';

/**
 * Validates `files` (absolute paths) with `-t type` after adding `modules`
 * (paths; the modules they import come from `searchDir`), without `-F`: all
 * features of the implemented modules.
 */
export function yanglintBatch(
  modules: readonly string[],
  searchDir: string,
  type: YanglintType,
  files: readonly string[],
): YanglintVerdict[] {
  // yanglint 2.1.30's interactive mode crashes after an RPC validation: one process per operation document
  if (type !== 'config' && type !== 'data') return files.flatMap((f) => yanglintOne(modules, searchDir, f, type));
  const script = [
    `searchpath ${searchDir}`,
    ...modules.map((m) => `add ${m}`),
    ...files.map((f) => `data -t ${type} ${f}`),
    'quit',
    '',
  ].join('\n');
  const out = spawnSync(YANGLINT, [], {
    input: script,
    encoding: 'utf8',
    env: { ...process.env, HOME: '/tmp' },
    maxBuffer: 64 << 20,
  });
  const lines = `${out.stdout}\n${out.stderr}`.split('\n');
  const byFile = new Map<string, string[]>();
  let pending: string[] = [];
  for (const line of lines) {
    const failed = /Failed to (?:parse|validate) input data file "([^"]+)"/.exec(line);
    if (failed !== null) {
      byFile.set(failed[1]!, pending);
      pending = [];
    } else if (line.startsWith('libyang[')) pending.push(line);
  }
  return files.map((f) => {
    const messages = byFile.get(f);
    if (messages === undefined) return { valid: true, messages: [], path: undefined, pathKind: undefined };
    const m = messages.map((x) => /(Data|Schema) location "([^"]*)"/.exec(x)).find((x) => x !== null);
    return {
      valid: false,
      messages,
      path: m?.[2],
      pathKind: m === undefined ? undefined : m[1] === 'Data' ? 'data' : 'schema',
    };
  });
}

function yanglintOne(
  modules: readonly string[],
  searchDir: string,
  file: string,
  type: 'rpc' | 'reply' | 'notif',
): YanglintVerdict[] {
  const out = spawnSync(YANGLINT, ['-t', type, '-p', searchDir, ...modules, file], {
    encoding: 'utf8',
    env: { ...process.env, HOME: '/tmp' },
  });
  const messages = out.stderr.split('\n').filter((l) => l.startsWith('libyang'));
  if (out.status === 0) return [{ valid: true, messages: [], path: undefined, pathKind: undefined }];
  const m = messages.map((x) => /(Data|Schema) location "([^"]*)"/.exec(x)).find((x) => x !== null);
  return [
    {
      valid: false,
      messages,
      path: m?.[2],
      pathKind: m === undefined ? undefined : m[1] === 'Data' ? 'data' : 'schema',
    },
  ];
}
