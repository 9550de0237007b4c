import { describe, expect, it } from 'vitest';
import { Blocks } from '../src/callbacks/blocks.ts';

describe('blocked transactions of the callback sender (src/callbacks/blocks.ts)', () => {
  it('sends back what a statement begun before the block leased, until the writes land and that statement ends', () => {
    const blocks = new Blocks();
    const before = blocks.begin();
    blocks.block('tx-1');
    // a statement begun while the failure mark is being written may still lease rows behind it
    const during = blocks.begin();
    expect(blocks.stale('tx-1', before)).toBe(true);
    expect(blocks.stale('tx-1', during)).toBe(true);
    expect(blocks.stale('tx-2', during)).toBe(false);
    blocks.settle('tx-1');
    // written: a statement begun from now on sees the mark
    const after = blocks.begin();
    expect(blocks.stale('tx-1', before)).toBe(true);
    expect(blocks.stale('tx-1', during)).toBe(true);
    expect(blocks.stale('tx-1', after)).toBe(false);
    blocks.end(before);
    blocks.end(during);
    blocks.end(after);
    // nothing that began before the mark runs any more: the block is gone
    expect(blocks.stale('tx-1', 1)).toBe(false);
  });

  it('stays blocked while any of several writes is pending, and a new block reopens a settled one', () => {
    const blocks = new Blocks();
    const running = blocks.begin();
    blocks.block('tx-1');
    blocks.block('tx-1');
    blocks.settle('tx-1');
    const next = blocks.begin();
    expect(blocks.stale('tx-1', next)).toBe(true);
    blocks.settle('tx-1');
    expect(blocks.stale('tx-1', blocks.begin())).toBe(false);
    blocks.block('tx-1');
    expect(blocks.stale('tx-1', blocks.begin())).toBe(true);
    blocks.end(running);
    expect(blocks.stale('tx-1', blocks.begin())).toBe(true);
  });
});
