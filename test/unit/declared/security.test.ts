// Row-level security, policies, replica identity and persistence (issue #15, point 1) without a server: the
// declared form (each USING / WITH CHECK parsed as exactly one expression, refused at its YAML node otherwise),
// the model it gives and the YAML written back, the exact SQL rendered, and the changes the differ emits.
import { describe, expect, it } from 'vitest';
import { describeChange, diff } from '../../../src/diff/index.js';
import { fingerprint } from '../../../src/schema/model/fingerprint.js';
import type { DatabaseSchema, Policy, Table } from '../../../src/schema/model/model.js';
import { declarable, normalizeDatabase } from '../../../src/schema/model/normalize.js';
import { policiesToPublic, policyRoles, restorePolicyRoles } from '../../../src/schema/model/policy-roles.js';
import { analyzeDeclared, parseDeclared, toYaml } from '../../../src/schema/declared/yaml.js';
import { key } from '../../../src/planner/keys.js';
import type { Step } from '../../../src/planner/types.js';
import { unmetExpectations } from '../../../src/rehearsal/expect.js';
import {
  alterPolicy,
  createPolicy,
  createTable,
  dropPolicy,
  forceRowSecurity,
  policyAltersInPlace,
  renderDatabase,
  replicaIdentity,
  rowSecurity,
  setPersistence,
} from '../../../src/sql/render/index.js';
import { app, col, notNull, pk, table } from '../diff/fixtures.js';

/** Lines under table `accounts` of schema `public`: the first given line is line 5 and starts at column 9. */
const accounts = (...lines: string[]): string =>
  `${['schemas:', '  public:', '    tables:', '      accounts:', ...lines.map((l) => `        ${l}`)].join('\n')}\n`;
const COLUMNS = 'columns: { id: { type: bigint, nullable: false }, owner: { type: text }, email: { type: text } }';

const problems = (yaml: string) =>
  analyzeDeclared(yaml, 'schema.yaml').problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);

