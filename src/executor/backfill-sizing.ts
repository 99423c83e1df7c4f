// Batch sizing toward a target duration: the next size follows a smoothed time per row, grows at most 1.5x
// and shrinks at most by half per batch, and stays within bounds, so one slow batch (a checkpoint, a lock
// wait) does not collapse it and one fast batch does not make the next one huge. Growth is the tighter
// bound because overshooting costs more than undershooting: a batch over target holds its row locks longer
// and blocks the application, one under target only costs a little throughput.

export interface SizingOptions {
  readonly targetBatchMs: number;
  readonly minBatchSize: number;
  readonly maxBatchSize: number;
}

const SMOOTHING = 0.5;
/**
 * The size aims well under the target: the target is what a batch should not exceed, and batch times vary by
 * up to twice the typical one (a checkpoint, a new WAL segment, the application's own load).
 */
export const AIM = 0.6;
const MAX_GROWTH = 1.5;
const MAX_SHRINK = 2;

export class BatchSizer {
  private msPerRow: number | undefined;
  size: number;

  constructor(
    private readonly o: SizingOptions,
    initial: number,
  ) {
    this.size = clamp(Math.round(initial), o.minBatchSize, o.maxBatchSize);
  }

  /** Records a full batch of `rows` rows that took `ms`; partial (last) batches say nothing about speed. */
  observe(rows: number, ms: number): void {
    if (rows <= 0) return;
    const sample = Math.max(ms, 0.1) / rows;
    // A slowdown counts at once, a speedup by halves: overshooting holds row locks longer than planned.
    this.msPerRow =
      this.msPerRow === undefined || sample > this.msPerRow
        ? sample
        : SMOOTHING * sample + (1 - SMOOTHING) * this.msPerRow;
    const ideal = (AIM * this.o.targetBatchMs) / this.msPerRow;
    const stepped = clamp(ideal, this.size / MAX_SHRINK, this.size * MAX_GROWTH);
    this.size = clamp(Math.round(stepped), this.o.minBatchSize, this.o.maxBatchSize);
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
