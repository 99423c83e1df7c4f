import { describe, expect, it } from 'vitest';
import { BatchSizer } from '../../../src/executor/backfill-sizing.js';

const bounds = { targetBatchMs: 200, minBatchSize: 10, maxBatchSize: 50_000 };

/** Sizes asked for, batch after batch, when every row costs `msPerRow`. */
function walk(sizer: BatchSizer, msPerRow: (batch: number) => number, batches: number): number[] {
  const sizes = [sizer.size];
  for (let i = 0; i < batches; i++) {
    sizer.observe(sizer.size, sizer.size * msPerRow(i));
    sizes.push(sizer.size);
  }
  return sizes;
}

describe('BatchSizer', () => {
  it('grows at most 1.5x per batch toward the target', () => {
    expect(walk(new BatchSizer(bounds, 1000), () => 0.001, 6)).toEqual([1000, 1500, 2250, 3375, 5063, 7595, 11_393]);
  });

  it('settles on the size that takes 60% of the target, leaving room for variance', () => {
    expect(walk(new BatchSizer(bounds, 1000), () => 0.02, 12).at(-1)).toBe(6000);
  });

  it('takes a slowdown at once and a speedup by halves', () => {
    const sizer = new BatchSizer(bounds, 6000);
    sizer.observe(6000, 120); // 0.02 ms per row: settled
    expect(sizer.size).toBe(6000);
    sizer.observe(6000, 240); // twice as slow: the next batch aims at 120 ms with the new speed at once
    expect(sizer.size).toBe(3000);
    sizer.observe(3000, 30); // four times faster: half of the way to it, and at most 1.5x
    expect(sizer.size).toBe(4500);
  });

  it('shrinks at most by half per batch after a slow one', () => {
    expect(walk(new BatchSizer(bounds, 8000), () => 10, 3)).toEqual([8000, 4000, 2000, 1000]);
  });

  it('stays within the bounds', () => {
    expect(new BatchSizer(bounds, 1).size).toBe(10);
    expect(walk(new BatchSizer({ ...bounds, maxBatchSize: 3000 }, 2000), () => 0.0001, 3)).toEqual([
      2000, 3000, 3000, 3000,
    ]);
    expect(walk(new BatchSizer(bounds, 15), () => 1000, 2)).toEqual([15, 10, 10]);
  });

  it('ignores empty batches', () => {
    const sizer = new BatchSizer(bounds, 1000);
    sizer.observe(0, 500);
    expect(sizer.size).toBe(1000);
  });
});