describe('declared policies and table attributes', () => {
  it('refuse a bare table name in a policy outside public (it would read public through the search_path)', () => {
    const yaml = [
      'schemas:',
      '  app:',
      '    tables:',
      '      accounts:',
      '        columns: { id: { type: bigint, nullable: false }, owner: { type: text } }',
      '        policies:',
      '          p: { using: "owner IN (SELECT name FROM owners)" }',
      '          q: { using: "owner IN (SELECT name FROM app.owners)" }',
    ].join('\n');
    expect(problems(yaml)).toEqual([
      '7:23 schemas.app.tables.accounts.policies.p.using: policy "p" of table "app"."accounts": `using`: `owners` has no schema, so it would be read from the search_path (public), not from app',
    ]);
  });

  it('give the model, with defaults filled in the way PostgreSQL fills them', () => {
    const model = parseDeclared(
      accounts(
        COLUMNS,
        'primaryKey: { columns: [id] }',
        'unique: { accounts_email_key: { columns: [email] } }',
        'rowSecurity: true',
        'forceRowSecurity: true',
        'replicaIdentity: { index: accounts_email_key }',
        'unlogged: true',
        'policies:',
        '  own: { using: "owner = current_user" }',
        '  writers: { command: insert, restrictive: true, roles: [writer, "Sy Reader"], withCheck: "owner <> \'\'" }',
      ),
      'schema.yaml',
    );
    const t = model.schemas[0]!.tables[0]!;
    expect(t).toMatchObject({
      rowSecurity: true,
      forceRowSecurity: true,
      replicaIdentity: { index: 'accounts_email_key' },
      unlogged: true,
    });
    expect(t.policies).toEqual([
      { kind: 'policy', name: 'own', command: 'all', roles: ['public'], using: 'owner = current_user' },
      {
        kind: 'policy',
        name: 'writers',
        command: 'insert',
        restrictive: true,
        roles: ['Sy Reader', 'writer'],
        withCheck: "owner <> ''",
      },
    ]);
  });

  it('leave a table without them as it was (no field, no fingerprint change)', () => {
    const yaml = accounts(COLUMNS, 'replicaIdentity: default');
    const t = parseDeclared(yaml, 'schema.yaml').schemas[0]!.tables[0]!;
    for (const k of ['rowSecurity', 'forceRowSecurity', 'policies', 'replicaIdentity', 'unlogged'])
      expect(Object.keys(t)).not.toContain(k);
    expect(fingerprint(parseDeclared(yaml, 'a.yaml'))).toBe(fingerprint(parseDeclared(accounts(COLUMNS), 'b.yaml')));
  });

  it.each([
    [
      'a USING that closes the parenthesis and starts a statement',
      ['policies:', '  p: { using: "true); DROP TABLE accounts; SELECT (1" }'],
      '7:23 schemas.public.tables.accounts.policies.p.using: policy "p" of table "public"."accounts": `using`: a second statement starts at character 8: `DROP TABLE accounts; SELECT (1`',
    ],
    [
      'a WITH CHECK that is a second value',
      ['policies:', '  p: { withCheck: "true, false" }'],
      '7:27 schemas.public.tables.accounts.policies.p.withCheck: policy "p" of table "public"."accounts": `withCheck`: not a single SQL expression',
    ],
    [
      'a USING that writes',
      ['policies:', '  p: { using: "(WITH d AS (DELETE FROM accounts RETURNING 1) SELECT true)" }'],
      '7:23 schemas.public.tables.accounts.policies.p.using: policy "p" of table "public"."accounts": `using`: an expression may not contain a data-changing statement (DELETE)',
    ],
    [
      'USING on an INSERT policy',
      ['policies:', '  p: { command: insert, using: "true" }'],
      '7:33 schemas.public.tables.accounts.policies.p.using: policy "p" of table "public"."accounts": an INSERT policy has no USING',
    ],
    [
      'WITH CHECK on a SELECT policy',
      ['policies:', '  p: { command: select, withCheck: "true" }'],
      '7:33 schemas.public.tables.accounts.policies.p.withCheck: policy "p" of table "public"."accounts": a SELECT policy has no WITH CHECK',
    ],
    [
      'a role listed twice',
      ['policies:', '  p: { roles: [a, a], using: "true" }'],
      '7:27 schemas.public.tables.accounts.policies.p.roles.1: policy "p" of table "public"."accounts" lists the role "a" twice',
    ],
    [
      'public with other roles (PostgreSQL would keep only PUBLIC)',
      ['policies:', '  p: { roles: [public, a], using: "true" }'],
      '7:23 schemas.public.tables.accounts.policies.p.roles: policy "p" of table "public"."accounts" lists `public` with other roles',
    ],
    [
      'an unknown command',
      ['policies:', '  p: { command: merge, using: "true" }'],
      '7:25 schemas.public.tables.accounts.policies.p.command: policy "p" of table "public"."accounts": `command` must be one of all, select, insert, update, delete',
    ],
    [
      'a replica identity index the table does not have',
      ['replicaIdentity: { index: nope }'],
      '6:35 schemas.public.tables.accounts.replicaIdentity.index: table "public"."accounts": the replica identity index "nope" is not a unique index, unique constraint or primary key of the table',
    ],
    [
      'a replica identity that is no form',
      ['replicaIdentity: all'],
      '6:26 schemas.public.tables.accounts.replicaIdentity',
    ],
  ])('refuse %s at its YAML node', (_, lines, expected) => {
    const found = problems(accounts(COLUMNS, ...lines));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(expected);
  });
});

const own: Policy = { kind: 'policy', name: 'own', command: 'all', roles: ['public'], using: '(owner = CURRENT_USER)' };
const readers: Policy = {
  kind: 'policy',
  name: 'Readers',
  command: 'select',
  restrictive: true,
  roles: ['Sy Reader', 'reader'],
  using: '(region IS NOT NULL)',
  comment: "Readers' rows",
};
const base = table('accounts', [notNull('id', 'bigint'), col('owner', 'text'), col('email', 'text')], {
  primaryKey: pk('accounts_pkey', ['id']),
});
const secured: Table = {
  ...base,
  rowSecurity: true,
  forceRowSecurity: true,
  policies: [own, readers],
  replicaIdentity: { index: 'accounts_pkey' },
  unlogged: true,
};

