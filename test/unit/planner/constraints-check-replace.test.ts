// add_check of a check redefined under the same name (issue #14: refused before): added and validated as
// <name>__new, then given the name once drop_check has dropped the old one in the next release.
import { describe, expect, it } from 'vitest';
import type { AddCheck, DropCheck } from '../../../src/diff/index.js';
import { key } from '../../../src/planner/keys.js';
import { milestone } from '../../../src/planner/recipes/dependents.js';
import { app, check, col, notNull, table } from '../diff/fixtures.js';
import { constraintHandlers as h } from '../../support/families.js';
import { context } from './constraints-support.js';

const users = (checks: ReturnType<typeof check>[]) => table('users', [notNull('id'), col('email', 'text')], { checks });
const old = check('users_email_check', "(email ~~ '%@%'::text)");
const next = check('users_email_check', "(POSITION(('@'::text) IN (email)) > 1)");
const add: AddCheck = { kind: 'add_check', schema: 'app', table: 'users', check: next };
const drop: DropCheck = { kind: 'drop_check', schema: 'app', table: 'users', check: old };
const ctx = context(app(users([old])), app(users([next])));
const steps = (c: AddCheck | DropCheck) => {
  const hd = c.kind === 'add_check' ? h.add_check : h.drop_check;
  return [...hd.expand(c as never, ctx), ...hd.contract(c as never, ctx)];
};

describe('a check redefined under the same name', () => {
  it('added NOT VALID as <name>__new, validated, then renamed after the old one is dropped', () => {
    expect(h.add_check.validate(add, ctx)).toEqual([]);
    const all = [...steps(add), ...steps(drop)];
    expect(all.map((d) => [d.releaseOffset, d.phase, d.action, d.sql, d.rollback])).toEqual([
      [
        0,
        'expand',
        'add_check_not_valid',
        `ALTER TABLE app.users ADD CONSTRAINT users_email_check__new CHECK (${next.expression}) NOT VALID`,
        ['ALTER TABLE app.users DROP CONSTRAINT users_email_check__new'],
      ],
      [
        0,
        'contract',
        'validate_check',
        'ALTER TABLE app.users VALIDATE CONSTRAINT users_email_check__new',
        [
          'ALTER TABLE app.users DROP CONSTRAINT users_email_check__new',
          `ALTER TABLE app.users ADD CONSTRAINT users_email_check__new CHECK (${next.expression}) NOT VALID`,
        ],
      ],
      [
        1,
        'contract',
        'rename_check',
        'ALTER TABLE app.users RENAME CONSTRAINT users_email_check__new TO users_email_check',
        ['ALTER TABLE app.users RENAME CONSTRAINT users_email_check TO users_email_check__new'],
      ],
      [
        1,
        'contract',
        'drop_check',
        'ALTER TABLE app.users DROP CONSTRAINT users_email_check',
        [
          `ALTER TABLE app.users ADD CONSTRAINT users_email_check CHECK (${old.expression}) NOT VALID`,
          'ALTER TABLE app.users VALIDATE CONSTRAINT users_email_check',
        ],
      ],
    ]);
    // The rename waits for the drop of the old definition.
    const gone = milestone.gone(key.constraint('app', 'users', 'users_email_check'));
    expect(steps(add)[2]!.requires).toContain(gone);
    expect(steps(drop)[0]!.creates).toContain(gone);
  });

  it('refused when the temporary name is taken', () => {
    const taken = check('users_email_check__new', '(id > 0)');
    const problems = h.add_check.validate(add, context(app(users([old, taken])), app(users([next, taken]))));
    expect(problems.map((p) => p.message)).toEqual([
      'check users_email_check on app.users is added under the temporary name users_email_check__new, which is taken',
    ]);
  });
});
