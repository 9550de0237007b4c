// The least any validator of perf2.yang must do, written by hand with no
// YANG at all: read every member of every entry, a Set of the keys for
// duplicates, one lookup per leafref, the must's test. How its time grows
// from 10k to 100k entries shows what memory alone costs on this machine
// (the 100k document and its Set no longer fit in cache): the row beside
// our growth goal in bench.ts.

type Entry = Record<string, unknown>;

/** Number of problems found in a parsed perf2 document; 0 for the benchmark's documents. */
export function bareWalk(doc: unknown): number {
  const list = ((doc as Record<string, Record<string, unknown>>)['perf2:devices']!.device ?? []) as Entry[];
  const ids = new Set<string>();
  let bad = 0;
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    for (const k in e) if (k !== 'id' && k !== 'port' && k !== 'enabled' && k !== 'weight' && k !== 'peer') bad++;
    const id = e.id;
    if (typeof id !== 'string' || ids.has(id)) bad++;
    else ids.add(id);
    if (typeof e.port !== 'number' || typeof e.enabled !== 'boolean' || typeof e.weight !== 'string') bad++;
    if (e.port === 8080 && e.enabled !== true) bad++;
  }
  for (let i = 0; i < list.length; i++) if (!ids.has(list[i]!.peer as string)) bad++;
  return bad;
}