describe('model -> YAML -> model', () => {
  it('keeps every form, and writes the short ones', () => {
    for (const ri of ['full', 'nothing', { index: 'accounts_pkey' }] as const) {
      const model = app({ ...secured, replicaIdentity: ri });
      const yaml = toYaml(model);
      expect(parseDeclared(yaml, 'x.yaml')).toEqual(normalizeDatabase(model));
      expect(fingerprint(parseDeclared(yaml, 'x.yaml'))).toBe(fingerprint(model));
    }
    expect(toYaml(app(secured))).toContain(
      [
        '        rowSecurity: true',
        '        forceRowSecurity: true',
        '        policies:',
        '          Readers:',
        '            command: select',
        '            restrictive: true',
        '            roles: [ Sy Reader, reader ]',
        '            using: (region IS NOT NULL)',
        "            comment: Readers' rows",
        '          own: { using: (owner = CURRENT_USER) }',
        '        replicaIdentity: { index: accounts_pkey }',
        '        unlogged: true',
      ].join('\n'),
    );
  });

  it('leaves what the catalog derives from a policy out of the fingerprint and the YAML', () => {
    const withReads = app({
      ...secured,
      policies: [{ ...own, derived: { reads: [{ schema: 'app', relation: 'accounts', columns: ['owner'] }] } }],
    });
    const without = app({ ...secured, policies: [own] });
    expect(fingerprint(withReads)).toBe(fingerprint(without));
    expect(toYaml(withReads)).toBe(toYaml(without));
    expect(declarable(withReads)).toEqual(without);
    expect(diff(withReads, without)).toEqual([]);
  });
});

describe('rendered SQL', () => {
  it('policies: create, alter, drop, roles quoted and PUBLIC', () => {
    expect(createPolicy('app', 'accounts', own)).toBe(
      'CREATE POLICY own ON app.accounts AS PERMISSIVE FOR ALL TO PUBLIC USING ((owner = CURRENT_USER))',
    );
    expect(createPolicy('My App', 'accounts', { ...readers, withCheck: 'true' })).toBe(
      'CREATE POLICY "Readers" ON "My App".accounts AS RESTRICTIVE FOR SELECT TO "Sy Reader", reader USING ((region IS NOT NULL)) WITH CHECK (true)',
    );
    expect(alterPolicy('app', 'accounts', { ...own, roles: ['reader'], withCheck: 'true' })).toBe(
      'ALTER POLICY own ON app.accounts TO reader USING ((owner = CURRENT_USER)) WITH CHECK (true)',
    );
    expect(dropPolicy('app', 'accounts', 'Readers')).toBe('DROP POLICY "Readers" ON app.accounts');
    expect(policyAltersInPlace(own, { ...own, roles: ['x'], using: 'true' })).toBe(true);
    expect(policyAltersInPlace(own, { ...own, command: 'select' })).toBe(false);
    expect(policyAltersInPlace(own, { ...own, restrictive: true })).toBe(false);
    expect(policyAltersInPlace({ ...own, withCheck: 'true' }, own)).toBe(false);
  });

  it('row level security, replica identity and persistence', () => {
    expect(rowSecurity('app', 'accounts', true)).toBe('ALTER TABLE app.accounts ENABLE ROW LEVEL SECURITY');
    expect(rowSecurity('app', 'accounts', false)).toBe('ALTER TABLE app.accounts DISABLE ROW LEVEL SECURITY');
    expect(forceRowSecurity('app', 'accounts', true)).toBe('ALTER TABLE app.accounts FORCE ROW LEVEL SECURITY');
    expect(forceRowSecurity('app', 'accounts', false)).toBe('ALTER TABLE app.accounts NO FORCE ROW LEVEL SECURITY');
    expect(replicaIdentity('app', 'accounts', undefined)).toBe('ALTER TABLE app.accounts REPLICA IDENTITY DEFAULT');
    expect(replicaIdentity('app', 'accounts', 'full')).toBe('ALTER TABLE app.accounts REPLICA IDENTITY FULL');
    expect(replicaIdentity('app', 'accounts', 'nothing')).toBe('ALTER TABLE app.accounts REPLICA IDENTITY NOTHING');
    expect(replicaIdentity('app', 'accounts', { index: 'Accounts Key' })).toBe(
      'ALTER TABLE app.accounts REPLICA IDENTITY USING INDEX "Accounts Key"',
    );
    expect(setPersistence('app', 'accounts', true)).toBe('ALTER TABLE app.accounts SET UNLOGGED');
    expect(setPersistence('app', 'accounts', false)).toBe('ALTER TABLE app.accounts SET LOGGED');
    expect(createTable('app', { ...base, unlogged: true }).split('\n')[0]).toBe('CREATE UNLOGGED TABLE app.accounts (');
  });

  it('a whole database: the replica identity after the indexes, row level security, policies last, then comments', () => {
    const sql = renderDatabase(app(secured)).filter((s) => !s.startsWith('CREATE SCHEMA'));
    expect(sql).toEqual([
      'CREATE UNLOGGED TABLE app.accounts (\n  id bigint NOT NULL,\n  owner text,\n  email text,\n  CONSTRAINT accounts_pkey PRIMARY KEY (id)\n)',
      'ALTER TABLE app.accounts REPLICA IDENTITY USING INDEX accounts_pkey',
      'ALTER TABLE app.accounts ENABLE ROW LEVEL SECURITY',
      'ALTER TABLE app.accounts FORCE ROW LEVEL SECURITY',
      'CREATE POLICY "Readers" ON app.accounts AS RESTRICTIVE FOR SELECT TO "Sy Reader", reader USING ((region IS NOT NULL))',
      'CREATE POLICY own ON app.accounts AS PERMISSIVE FOR ALL TO PUBLIC USING ((owner = CURRENT_USER))',
      `COMMENT ON POLICY "Readers" ON app.accounts IS 'Readers'' rows'`,
    ]);
  });
});

