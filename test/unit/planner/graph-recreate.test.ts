// A key dropped and created again in one phase (recreate_enum renames the replacement into the old name): the
// old object's requirers go before the drop, the re-creation after it, and the step claims what it creates.
import { describe, expect, it } from 'vitest';
import type { RecreateEnum } from '../../../src/diff/index.js';
import { draft } from '../../../src/planner/draft.js';
import { orderSteps } from '../../../src/planner/graph.js';
import { milestone } from '../../../src/planner/recipes/dependents.js';
import { objectHandlers as H } from '../../support/families.js';
import { key } from '../../../src/planner/keys.js';
import { unmetExpectations } from '../../../src/rehearsal/expect.js';
import type { Step } from '../../../src/planner/types.js';
import { col, context, db, enumType, schema, steps, table } from './objects-fixtures.js';

const step = (description: string, o: { creates?: string[]; requires?: string[]; drops?: string[] } = {}) => ({
  description,
  creates: o.creates ?? [],
  requires: o.requires ?? [],
  drops: o.drops ?? [],
});

describe('orderSteps with a re-created key', () => {
  it('puts requirers of the old object before the drop and the re-creation after it', () => {
    const rename = step('rename', { creates: ['type:t'], requires: [milestone.gone('type:t')], drops: ['type:t_new'] });
    const use = step('use old', { requires: ['type:t', 'type:t_new'] });
    const drop = step('drop', { creates: [milestone.gone('type:t')], requires: ['type:t_new'], drops: ['type:t'] });
    const create = step('create new', { creates: ['type:t_new'] });
    expect(orderSteps([rename, drop, use, create]).map((s) => s.description)).toEqual([
      'create new',
      'use old',
      'drop',
      'rename',
    ]);
  });

  it('still orders requirers after a plain creator', () => {
    expect(
      orderSteps([step('use', { requires: ['k'] }), step('make', { creates: ['k'] })]).map((s) => s.description),
    ).toEqual(['make', 'use']);
  });
});

describe('recreate_enum claims the type it renames into place', () => {
  const from = enumType('mood', ['sad', 'ok', 'meh']);
  const to = enumType('mood', ['ok', 'sad']);
  const visit = table('visit', [col('id'), col('mood', 'app.mood')]);
  const change: RecreateEnum = { kind: 'recreate_enum', schema: 'app', from, to };
  const x = context(
    db(schema('app', { enums: [from], tables: [visit] })),
    db(schema('app', { enums: [to], tables: [visit] })),
  );

  it('the rename creates type app.mood, ordered last, and the phase meets its expectations', () => {
    const ordered = orderSteps(steps(H.recreate_enum, change, x));
    const rename = ordered.at(-1)!;
    expect(rename.action).toBe('rename_enum_replacement');
    expect(rename.creates).toEqual([key.type('app', 'mood')]);
    expect(rename.drops).toEqual([key.type('app', 'mood__sy_new')]);
    const asSteps = ordered.map((d, i) => ({ ...d, id: `r2-contract-00${i + 1}` }) as unknown as Step);
    // After the phase, the target's type exists and the replacement's name is gone.
    expect(unmetExpectations(asSteps, db(schema('app', { enums: [to], tables: [visit] })))).toEqual([]);
  });

  it('a drop of another column of the old type still comes before DROP TYPE', () => {
    const dropColumn = draft({
      phase: 'contract',
      releaseOffset: 1,
      action: 'drop_column',
      description: 'drop log.m',
      sql: 'ALTER TABLE app.log DROP COLUMN m',
      requires: [key.type('app', 'mood')],
      drops: [key.column('app', 'log', 'm')],
    });
    const actions = orderSteps([...steps(H.recreate_enum, change, x), dropColumn].reverse()).map((d) => d.action);
    expect(actions.indexOf('drop_column')).toBeLessThan(actions.indexOf('drop_old_enum'));
    expect(actions.indexOf('convert_enum_users')).toBeLessThan(actions.indexOf('drop_old_enum'));
    expect(actions.at(-1)).toBe('rename_enum_replacement');
  });
});
