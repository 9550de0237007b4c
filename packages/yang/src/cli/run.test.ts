import { describe, expect, it } from 'vitest';
import { type CliHost, runCli } from './run.ts';

function host(files: Record<string, string>): CliHost & { errs: string[]; outs: string[] } {
  const errs: string[] = [];
  const outs: string[] = [];
  return {
    errs,
    outs,
    readFile: (p) => {
      const t = files[p];
      if (t === undefined) throw new Error(`ENOENT: ${p}`);
      return t;
    },
    listYang: (dir) =>
      Object.keys(files)
        .filter((f) => f.startsWith(`${dir}/`) && f.endsWith('.yang'))
        .map((f) => f.slice(dir.length + 1)),
    out: (l) => outs.push(l),
    err: (l) => errs.push(l),
  };
}

const files = {
  'lib/t.yang': 'module t { namespace "urn:t"; prefix t; typedef port { type uint16 { range "1..1024"; } } }',
  'm.yang':
    'module m { namespace "urn:m"; prefix m; import t { prefix t; } leaf p { type t:port; } rpc r { input { leaf n { type int8; mandatory true; } } } }',
  'good.json': '{"m:p": 80}',
  'bad.json': '{"m:p": 8080}',
  'rpc.json': '{"m:r": {}}',
  'broken.json': '{',
};

describe('fleetkit-yang validate', () => {
  it('exits 0 for valid data, with imports found through -p', () => {
    const h = host(files);
    expect(runCli(['validate', '-p', 'lib', 'm.yang', 'good.json'], h)).toBe(0);
    expect(h.errs).toEqual([]);
  });

  it('exits 1 for invalid data and prints each issue with its path', () => {
    const h = host(files);
    expect(runCli(['validate', '-p', 'lib', 'm.yang', 'bad.json'], h)).toBe(1);
    expect(h.errs).toEqual(['bad.json: /m:p: Invalid value 8080: expected uint16 in 1..1024']);
  });

  it('validates RPC input with -t rpc', () => {
    const h = host(files);
    expect(runCli(['validate', '-t', 'rpc', '-p', 'lib', 'm.yang', 'rpc.json'], h)).toBe(1);
    expect(h.errs[0]).toBe('rpc.json: /m:r/n: Mandatory node "n" instance does not exist');
  });

  it('exits 1 for data that is not JSON', () => {
    expect(runCli(['validate', '-p', 'lib', 'm.yang', 'broken.json'], host(files))).toBe(1);
  });

  it('exits 2 when a module cannot be compiled, naming the problem', () => {
    const h = host(files);
    expect(runCli(['validate', 'm.yang', 'good.json'], h)).toBe(2);
    expect(h.errs[0]).toContain('Cannot find module "t"');
  });

  it('exits 2 on bad usage', () => {
    expect(runCli([], host(files))).toBe(2);
    expect(runCli(['validate', '-t', 'xml', 'm.yang', 'good.json'], host(files))).toBe(2);
    expect(runCli(['validate', 'good.json'], host(files))).toBe(2);
  });
});