describe('diff', () => {
  const plain = app(base);
  const changes = (a: DatabaseSchema, b: DatabaseSchema) => diff(a, b).map(describeChange);

  it('one change per attribute of a table on both sides', () => {
    expect(changes(plain, app(secured))).toEqual([
      'set app.accounts unlogged',
      'set row level security on app.accounts from disabled to enabled, forced',
      'create policy "Readers" on app.accounts',
      'create policy own on app.accounts',
      'set replica identity of app.accounts from default to using index accounts_pkey',
    ]);
    expect(changes(app(secured), app({ ...secured, policies: [own, { ...readers, roles: ['reader'] }] }))).toEqual([
      'alter policy "Readers" on app.accounts',
    ]);
    expect(changes(app(secured), plain)).toEqual([
      'set app.accounts logged',
      'set row level security on app.accounts from enabled, forced to disabled',
      'drop policy "Readers" on app.accounts',
      'drop policy own on app.accounts',
      'set replica identity of app.accounts from using index accounts_pkey to default',
    ]);
  });

  it('a new or dropped table: CREATE TABLE carries UNLOGGED, the rest are changes of their own', () => {
    const none = app();
    const added = diff(none, app(secured));
    const addTable = added.find((c) => c.kind === 'add_table');
    expect(addTable && 'definition' in addTable ? Object.keys(addTable.definition) : []).not.toContain('policies');
    expect(addTable && 'definition' in addTable ? addTable.definition.unlogged : undefined).toBe(true);
    expect(added.map(describeChange)).toEqual([
      'add table app.accounts',
      'set row level security on app.accounts from disabled to enabled, forced',
      'create policy "Readers" on app.accounts',
      'create policy own on app.accounts',
      'set replica identity of app.accounts from default to using index accounts_pkey',
    ]);
    expect(diff(app(secured), none).map(describeChange)).toEqual([
      'drop table app.accounts',
      'set row level security on app.accounts from enabled, forced to disabled',
      'drop policy "Readers" on app.accounts',
      'drop policy own on app.accounts',
      'set replica identity of app.accounts from using index accounts_pkey to default',
    ]);
  });
});

describe("a phase's expectations (rehearsal)", () => {
  it('check that a step creating or dropping a policy did', () => {
    const own = key.policy('app', 'accounts', 'own');
    const s = (id: string, o: { creates?: string[]; drops?: string[] }) =>
      ({ id, action: 'create_policy', creates: o.creates ?? [], drops: o.drops ?? [] }) as unknown as Step;
    expect(unmetExpectations([s('r1-expand-001', { creates: [own] })], app(secured))).toEqual([]);
    expect(unmetExpectations([s('r1-expand-001', { creates: [own] })], app(base))).toEqual([
      'step r1-expand-001 should have created policy app.accounts.own, which does not exist',
    ]);
    expect(unmetExpectations([s('r2-contract-001', { drops: [own] })], app(secured))).toEqual([
      'step r2-contract-001 should have dropped policy app.accounts.own, which still exists',
    ]);
  });
});

describe('policy roles on a server without them', () => {
  it('are built TO PUBLIC and given back, and listed with where they are declared', () => {
    const model = app(secured);
    expect(policyRoles(model)).toEqual([
      ['Sy Reader', ['schemas', 'app', 'tables', 'accounts', 'policies', 'Readers']],
      ['reader', ['schemas', 'app', 'tables', 'accounts', 'policies', 'Readers']],
    ]);
    const open = policiesToPublic(model);
    expect(open.schemas[0]!.tables[0]!.policies!.map((p) => p.roles)).toEqual([['public'], ['public']]);
    expect(restorePolicyRoles(open, model)).toEqual(model);
  });
});
