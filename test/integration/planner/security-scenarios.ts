// Scenario data for kinds.test.ts: row-level security, policies, replica identity and persistence (issue #15,
// point 1). Each is applied phase by phase, rolled back to an identical catalog (fingerprint and pg_dump),
// applied again, compared with the target built directly, and planned again to nothing.
//
// Roles are cluster objects: the scenarios share one server, so each source creates the roles it names and
// tolerates another scenario having created them first.
import { stringify } from 'yaml';
import { expect } from 'vitest';
import { allSteps } from '../../../src/planner/plan.js';
import type { Plan } from '../../../src/planner/types.js';
import type { KindScenario } from './kinds-scenarios.js';

export const ROLES = `
DO $$ BEGIN CREATE ROLE sy_reader NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE "Sy Writer" NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;`;

const ACCOUNTS = `${ROLES}
CREATE TABLE accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner text NOT NULL,
  email text NOT NULL,
  region text,
  balance numeric(12,2) NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX accounts_email_key ON accounts (email);
INSERT INTO accounts (owner, email, region, balance) VALUES
  ('ana', 'ana@example.com', 'cl', 10), ('bo', 'bo@example.org', 'ar', 20), ('cy', 'cy@example.com', NULL, 0);`;

type Decl = Record<string, unknown>;
const ACCOUNT_COLUMNS: Decl = {
  id: { type: 'bigint', nullable: false, identity: 'always' },
  owner: { type: 'text', nullable: false },
  email: { type: 'text', nullable: false },
  region: { type: 'text' },
  balance: { type: 'numeric(12,2)', nullable: false, default: '0' },
};

/** The declared accounts table with `extra` fields (policies, rowSecurity...) and its unique email index. */
function accounts(extra: Decl = {}, indexes: Decl = { accounts_email_key: { columns: ['email'], unique: true } }) {
  return stringify({
    schemas: {
      public: {
        tables: {
          accounts: {
            columns: ACCOUNT_COLUMNS,
            primaryKey: { columns: ['id'] },
            ...(Object.keys(indexes).length ? { indexes } : {}),
            ...extra,
          },
        },
      },
    },
  });
}

const actions = (p: Plan) => allSteps(p).map((s) => `${s.release} ${s.phase} ${s.action}`);
const step = (p: Plan, action: string) => {
  const found = allSteps(p).filter((s) => s.action === action);
  expect(found, action).toHaveLength(1);
  return found[0]!;
};

const OWN_ROWS = {
  using: 'owner = current_user',
  withCheck: "owner = current_user AND email LIKE '%@%'",
  comment: 'Each role sees its own accounts',
};
const POLICY_SQL = `
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON accounts USING (owner = current_user) WITH CHECK (owner = current_user AND email LIKE '%@%');
CREATE POLICY readers ON accounts AS RESTRICTIVE FOR SELECT TO sy_reader, "Sy Writer" USING (region IS NOT NULL);
COMMENT ON POLICY own_rows ON accounts IS 'Each role sees its own accounts';`;
const POLICIES = {
  own_rows: OWN_ROWS,
  readers: { command: 'select', restrictive: true, roles: ['sy_reader', 'Sy Writer'], using: 'region IS NOT NULL' },
};

