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

  it('reports the syntax error of a module in a search directory that an import needs', () => {
    const broken = { ...files, 'lib/t.yang': 'module t { namespace "urn:t"; prefix t; typedef port { type uint16 } }' };
    const h = host(broken);
    expect(runCli(['validate', '-p', 'lib', 'm.yang', 'good.json'], h)).toBe(2);
    expect(h.errs[0]).toMatch(/^fleetkit-yang: lib\/t\.yang:1:\d+: /);
    expect(h.errs.join('\n')).toContain('Cannot load module "t" (needed at m.yang:1:');
    expect(h.errs.join('\n')).not.toContain('Cannot find module');
  });

  it('reads a search-directory file only when an import needs its module, by file name before the rest', () => {
    const many = {
      ...files,
      'lib/unused.yang': 'module unused { namespace "urn:u"; prefix u; }',
      'lib/broken.yang': 'module broken {',
      'lib/odd-name.yang': 'module odd { namespace "urn:o"; prefix o; }',
      'n.yang': 'module n { namespace "urn:n"; prefix n; import odd { prefix o; } leaf q { type string; } }',
      'q.json': '{"n:q": "x"}',
    };
    const read: string[] = [];
    const h = host(many);
    const reading = {
      ...h,
      readFile: (p: string) => {
        read.push(p);
        return h.readFile(p);
      },
    };
    expect(runCli(['validate', '-p', 'lib', 'm.yang', 'good.json'], reading)).toBe(0);
    expect(read).toEqual(['m.yang', 'lib/t.yang', 'good.json']);
    // a module in a file named otherwise is still found, after the files named after it
    read.length = 0;
    expect(runCli(['validate', '-p', 'lib', 'n.yang', 'q.json'], reading)).toBe(0);
    expect(read).toContain('lib/odd-name.yang');
  });

  it('enables every feature of the modules it implements, none of a module only imported, unless -F names them', () => {
    const featured = {
      'lib/t.yang': 'module t { namespace "urn:t"; prefix t; feature tf; }',
      'm.yang':
        'module m { namespace "urn:m"; prefix m; import t { prefix t; } feature mf; leaf own { if-feature mf; type string; } leaf imported { if-feature t:tf; type string; } }',
      'own.json': '{"m:own": "x"}',
      'imported.json': '{"m:imported": "x"}',
    };
    const run = (...args: string[]): number => runCli(['validate', '-p', 'lib', ...args], host(featured));
    expect(run('m.yang', 'own.json')).toBe(0);
    expect(run('m.yang', 'imported.json')).toBe(1);
    expect(run('-F', 't:tf', 'm.yang', 'imported.json')).toBe(0);
    // with -F, a module's features are those it names
    expect(run('-F', 't:tf', 'm.yang', 'own.json')).toBe(1);
    expect(run('-F', 'm:*', 'm.yang', 'own.json')).toBe(0);
  });
});

describe('fleetkit-yang compile', () => {
  it('exits 0 when the modules and their imports compile, printing nothing', () => {
    const h = host(files);
    expect(runCli(['compile', '-p', 'lib', 'm.yang'], h)).toBe(0);
    expect(h.errs).toEqual([]);
  });

  it('exits 1 (as yanglint) when a module does not compile, naming the problem', () => {
    const h = host(files);
    expect(runCli(['compile', 'm.yang'], h)).toBe(1);
    expect(h.errs[0]).toContain('Cannot find module "t"');
    const bad = host({ 'x.yang': 'module x { namespace "urn:x"; prefix x; leaf l { type nope; } }' });
    expect(runCli(['compile', 'x.yang'], bad)).toBe(1);
    expect(bad.errs[0]).toContain('Unknown type "nope"');
  });

  it('exits 1 on bad usage', () => {
    expect(runCli(['compile'], host(files))).toBe(1);
    expect(runCli(['compile', '-t', 'config', 'm.yang'], host(files))).toBe(1);
    expect(runCli(['compile', '--bogus', 'm.yang'], host(files))).toBe(1);
  });
});
