// View handlers: the exact statements of create, drop, replace in place and recreate (with the views reading
// the one recreated), where each goes (expand, or the next release's contract when the source reads what the
// plan drops), and the graph keys that order them against tables, columns and other views.
import { describe, expect, it } from 'vitest';
import type { View } from '../../../src/schema/model/model.js';
import { objectHandlers as H } from '../../support/families.js';
import { key } from '../../../src/planner/keys.js';
import { milestone } from '../../../src/planner/recipes/dependents.js';
import { diff } from '../../../src/diff/index.js';
import { col, context, db, idx, keys, schema, shown, steps, table } from './objects-fixtures.js';

const users = table('users', [col('id', 'bigint'), col('email', 'text'), col('name', 'text')]);
const reads = (relation: string, ...columns: string[]) => ({ schema: 'app', relation, columns });
const view = (name: string, definition: string, cols: [string, string][], extra: Partial<View> = {}): View => ({
  kind: 'view',
  name,
  definition,
  ...extra,
  derived: {
    columns: cols.map(([n, type]) => ({ name: n, type })),
    reads: extra.derived?.reads ?? [reads('users', 'email', 'id')],
  },
});
const contacts = view('contacts', 'SELECT users.id, users.email FROM app.users', [
  ['id', 'bigint'],
  ['email', 'text'],
]);
const source = db(schema('app', { tables: [users], views: [contacts] }));
const base = { lock: 'none', lockedTables: [], transactional: true } as const;

describe('create_view', () => {
  it('a view with options and comments: one step, a DO block; rolled back by DROP VIEW', () => {
    const v = view(
      'Active "users"',
      'SELECT users.id FROM app.users\n  WHERE users.name IS NOT NULL',
      [['id', 'bigint']],
      {
        securityInvoker: true,
        securityBarrier: true,
        checkOption: 'cascaded',
        comment: "it's",
        columnComments: [{ name: 'id', comment: 'key' }],
        derived: { columns: [], reads: [reads('users', 'id', 'name')] },
      },
    );
    const target = db(schema('app', { tables: [users], views: [v] }));
    const drafts = steps(
      H.create_view,
      { kind: 'create_view', schema: 'app', view: v },
      context(db(schema('app', { tables: [users] })), target),
    );
    expect(drafts.map(shown)).toEqual([
      {
        ...base,
        phase: 'expand',
        releaseOffset: 0,
        action: 'create_view',
        sql: [
          'DO $sy$',
          'BEGIN',
          '  CREATE VIEW app."Active ""users""" WITH (check_option = cascaded, security_barrier = true, security_invoker = true) AS',
          '  SELECT users.id FROM app.users',
          '    WHERE users.name IS NOT NULL',
          '  ;',
          `  COMMENT ON VIEW app."Active ""users""" IS 'it''s';`,
          `  COMMENT ON COLUMN app."Active ""users""".id IS 'key';`,
          'END',
          '$sy$',
        ].join('\n'),
        rollback: ['DROP VIEW app."Active ""users"""'],
        hazards: [],
      },
    ]);
    expect(keys(drafts[0]!)).toEqual({
      creates: [key.view('app', 'Active "users"')],
      requires: [
        key.schema('app'),
        key.table('app', 'users'),
        key.column('app', 'users', 'id'),
        key.column('app', 'users', 'name'),
      ],
      drops: [],
    });
  });

  it('a materialized view: created empty with its indexes, refreshed in the backfill phase', () => {
    const m = view('totals', 'SELECT count(*) AS n FROM app.users', [['n', 'bigint']], {
      materialized: true,
      indexes: [idx('totals_n', ['n'], { unique: true })],
      derived: { columns: [], reads: [reads('users')] },
    });
    const target = db(schema('app', { tables: [users], views: [m] }));
    const drafts = steps(H.create_view, { kind: 'create_view', schema: 'app', view: m }, context(source, target));
    expect(drafts.map(shown)).toEqual([
      {
        ...base,
        phase: 'expand',
        releaseOffset: 0,
        action: 'create_materialized_view',
        sql: [
          'DO $sy$',
          'BEGIN',
          '  CREATE MATERIALIZED VIEW app.totals AS',
          '  SELECT count(*) AS n FROM app.users',
          '  WITH NO DATA;',
          '  CREATE UNIQUE INDEX totals_n ON app.totals USING btree (n);',
          'END',
          '$sy$',
        ].join('\n'),
        rollback: ['DROP MATERIALIZED VIEW app.totals'],
        hazards: [],
      },
      {
        ...base,
        phase: 'backfill',
        releaseOffset: 0,
        action: 'refresh_materialized_view',
        sql: 'REFRESH MATERIALIZED VIEW app.totals',
        rollback: ['REFRESH MATERIALIZED VIEW app.totals WITH NO DATA'],
        hazards: ['FULL_SCAN'],
      },
    ]);
    expect(keys(drafts[0]!).creates).toEqual([key.view('app', 'totals'), key.index('app', 'totals_n')]);
    expect(keys(drafts[1]!).requires).toEqual([key.view('app', 'totals')]);
  });
});

