import { describe, expect, it } from 'vitest';
import { DependencyCycleError, orderSteps } from '../../../src/planner/graph.js';

const step = (description: string, o: { creates?: string[]; requires?: string[]; drops?: string[] } = {}) => ({
  description,
  creates: o.creates ?? [],
  requires: o.requires ?? [],
  drops: o.drops ?? [],
});

describe('orderSteps', () => {
  it('creates what is required first, whatever the input order', () => {
    const fk = step('fk', { requires: ['table:a', 'index:tiers_pkey'] });
    const table = step('table', { creates: ['table:a'] });
    const tiers = step('tiers', { creates: ['table:tiers', 'index:tiers_pkey'] });
    expect(orderSteps([fk, table, tiers]).map((s) => s.description)).toEqual(['table', 'tiers', 'fk']);
  });

  it('drops an object after every step that still requires it (FKs before the unique index they use)', () => {
    const dropIndex = step('drop index', { drops: ['index:u'] });
    const dropFk = step('drop fk', { requires: ['index:u'], drops: ['constraint:fk'] });
    expect(orderSteps([dropIndex, dropFk]).map((s) => s.description)).toEqual(['drop fk', 'drop index']);
  });

  it('keeps the given order where nothing constrains it', () => {
    const list = Array.from({ length: 5 }, (_, i) => step(`s${i}`));
    expect(orderSteps(list).map((s) => s.description)).toEqual(['s0', 's1', 's2', 's3', 's4']);
  });

  it('reports a cycle with the steps involved', () => {
    const a = step('a', { creates: ['x'], requires: ['y'] });
    const b = step('b', { creates: ['y'], requires: ['x'] });
    expect(() => orderSteps([a, b])).toThrow(DependencyCycleError);
  });

  it('orders 20,000 steps quickly and correctly (a chain given backwards)', () => {
    const n = 20_000;
    const list = Array.from({ length: n }, (_, i) =>
      step(`s${n - 1 - i}`, { creates: [`k${n - 1 - i}`], requires: n - 1 - i > 0 ? [`k${n - 2 - i}`] : [] }),
    );
    const out = orderSteps(list);
    expect(out[0]!.description).toBe('s0');
    expect(out[n - 1]!.description).toBe(`s${n - 1}`);
  });
});