export const SECURITY_SCENARIOS: readonly KindScenario[] = [
  {
    name: 'enable and force row level security, after the policies it needs',
    kind: 'set_row_security',
    source: ACCOUNTS,
    target: accounts({ rowSecurity: true, forceRowSecurity: true, policies: { own_rows: OWN_ROWS } }),
    plan: (p) => {
      expect(actions(p)).toEqual(['1 expand create_policy', '1 expand set_row_security', '1 expand comment']);
      expect(step(p, 'set_row_security')).toMatchObject({
        sql: 'ALTER TABLE public.accounts ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY',
        rollback: ['ALTER TABLE public.accounts DISABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY'],
        lock: 'ACCESS EXCLUSIVE',
      });
    },
  },
  {
    name: 'disable row level security (the policies go a release later)',
    kind: 'set_row_security',
    source: `${ACCOUNTS}${POLICY_SQL}`,
    target: accounts(),
    plan: (p) => {
      expect(actions(p)).toEqual(['1 expand set_row_security', '2 contract drop_policy', '2 contract drop_policy']);
      expect(step(p, 'set_row_security').sql).toBe('ALTER TABLE public.accounts DISABLE ROW LEVEL SECURITY');
    },
  },
  {
    name: 'no force only',
    kind: 'set_row_security',
    source: `${ACCOUNTS}${POLICY_SQL}ALTER TABLE accounts FORCE ROW LEVEL SECURITY;`,
    target: accounts({ rowSecurity: true, policies: POLICIES }),
    plan: (p) => {
      expect(step(p, 'set_row_security').sql).toBe('ALTER TABLE public.accounts NO FORCE ROW LEVEL SECURITY');
    },
  },
  {
    name: 'a permissive policy with USING, WITH CHECK and a comment, and a restrictive SELECT policy for two roles',
    kind: 'create_policy',
    source: `${ACCOUNTS}ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;`,
    target: accounts({ rowSecurity: true, policies: POLICIES }),
    plan: (p) => {
      expect(actions(p)).toEqual(['1 expand create_policy', '1 expand comment', '1 expand create_policy']);
      const [own, , readers] = allSteps(p);
      expect(own!.sql).toBe(
        "CREATE POLICY own_rows ON public.accounts AS PERMISSIVE FOR ALL TO PUBLIC USING ((owner = CURRENT_USER)) WITH CHECK (((owner = CURRENT_USER) AND (email ~~ '%@%'::text)))",
      );
      expect(own!.rollback).toEqual(['DROP POLICY own_rows ON public.accounts']);
      expect(readers!.sql).toBe(
        'CREATE POLICY readers ON public.accounts AS RESTRICTIVE FOR SELECT TO "Sy Writer", sy_reader USING ((region IS NOT NULL))',
      );
    },
  },
  {
    name: 'policies of a new table, with row level security enabled after them',
    kind: 'create_policy',
    source: ROLES,
    target: accounts({ rowSecurity: true, policies: POLICIES }),
    plan: (p) => {
      expect(actions(p)).toEqual([
        '1 expand create_table',
        '1 expand create_index',
        '1 expand create_policy',
        '1 expand comment',
        '1 expand create_policy',
        '1 expand set_row_security',
      ]);
    },
  },
  {
    name: 'roles and expressions altered in place',
    kind: 'alter_policy',
    source: `${ACCOUNTS}${POLICY_SQL}`,
    target: accounts({
      rowSecurity: true,
      policies: {
        own_rows: { ...OWN_ROWS, roles: ['Sy Writer'], using: "owner = current_user OR region = 'cl'" },
        readers: { ...POLICIES.readers, roles: ['sy_reader'] },
      },
    }),
    plan: (p) => {
      expect(actions(p)).toEqual(['1 expand alter_policy', '1 expand alter_policy']);
      expect(allSteps(p)[0]).toMatchObject({
        sql: `ALTER POLICY own_rows ON public.accounts TO "Sy Writer" USING (((owner = CURRENT_USER) OR (region = 'cl'::text))) WITH CHECK (((owner = CURRENT_USER) AND (email ~~ '%@%'::text)))`,
        rollback: [
          `ALTER POLICY own_rows ON public.accounts TO PUBLIC USING ((owner = CURRENT_USER)) WITH CHECK (((owner = CURRENT_USER) AND (email ~~ '%@%'::text)))`,
        ],
      });
    },
  },
  {
    name: 'a new command and a removed WITH CHECK: dropped and created in one transaction',
    kind: 'alter_policy',
    source: `${ACCOUNTS}${POLICY_SQL}`,
    target: accounts({
      rowSecurity: true,
      policies: { own_rows: { command: 'update', using: 'owner = current_user' }, readers: POLICIES.readers },
    }),
    plan: (p) => {
      // The policy is created again without the comment the target no longer has: no comment step.
      expect(actions(p)).toEqual(['1 expand replace_policy']);
      const s = step(p, 'replace_policy');
      expect(s.sql).toBe(
        [
          'DO $sy$',
          'BEGIN',
          '  DROP POLICY own_rows ON public.accounts;',
          '  CREATE POLICY own_rows ON public.accounts AS PERMISSIVE FOR UPDATE TO PUBLIC USING ((owner = CURRENT_USER));',
          'END',
          '$sy$',
        ].join('\n'),
      );
      expect(s.rollback).toEqual([
        [
          'DO $sy$',
          'BEGIN',
          '  DROP POLICY own_rows ON public.accounts;',
          "  CREATE POLICY own_rows ON public.accounts AS PERMISSIVE FOR ALL TO PUBLIC USING ((owner = CURRENT_USER)) WITH CHECK (((owner = CURRENT_USER) AND (email ~~ '%@%'::text)));",
          "  COMMENT ON POLICY own_rows ON public.accounts IS 'Each role sees its own accounts';",
          'END',
          '$sy$',
        ].join('\n'),
      ]);
    },
  },
  {
    name: 'policies removed with the table keeping row level security',
    kind: 'drop_policy',
    source: `${ACCOUNTS}${POLICY_SQL}`,
    target: accounts({ rowSecurity: true, policies: { readers: POLICIES.readers } }),
    plan: (p) => {
      expect(actions(p)).toEqual(['2 contract drop_policy']);
      expect(step(p, 'drop_policy')).toMatchObject({
        sql: 'DROP POLICY own_rows ON public.accounts',
        rollback: [
          "CREATE POLICY own_rows ON public.accounts AS PERMISSIVE FOR ALL TO PUBLIC USING ((owner = CURRENT_USER)) WITH CHECK (((owner = CURRENT_USER) AND (email ~~ '%@%'::text)))",
          "COMMENT ON POLICY own_rows ON public.accounts IS 'Each role sees its own accounts'",
        ],
      });
    },
  },
  {
    name: 'a dropped table with policies, row level security and replica identity: all restored by the rollback',
    kind: 'drop_policy',
    source: `${ACCOUNTS}${POLICY_SQL}ALTER TABLE accounts REPLICA IDENTITY USING INDEX accounts_email_key;
CREATE TABLE keep (id int PRIMARY KEY);`,
    target: stringify({
      schemas: {
        public: { tables: { keep: { columns: { id: { type: 'integer' } }, primaryKey: { columns: ['id'] } } } },
      },
    }),
    plan: (p) => {
      const drop = actions(p).indexOf('2 contract drop_table');
      expect(drop).toBeGreaterThan(0);
      for (const a of ['2 contract drop_policy', '2 contract set_row_security', '2 contract set_replica_identity'])
        expect(actions(p).indexOf(a), a).toBeLessThan(drop);
      expect(step(p, 'set_replica_identity')).toMatchObject({
        sql: 'ALTER TABLE public.accounts REPLICA IDENTITY DEFAULT',
        rollback: ['ALTER TABLE public.accounts REPLICA IDENTITY USING INDEX accounts_email_key'],
      });
    },
  },
  {
    name: 'REPLICA IDENTITY FULL',
    kind: 'set_replica_identity',
    source: ACCOUNTS,
    target: accounts({ replicaIdentity: 'full' }),
    plan: (p) => {
      expect(step(p, 'set_replica_identity')).toMatchObject({
        phase: 'expand',
        sql: 'ALTER TABLE public.accounts REPLICA IDENTITY FULL',
        rollback: ['ALTER TABLE public.accounts REPLICA IDENTITY DEFAULT'],
      });
    },
  },
  {
    name: 'NOTHING back to DEFAULT',
    kind: 'set_replica_identity',
    source: `${ACCOUNTS}ALTER TABLE accounts REPLICA IDENTITY NOTHING;`,
    target: accounts({ replicaIdentity: 'default' }),
    plan: (p) => {
      expect(step(p, 'set_replica_identity')).toMatchObject({
        sql: 'ALTER TABLE public.accounts REPLICA IDENTITY DEFAULT',
        rollback: ['ALTER TABLE public.accounts REPLICA IDENTITY NOTHING'],
      });
    },
  },
  {
    name: 'USING INDEX of a new unique index: set after the index is built',
    kind: 'set_replica_identity',
    source: ACCOUNTS,
    target: accounts(
      { replicaIdentity: { index: 'accounts_owner_email_key' } },
      {
        accounts_email_key: { columns: ['email'], unique: true },
        accounts_owner_email_key: { columns: ['owner', 'email'], unique: true },
      },
    ),
    plan: (p) => {
      expect(actions(p)).toEqual(['1 expand create_index_concurrently', '1 expand set_replica_identity']);
      expect(step(p, 'set_replica_identity').sql).toBe(
        'ALTER TABLE public.accounts REPLICA IDENTITY USING INDEX accounts_owner_email_key',
      );
    },
  },
  {
    name: 'USING INDEX of a dropped index: reset before the index is dropped',
    kind: 'set_replica_identity',
    source: `${ACCOUNTS}ALTER TABLE accounts REPLICA IDENTITY USING INDEX accounts_email_key;`,
    target: accounts({ replicaIdentity: 'full' }, {}),
    plan: (p) => {
      expect(actions(p)).toEqual(['1 expand set_replica_identity', '2 contract drop_index_concurrently']);
      expect(step(p, 'set_replica_identity').rollback).toEqual([
        'ALTER TABLE public.accounts REPLICA IDENTITY USING INDEX accounts_email_key',
      ]);
    },
  },
  {
    name: 'the replica identity index redefined under its name: the identity moves to the new definition with the name',
    kind: 'add_index',
    source: `${ACCOUNTS}ALTER TABLE accounts REPLICA IDENTITY USING INDEX accounts_email_key;`,
    target: accounts(
      { replicaIdentity: { index: 'accounts_email_key' } },
      { accounts_email_key: { columns: ['email'], unique: true, include: ['owner'] } },
    ),
    plan: (p) => {
      expect(actions(p)).toEqual([
        '1 expand create_index_concurrently',
        '1 expand swap_index_names',
        '2 contract drop_index_concurrently',
      ]);
      expect(step(p, 'swap_index_names')).toMatchObject({
        sql: [
          'DO $sy$',
          'BEGIN',
          '  ALTER INDEX public.accounts_email_key RENAME TO accounts_email_key__old;',
          '  ALTER INDEX public.accounts_email_key__new RENAME TO accounts_email_key;',
          '  ALTER TABLE public.accounts REPLICA IDENTITY USING INDEX accounts_email_key;',
          'END',
          '$sy$',
        ].join('\n'),
        rollback: [
          'ALTER INDEX public.accounts_email_key RENAME TO accounts_email_key__new',
          'ALTER INDEX public.accounts_email_key__old RENAME TO accounts_email_key',
          'ALTER TABLE public.accounts REPLICA IDENTITY USING INDEX accounts_email_key',
        ],
        lock: 'ACCESS EXCLUSIVE',
      });
    },
  },
  {
    name: 'a new UNLOGGED table',
    kind: 'add_table',
    source: ROLES,
    target: stringify({
      schemas: {
        public: {
          tables: {
            scratch: { unlogged: true, columns: { id: { type: 'integer' } }, primaryKey: { columns: ['id'] } },
          },
        },
      },
    }),
    plan: (p) => {
      expect(step(p, 'create_table').sql).toBe(
        'CREATE UNLOGGED TABLE public.scratch (\n  id integer NOT NULL,\n  CONSTRAINT scratch_pkey PRIMARY KEY (id)\n)',
      );
    },
  },
  {
    name: 'SET UNLOGGED: a rewrite under ACCESS EXCLUSIVE, not replication safe',
    kind: 'set_persistence',
    source: ACCOUNTS,
    target: accounts({ unlogged: true }),
    plan: (p) => {
      expect(step(p, 'set_persistence')).toMatchObject({
        sql: 'ALTER TABLE public.accounts SET UNLOGGED',
        rollback: ['ALTER TABLE public.accounts SET LOGGED'],
        lock: 'ACCESS EXCLUSIVE',
        hazards: ['ACCESS_EXCLUSIVE_LOCK', 'NOT_REPLICATION_SAFE', 'TABLE_REWRITE'],
      });
    },
  },
  {
    name: 'SET LOGGED',
    kind: 'set_persistence',
    source: ACCOUNTS.replace('CREATE TABLE accounts', 'CREATE UNLOGGED TABLE accounts'),
    target: accounts(),
    plan: (p) => {
      expect(step(p, 'set_persistence')).toMatchObject({
        sql: 'ALTER TABLE public.accounts SET LOGGED',
        hazards: ['ACCESS_EXCLUSIVE_LOCK', 'TABLE_REWRITE'],
      });
    },
  },
  {
    // The dependents rule trusts a modeled policy only once a step rebuilds it: the in-place retype (refused by
    // PostgreSQL while a policy reads the column) drops and recreates it around the ALTER.
    name: 'a retype of columns policies read: each policy is dropped and recreated around its column step',
    kind: 'alter_column_type',
    source: `${ACCOUNTS.replace('owner text', 'owner varchar(40)').replace('region text', 'region varchar(10)')}${POLICY_SQL}`,
    target: stringify({
      schemas: {
        public: {
          tables: {
            accounts: {
              columns: ACCOUNT_COLUMNS,
              primaryKey: { columns: ['id'] },
              indexes: { accounts_email_key: { columns: ['email'], unique: true } },
              rowSecurity: true,
              policies: POLICIES,
            },
          },
        },
      },
    }),
    plan: (p) => {
      expect(actions(p)).toEqual(['1 expand alter_column_type', '1 expand alter_column_type']);
      const [owner] = allSteps(p);
      expect(owner!.sql).toBe(
        [
          'DO $sy$',
          'BEGIN',
          '  DROP POLICY own_rows ON public.accounts;',
          '  ALTER TABLE public.accounts ALTER COLUMN owner TYPE text;',
          "  CREATE POLICY own_rows ON public.accounts AS PERMISSIVE FOR ALL TO PUBLIC USING ((owner = CURRENT_USER)) WITH CHECK (((owner = CURRENT_USER) AND (email ~~ '%@%'::text)));",
          "  COMMENT ON POLICY own_rows ON public.accounts IS 'Each role sees its own accounts';",
          'END',
          '$sy$',
        ].join('\n'),
      );
    },
  },
];