describe('drop_view', () => {
  it('the next release, before what it reads is dropped; the rollback builds it again', () => {
    const drafts = steps(
      H.drop_view,
      { kind: 'drop_view', schema: 'app', view: contacts },
      context(source, db(schema('app', { tables: [users] }))),
    );
    expect(drafts.map(shown)).toEqual([
      {
        ...base,
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_view',
        sql: 'DROP VIEW app.contacts',
        rollback: ['CREATE VIEW app.contacts AS\nSELECT users.id, users.email FROM app.users\n'],
        hazards: [],
      },
    ]);
    expect(keys(drafts[0]!)).toEqual({
      creates: [],
      requires: [
        key.schema('app'),
        key.table('app', 'users'),
        key.column('app', 'users', 'email'),
        key.column('app', 'users', 'id'),
      ],
      drops: [key.view('app', 'contacts')],
    });
  });
});

describe('replace_view', () => {
  it('appended columns: CREATE OR REPLACE in expand; the rollback drops and creates the narrower one', () => {
    const wider = view('contacts', 'SELECT users.id, users.email, users.name FROM app.users', [
      ['id', 'bigint'],
      ['email', 'text'],
      ['name', 'text'],
    ]);
    const target = db(schema('app', { tables: [users], views: [wider] }));
    const drafts = steps(
      H.replace_view,
      { kind: 'replace_view', schema: 'app', from: contacts, to: wider },
      context(source, target),
    );
    expect(drafts.map(shown)).toEqual([
      {
        ...base,
        phase: 'expand',
        releaseOffset: 0,
        action: 'replace_view',
        sql: 'CREATE OR REPLACE VIEW app.contacts AS\nSELECT users.id, users.email, users.name FROM app.users\n',
        rollback: [
          'DO $sy$\nBEGIN\n  DROP VIEW app.contacts;\n  CREATE VIEW app.contacts AS\n  SELECT users.id, users.email FROM app.users\n  ;\nEND\n$sy$',
        ],
        hazards: [],
      },
    ]);
  });

  it('a column changing type: dropped and created in one transaction with the view reading it', () => {
    const top = view('top', 'SELECT contacts.id FROM app.contacts', [['id', 'bigint']], {
      derived: { columns: [], reads: [reads('contacts', 'id')] },
    });
    const retyped = view('contacts', 'SELECT users.id, users.email::varchar AS email FROM app.users', [
      ['id', 'bigint'],
      ['email', 'character varying'],
    ]);
    const from = db(schema('app', { tables: [users], views: [contacts, top] }));
    const to = db(schema('app', { tables: [users], views: [retyped, top] }));
    const changes = diff(from, to);
    expect(changes.map((c) => c.kind)).toEqual(['replace_view']);
    const drafts = steps(
      H.replace_view,
      { kind: 'replace_view', schema: 'app', from: contacts, to: retyped },
      context(from, to),
    );
    expect(drafts.map(shown)).toEqual([
      {
        ...base,
        phase: 'expand',
        releaseOffset: 0,
        action: 'recreate_view',
        sql: [
          'DO $sy$',
          'BEGIN',
          '  DROP VIEW app.top;',
          '  DROP VIEW app.contacts;',
          '  CREATE VIEW app.contacts AS',
          '  SELECT users.id, users.email::varchar AS email FROM app.users',
          '  ;',
          '  CREATE VIEW app.top AS',
          '  SELECT contacts.id FROM app.contacts',
          '  ;',
          'END',
          '$sy$',
        ].join('\n'),
        rollback: [
          [
            'DO $sy$',
            'BEGIN',
            '  DROP VIEW app.top;',
            '  DROP VIEW app.contacts;',
            '  CREATE VIEW app.contacts AS',
            '  SELECT users.id, users.email FROM app.users',
            '  ;',
            '  CREATE VIEW app.top AS',
            '  SELECT contacts.id FROM app.contacts',
            '  ;',
            'END',
            '$sy$',
          ].join('\n'),
        ],
        hazards: ['BREAKS_OLD_APP'],
      },
    ]);
    expect(keys(drafts[0]!).creates).toEqual([key.view('app', 'contacts'), key.view('app', 'top')]);
  });

  it('a source reading a column the target drops: the next release, requiring that column', () => {
    const narrow = table('users', [col('id', 'bigint'), col('email', 'text')]);
    const v = view(
      'named',
      'SELECT users.id, users.name FROM app.users',
      [
        ['id', 'bigint'],
        ['name', 'text'],
      ],
      {
        derived: { columns: [], reads: [reads('users', 'id', 'name')] },
      },
    );
    const v2 = view(
      'named',
      "SELECT users.id, ''::text AS name FROM app.users",
      [
        ['id', 'bigint'],
        ['name', 'text'],
      ],
      {
        derived: { columns: [], reads: [reads('users', 'id')] },
      },
    );
    const drafts = steps(
      H.replace_view,
      {
        kind: 'replace_view',
        schema: 'app',
        from: {
          ...v,
          derived: {
            ...v.derived!,
            columns: [
              { name: 'id', type: 'bigint' },
              { name: 'name', type: 'text' },
            ],
          },
        },
        to: {
          ...v2,
          derived: {
            ...v2.derived!,
            columns: [
              { name: 'id', type: 'bigint' },
              { name: 'name', type: 'text' },
            ],
          },
        },
      },
      context(db(schema('app', { tables: [users], views: [v] })), db(schema('app', { tables: [narrow], views: [v2] }))),
    );
    expect(drafts.map((d) => [d.phase, d.releaseOffset, d.action])).toEqual([['contract', 1, 'replace_view']]);
    expect(drafts[0]!.requires).toContain(key.column('app', 'users', 'name'));
  });

  it('a materialized view whose index changes: the index alone, CONCURRENTLY', () => {
    const m = (unique: boolean) =>
      view('totals', 'SELECT count(*) AS n FROM app.users', [['n', 'bigint']], {
        materialized: true,
        indexes: [idx('totals_n', ['n'], { unique })],
      });
    const drafts = steps(
      H.replace_view,
      { kind: 'replace_view', schema: 'app', from: m(false), to: m(true) },
      context(
        db(schema('app', { tables: [users], views: [m(false)] })),
        db(schema('app', { tables: [users], views: [m(true)] })),
      ),
    );
    expect(drafts.map((d) => [d.action, d.sql, d.rollback])).toEqual([
      [
        'drop_index_concurrently',
        'DROP INDEX CONCURRENTLY app.totals_n',
        ['CREATE INDEX CONCURRENTLY totals_n ON app.totals USING btree (n)'],
      ],
      [
        'create_index_concurrently',
        'CREATE UNIQUE INDEX CONCURRENTLY totals_n ON app.totals USING btree (n)',
        ['DROP INDEX CONCURRENTLY app.totals_n'],
      ],
    ]);
    expect(drafts[1]!.requires).toContain(milestone.gone(key.index('app', 'totals_n')));
  });
});

