// Measured times as the CLI prints them (issue #18, point 8): a phase that took 40 ms is not "0.0 s".
import { describe, expect, it } from 'vitest';
import { duration } from '../../../src/planner/show/summary.js';

describe('duration', () => {
  it('prints milliseconds under a second, seconds with a decimal under a minute, then minutes', () => {
    expect(duration(0)).toBe('under 1 ms');
    expect(duration(0.4)).toBe('under 1 ms');
    expect(duration(1)).toBe('1 ms');
    expect(duration(40)).toBe('40 ms');
    expect(duration(999)).toBe('999 ms');
    expect(duration(1000)).toBe('1.0 s');
    expect(duration(2345)).toBe('2.3 s');
    expect(duration(59_900)).toBe('59.9 s');
    expect(duration(60_000)).toBe('1 min 0 s');
    expect(duration(252_400)).toBe('4 min 12 s');
  });
});
