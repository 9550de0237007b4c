// Benchmark documents: `n` devices of a list with five leaves; `leafref`
// adds a leafref to another entry plus a must on every entry (perf2.yang).
// `yangJsSafe` keeps ports within 1..1024: yang-js 0.24.63 wrongly rejects
// the 8080 of `range "1..1024 | 8080"` (docs/sources.md, yang-js), and the peer
// must do the same full work as we do.

export function devices(n: number, options: { leafref: boolean; yangJsSafe?: boolean }): string {
  const module = options.leafref ? 'perf2' : 'perf';
  const device: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const port = options.yangJsSafe !== true && i % 7 === 0 ? 8080 : (i % 1024) + 1;
    const d: Record<string, unknown> = {
      id: `dev-${i}`,
      port,
      enabled: port === 8080 || i % 2 === 0,
      weight: `${i % 100}.5`,
    };
    if (options.leafref) d.peer = `dev-${(i * 7919) % n}`;
    else d.counter = String(BigInt(i) * 1000003n);
    device.push(d);
  }
  return JSON.stringify({ [`${module}:devices`]: { device } });
}
