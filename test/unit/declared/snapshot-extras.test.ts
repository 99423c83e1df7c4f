// The not-modeled block of a YAML snapshot reads back into the fields introspect listed: every shape of line
// describeNotModeled writes, with quotes and parentheses inside names and details.
import { describe, expect, it } from 'vitest';
import { describeNotModeled, type NotModeled } from '../../../src/introspect/inventory.js';
import { parseNotModeledLine } from '../../../src/schema/declared/snapshot.js';

const ITEMS: NotModeled[] = [
  { kind: 'view', schema: 'public', name: 'staff' },
  { kind: 'policy', schema: 'app', table: 't', name: 'own rows' },
  { kind: 'row level security', schema: 'app', name: 't', detail: 'enabled, forced' },
  { kind: 'grants on schema', schema: 'app', detail: '{postgres=UC/postgres}' },
  { kind: 'default privileges', schema: 'we"ird', detail: 'tables: {r=r/postgres}' },
  { kind: 'comment on function', schema: 'app', name: 'f(integer, text)' },
  { kind: 'trigger', schema: 'a"b', table: 'c.d', name: 'x "y"', detail: "CREATE TRIGGER x ... f('(')" },
  {
    kind: 'partition',
    schema: 'app',
    name: 'p_2026',
    detail: "of app.p FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
  },
];

describe('parseNotModeledLine', () => {
  it('reads back every line describeNotModeled writes', () => {
    for (const n of ITEMS) expect(parseNotModeledLine(describeNotModeled(n))).toEqual(n);
  });

  it('reads nothing from a line of another shape', () => {
    expect(parseNotModeledLine('not a listed object')).toBeUndefined();
  });
});
