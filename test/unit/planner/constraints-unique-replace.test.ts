// add_unique of a unique constraint redefined under the same name (issue #14: refused before): built and
// attached as <name>__new, then given the name once drop_unique has dropped the old one in the next release.
import { describe, expect, it } from 'vitest';
import type { AddUnique } from '../../../src/diff/index.js';
import { key } from '../../../src/planner/keys.js';
import { milestone } from '../../../src/planner/recipes/dependents.js';
import { app, col, idx, notNull, table, uq } from '../diff/fixtures.js';
import { constraintHandlers as h } from '../../support/families.js';
import { context } from './constraints-support.js';

const users = (extra: Parameters<typeof table>[2]) =>
  table('users', [notNull('id'), col('email', 'text'), col('name', 'text')], extra);
const old = uq('users_contact_key', ['email']);
const next = uq('users_contact_key', ['email', 'name']);
const add: AddUnique = { kind: 'add_unique', schema: 'app', table: 'users', unique: next };
const ctx = context(app(users({ unique: [old] })), app(users({ unique: [next] })));

describe('a unique constraint redefined under the same name', () => {
  it('built and attached as <name>__new, renamed after the old one is dropped', () => {
    expect(h.add_unique.validate(add, ctx)).toEqual([]);
    const steps = [...h.add_unique.expand(add, ctx), ...h.add_unique.contract(add, ctx)];
    expect(steps.map((d) => [d.releaseOffset, d.phase, d.action, d.sql, d.rollback[0]])).toEqual([
      [
        0,
        'expand',
        'create_unique_index_concurrently',
        'CREATE UNIQUE INDEX CONCURRENTLY users_contact_key__new ON app.users USING btree (email, name)',
        'DROP INDEX CONCURRENTLY app.users_contact_key__new',
      ],
      [
        0,
        'contract',
        'add_constraint_using_index',
        'ALTER TABLE app.users ADD CONSTRAINT users_contact_key__new UNIQUE USING INDEX users_contact_key__new',
        'ALTER TABLE app.users DROP CONSTRAINT users_contact_key__new',
      ],
      [
        1,
        'contract',
        'rename_constraint',
        'ALTER TABLE app.users RENAME CONSTRAINT users_contact_key__new TO users_contact_key',
        'ALTER TABLE app.users RENAME CONSTRAINT users_contact_key TO users_contact_key__new',
      ],
    ]);
    expect(steps[2]!.requires).toContain(milestone.gone(key.constraint('app', 'users', 'users_contact_key')));
  });

  it('refused when the temporary name is taken', () => {
    const taken = idx('users_contact_key__new', ['name']);
    const problems = h.add_unique.validate(
      add,
      context(app(users({ unique: [old], indexes: [taken] })), app(users({ unique: [next], indexes: [taken] }))),
    );
    expect(problems.map((p) => p.fix)).toEqual([
      'give the new definition a new name (the old one is dropped after a release of bake time)',
    ]);
  });
});
