import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSchema, createValidator, ModuleRepository, YangError } from '../src/index.ts';

const dir = (sub: string): string => fileURLToPath(new URL(`./fixtures/${sub}/`, import.meta.url));

function repository(sub: string, only?: (file: string) => boolean): ModuleRepository {
  const repo = new ModuleRepository();
  for (const f of readdirSync(dir(sub)))
    if (f.endsWith('.yang') && (only?.(f) ?? true)) repo.add(readFileSync(dir(sub) + f, 'utf8'), f);
  return repo;
}

function failure(fn: () => unknown): YangError {
  try {
    fn();
  } catch (e) {
    if (e instanceof YangError) return e;
    throw e;
  }
  throw new Error('expected the compilation to fail');
}

describe('IETF fixture modules (YangModels/yang)', () => {
  const ietf = readdirSync(dir('ietf')).filter((f) => f.endsWith('.yang'));
  const newest = (f: string): boolean => !f.startsWith('ietf-interfaces@2014') && !f.startsWith('ietf-ip@2014');
  for (const file of ietf.filter(newest)) {
    it(`compiles ${file}`, () => {
      const s = compileSchema(repository('ietf', newest), [file.replace(/\.yang$/, '')], { features: '*' });
      expect(s.modules.length).toBeGreaterThan(0);
    });
  }

  it('compiles the 2014 (pre-NMDA) ietf-interfaces and ietf-ip together', () => {
    const old = (f: string): boolean => !f.startsWith('ietf-interfaces@2018') && !f.startsWith('ietf-ip@2018');
    const s = compileSchema(repository('ietf', old), ['ietf-ip@2014-06-16'], { features: '*' });
    expect(s.data.map((n) => n.name)).toEqual(['interfaces', 'interfaces-state']);
  });

  it('validates NMDA config for ietf-interfaces@2018 without asking for config-false nodes', () => {
    const v = createValidator(
      compileSchema(repository('ietf', newest), ['ietf-interfaces', 'ietf-ip', 'iana-if-type'], { features: '*' }),
    );
    const doc = {
      'ietf-interfaces:interfaces': {
        interface: [
          {
            name: 'eth0',
            type: 'iana-if-type:ethernetCsmacd',
            'ietf-ip:ipv4': { address: [{ ip: '10.0.0.1', 'prefix-length': 24 }] },
          },
        ],
      },
    };
    expect(v.validateConfig(doc)).toEqual({ valid: true, issues: [] });
    const bad = {
      'ietf-interfaces:interfaces': {
        interface: [
          {
            name: 'eth0',
            type: 'iana-if-type:bogus',
            'ietf-ip:ipv4': { address: [{ ip: '10.0.0.1%eth0', 'prefix-length': 99 }] },
          },
        ],
      },
    };
    expect(v.validateConfig(bad).issues.map((i) => i.path)).toEqual([
      "/ietf-interfaces:interfaces/interface[name='eth0']/type",
      "/ietf-interfaces:interfaces/interface[name='eth0']/ietf-ip:ipv4/address/ip",
      "/ietf-interfaces:interfaces/interface[name='eth0']/ietf-ip:ipv4/address/prefix-length",
    ]);
  });
});

describe('Exosense fixture modules', () => {
  it('compiles exosense, test (which imports it), rfzone and uart', () => {
    const repo = repository('exosense');
    for (const m of ['exosense', 'test', 'rfzone', 'uart'])
      expect(compileSchema(repo, [m]).modules.some((x) => x.name === m)).toBe(true);
  });

  it('compiles the RPCs of test.yang to input validators', () => {
    const s = compileSchema(repository('exosense'), ['test']);
    expect(s.rpcs.length).toBeGreaterThan(0);
  });

  for (const [file, line, column] of [
    ['thinkdemo.yang', 32, 13],
    ['exodemo.yang', 40, 13],
    ['jlrdemo.yang', 36, 13],
  ] as const) {
    it(`rejects ${file}: "description" is not allowed inside input/output (RFC 7950 §7.14.2), named with file, line and statement`, () => {
      const e = failure(() => compileSchema(repository('exosense'), [file.replace('.yang', '')]));
      expect(e.code).toBe('yang-grammar');
      expect(e.location).toMatchObject({ file, line });
      expect(e.location!.column).toBeGreaterThanOrEqual(column - 4);
      expect(e.message).toMatch(/Invalid statement "description" inside "(input|output)"/);
    });
  }

  it('rejects thinkdemo process-waypoints for declaring device-id twice (uses exo:std-request and a leaf)', () => {
    const text = readFileSync(`${dir('exosense')}thinkdemo.yang`, 'utf8');
    // repair the file's two other defects (description inside input/output,
    // fraction-digits outside its type) so that the duplicate shows; line
    // breaks are kept, so the line numbers stay those of the file
    const lenient = text
      .replace(
        /((?:input|output)\s*\{\s*)(description\s[\s\S]*?";)/g,
        (_m, head: string, desc: string) => head + desc.replace(/[^\n]/g, ' '),
      )
      .replace(/type decimal64;(\s*)fraction-digits (\d+);/g, 'type decimal64 {$1fraction-digits $2; }');
    const repo = new ModuleRepository();
    repo.add(readFileSync(`${dir('exosense')}exosense.yang`, 'utf8'), 'exosense.yang');
    repo.add(lenient, 'thinkdemo.yang');
    const e = failure(() => compileSchema(repo, ['thinkdemo']));
    expect(e.code).toBe('yang-duplicate');
    expect(e.location).toMatchObject({ file: 'thinkdemo.yang', line: 74 });
    expect(e.message).toContain('Duplicate leaf "device-id" in input of "process-waypoints"');
    expect(e.message).toContain('already defined at exosense.yang:');
  });
});
