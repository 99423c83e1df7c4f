// How the inventory is written for people: one line per object, the notice with its limit, the YAML comment
// block, and the strict error.
import { describe, expect, it } from 'vitest';
import { notModeledComment } from '../../../src/commands/introspect.js';
import {
  assertModeled,
  describeNotModeled,
  type NotModeled,
  NotModeledError,
  notModeledNotice,
} from '../../../src/introspect/index.js';

const VIEW: NotModeled = { kind: 'view', schema: 'app', name: 'v' };
const POLICY: NotModeled = { kind: 'policy', schema: 'app', table: 'accounts', name: 'own "rows"' };

describe('describeNotModeled', () => {
  it.each<[NotModeled, string]>([
    [VIEW, 'view "app"."v"'],
    [POLICY, 'policy "own ""rows""" on "app"."accounts"'],
    [{ kind: 'grants on schema', schema: 'app', detail: '{a=U/a}' }, 'grants on schema "app" ({a=U/a})'],
    [
      { kind: 'default privileges', schema: 'app', detail: 'tables: {}' },
      'default privileges in schema "app" (tables: {})',
    ],
    [
      { kind: 'row level security', schema: 'app', name: 't', detail: 'enabled' },
      'row level security "app"."t" (enabled)',
    ],
  ])('%o', (item, line) => {
    expect(describeNotModeled(item)).toBe(line);
  });
});

describe('notices', () => {
  const many = Array.from({ length: 12 }, (_, i): NotModeled => ({ kind: 'view', schema: 'app', name: `v${i}` }));

  it('names the count and the first ten, and says how to see the rest', () => {
    const text = notModeledNotice(many);
    expect(text.split('\n')[0]).toBe(
      '12 objects in the database are not modeled by switchyard (left as they are, never planned):',
    );
    expect(text).toContain('  view "app"."v9"\n');
    expect(text).not.toContain('"v10"');
    expect(text).toContain('  ... and 2 more (--verbose or --json lists them all)\n');
    expect(notModeledNotice(many, Number.POSITIVE_INFINITY)).toContain('"v11"');
    expect(notModeledNotice([])).toBe('');
  });

  it('ends the YAML with a comment block, one line per object, nothing when empty', () => {
    expect(notModeledComment([VIEW, { ...POLICY, detail: 'USING (a\n  AND b)' }])).toBe(
      '\n# Not modeled by switchyard (2): left as they are, never planned.\n' +
        '#   view "app"."v"\n' +
        '#   policy "own ""rows""" on "app"."accounts" (USING (a AND b))\n',
    );
    expect(notModeledComment([])).toBe('');
  });

  it('strict refuses a non-empty list with NOT_MODELED and exit 1', () => {
    expect(() => assertModeled([], true)).not.toThrow();
    expect(() => assertModeled([VIEW], false)).not.toThrow();
    expect(() => assertModeled([VIEW], undefined)).not.toThrow();
    const e = (() => {
      try {
        assertModeled([VIEW, POLICY], true);
      } catch (err) {
        return err as NotModeledError;
      }
    })();
    expect(e).toBeInstanceOf(NotModeledError);
    expect(e).toMatchObject({ code: 'NOT_MODELED', exitCode: 1, notModeled: [VIEW, POLICY] });
    expect(e?.message).toBe(
      '2 objects not modeled (strict): view "app"."v"; policy "own ""rows""" on "app"."accounts"',
    );
  });
});