describe('replace_view of a materialized view whose query changes', () => {
  it('staged under a temporary name: created empty, refreshed in backfill, swapped in contract', () => {
    const m = (definition: string, comment?: string) =>
      view('totals', definition, [['n', 'bigint']], {
        materialized: true,
        indexes: [idx('totals_n', ['n'], { unique: true })],
        ...(comment ? { comment } : {}),
        derived: { columns: [{ name: 'n', type: 'bigint' }], reads: [reads('users')] },
      });
    const from = m('SELECT count(*) AS n FROM app.users');
    const to = m('SELECT count(users.id) AS n FROM app.users', 'rows');
    const drafts = steps(
      H.replace_view,
      { kind: 'replace_view', schema: 'app', from, to },
      context(
        db(schema('app', { tables: [users], views: [from] })),
        db(schema('app', { tables: [users], views: [to] })),
      ),
    );
    expect(drafts.map((d) => [d.phase, d.action, d.sql, d.rollback])).toEqual([
      [
        'expand',
        'create_materialized_view',
        [
          'DO $sy$',
          'BEGIN',
          '  CREATE MATERIALIZED VIEW app.totals__new AS',
          '  SELECT count(users.id) AS n FROM app.users',
          '  WITH NO DATA;',
          '  CREATE UNIQUE INDEX totals_n__new ON app.totals__new USING btree (n);',
          'END',
          '$sy$',
        ].join('\n'),
        ['DROP MATERIALIZED VIEW app.totals__new'],
      ],
      [
        'backfill',
        'refresh_materialized_view',
        'REFRESH MATERIALIZED VIEW app.totals__new',
        ['REFRESH MATERIALIZED VIEW app.totals__new WITH NO DATA'],
      ],
      [
        'contract',
        'swap_materialized_view',
        [
          'DO $sy$',
          'BEGIN',
          '  DROP MATERIALIZED VIEW app.totals;',
          '  ALTER MATERIALIZED VIEW app.totals__new RENAME TO totals;',
          '  ALTER INDEX app.totals_n__new RENAME TO totals_n;',
          "  COMMENT ON MATERIALIZED VIEW app.totals IS 'rows';",
          'END',
          '$sy$',
        ].join('\n'),
        [
          [
            'DO $sy$',
            'BEGIN',
            '  COMMENT ON MATERIALIZED VIEW app.totals IS NULL;',
            '  ALTER INDEX app.totals_n RENAME TO totals_n__new;',
            '  ALTER MATERIALIZED VIEW app.totals RENAME TO totals__new;',
            '  CREATE MATERIALIZED VIEW app.totals AS',
            '  SELECT count(*) AS n FROM app.users',
            '  WITH DATA;',
            '  CREATE UNIQUE INDEX totals_n ON app.totals USING btree (n);',
            'END',
            '$sy$',
          ].join('\n'),
        ],
      ],
    ]);
  });
});

describe('diff of views', () => {
  it('comments alone are set_comment changes; derived data alone changes nothing', () => {
    const commented = { ...contacts, comment: 'x', columnComments: [{ name: 'email', comment: 'y' }] };
    const from = db(schema('app', { tables: [users], views: [contacts] }));
    const to = db(schema('app', { tables: [users], views: [commented] }));
    expect(diff(from, to)).toEqual([
      {
        kind: 'set_comment',
        schema: 'app',
        target: { kind: 'view', view: 'contacts', materialized: false },
        from: null,
        to: 'x',
      },
      {
        kind: 'set_comment',
        schema: 'app',
        target: { kind: 'view_column', view: 'contacts', column: 'email' },
        from: null,
        to: 'y',
      },
    ]);
    const { derived: _, ...bare } = contacts;
    expect(diff(from, db(schema('app', { tables: [users], views: [bare] })))).toEqual([]);
  });

  it('a view turning materialized is dropped and created', () => {
    const m = { ...contacts, materialized: true as const };
    expect(diff(source, db(schema('app', { tables: [users], views: [m] }))).map((c) => c.kind)).toEqual([
      'drop_view',
      'create_view',
    ]);
  });
});
