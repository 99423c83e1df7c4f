// The two failures of the postmortem (shared/seeds/000_2199a6ab7a96449f.txt), on a real database: a foreign
// key created before the table it references, and a rollback that could not drop unique indexes because
// foreign keys still depended on them.
import { describe, expect, it } from 'vitest';
import { introspect } from '../../../src/introspect/index.js';
import type { Plan, Step } from '../../../src/planner/types.js';
import { prepareSession } from '../../../src/rehearsal/shadow.js';
import type { DatabaseSchema } from '../../../src/schema/model/model.js';
import { freshDatabase, type TestDatabase } from '../../support/db.js';
import { applyPhase, phaseSteps, rollbackPhase, snapshot } from '../../support/plan-runner.js';
import { checkScenario, comparable, planScenario } from '../../support/scenario.js';

async function schemaOf(db: TestDatabase): Promise<DatabaseSchema> {
  await prepareSession(db.client);
  return comparable(await introspect(db.client, { includeSchemas: ['public'] }));
}

const USERS = `
CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO users (email) VALUES ('ana@example.com'), ('bo@example.com'), ('cy@example.com');`;

const WITH_TIERS = `
schemas:
  public:
    tables:
      subscription_tiers:
        columns:
          id: { type: bigint, nullable: false, identity: always }
          name: { type: text, nullable: false }
        primaryKey: { columns: [id] }
      users:
        columns:
          id: { type: bigint, nullable: false, identity: always }
          email: { type: text, nullable: false }
          created_at: { type: timestamptz, nullable: false, default: now() }
          subscription_tier_id: { type: bigint }
        primaryKey: { columns: [id] }
        foreignKeys:
          users_subscription_tier_id_fkey:
            columns: [subscription_tier_id]
            references: { table: subscription_tiers, columns: [id] }
`;

// Three tables with data; the target adds three columns, seven unique keys (three constraints, four unique
// indexes) and five foreign keys, three of them on the constraints and two on bare unique indexes.
const ACCOUNTS = `
CREATE TABLE organizations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug text NOT NULL,
  name text NOT NULL,
  billing_email text
);
CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  username text NOT NULL,
  org_slug text
);
CREATE TABLE memberships (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_email text NOT NULL,
  org_slug text NOT NULL,
  role text NOT NULL DEFAULT 'member'
);
INSERT INTO organizations (slug, name, billing_email) VALUES
  ('acme', 'Acme', 'billing@acme.test'), ('globex', 'Globex', NULL), ('initech', 'Initech', 'ap@initech.test');
INSERT INTO users (email, username, org_slug) VALUES
  ('ana@acme.test', 'ana', 'acme'), ('bo@globex.test', 'bo', 'globex'), ('cy@initech.test', 'cy', 'initech'), ('di@acme.test', 'di', NULL);
INSERT INTO memberships (user_email, org_slug, role) VALUES
  ('ana@acme.test', 'acme', 'owner'), ('di@acme.test', 'acme', 'member'), ('bo@globex.test', 'globex', 'owner'),
  ('cy@initech.test', 'initech', 'owner'), ('ana@acme.test', 'globex', 'guest');`;

const ACCOUNTS_TARGET = `
schemas:
  public:
    tables:
      organizations:
        columns:
          id: { type: bigint, nullable: false, identity: always }
          slug: { type: text, nullable: false }
          name: { type: text, nullable: false }
          billing_email: { type: text }
        primaryKey: { columns: [id] }
        unique:
          organizations_slug_key: { columns: [slug] }
        indexes:
          organizations_billing_email_idx: { columns: [billing_email], unique: true }
          organizations_lower_name_idx: { expressions: [lower(name)], unique: true }
      users:
        columns:
          id: { type: bigint, nullable: false, identity: always }
          email: { type: text, nullable: false }
          username: { type: text, nullable: false }
          org_slug: { type: text }
          external_id: { type: uuid }
        primaryKey: { columns: [id] }
        unique:
          users_email_key: { columns: [email] }
        indexes:
          users_username_idx: { columns: [username], unique: true }
          users_external_id_idx: { columns: [external_id], unique: true }
        foreignKeys:
          users_org_slug_fkey: { columns: [org_slug], references: { table: organizations, columns: [slug] } }
      memberships:
        columns:
          id: { type: bigint, nullable: false, identity: always }
          user_email: { type: text, nullable: false }
          org_slug: { type: text, nullable: false }
          role: { type: text, nullable: false, default: "'member'" }
          invited_by: { type: text }
          user_external_id: { type: uuid }
        primaryKey: { columns: [id] }
        unique:
          memberships_user_email_org_slug_key: { columns: [user_email, org_slug] }
        foreignKeys:
          memberships_org_slug_fkey: { columns: [org_slug], references: { table: organizations, columns: [slug] }, onDelete: cascade }
          memberships_user_email_fkey: { columns: [user_email], references: { table: users, columns: [email] }, onDelete: cascade }
          memberships_invited_by_fkey: { columns: [invited_by], references: { table: users, columns: [username] }, onDelete: set null }
          memberships_user_external_id_fkey: { columns: [user_external_id], references: { table: users, columns: [external_id] } }
`;

/** Foreign key name -> the unique key (constraint or index) of the referenced table it uses, from the target. */
function keysUsedByForeignKeys(target: DatabaseSchema): Map<string, string> {
  const sameSet = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((c) => b.includes(c));
  const tables = target.schemas.flatMap((s) => s.tables);
  const out = new Map<string, string>();
  for (const fk of tables.flatMap((t) => t.foreignKeys)) {
    const ref = tables.find((t) => t.name === fk.references.table)!;
    const keys = [
      ...ref.unique.map((u) => ({ name: u.name, columns: u.columns })),
      ...ref.indexes
        .filter((i) => i.unique && !i.where && i.keys.every((k) => k.column))
        .map((i) => ({ name: i.name, columns: i.keys.map((k) => k.column!) })),
    ];
    const used = keys.find((k) => sameSet(k.columns, fk.references.columns));
    if (used) out.set(fk.name, used.name);
  }
  return out;
}

const dropsConstraint = (sql: string, name: string) =>
  new RegExp(`\\bDROP CONSTRAINT (IF EXISTS )?("?)${name}\\2(\\s|$)`, 'i').test(sql);
const addsConstraint = (sql: string, name: string) => new RegExp(`\\bADD CONSTRAINT ("?)${name}\\1\\s`, 'i').test(sql);
const dropsIndex = (sql: string, name: string) =>
  new RegExp(`\\bDROP INDEX (CONCURRENTLY )?(IF EXISTS )?([^\\s]+\\.)?("?)${name}\\4(\\s|$)`, 'i').test(sql);

/**
 * Walks a phase's rollback statements in the order they run (steps in reverse, each step's statements in
 * order): the unique keys dropped, and every statement that drops one while a foreign key using it exists.
 */
function walkRollback(
  steps: readonly Step[],
  uses: ReadonlyMap<string, string>,
  presentAtStart: ReadonlySet<string>,
): { dropped: string[]; problems: string[] } {
  const present = new Set(presentAtStart);
  const dropped = new Set<string>();
  const problems: string[] = [];
  for (const step of [...steps].reverse()) {
    for (const sql of step.rollback) {
      for (const fk of uses.keys()) {
        if (dropsConstraint(sql, fk)) present.delete(fk);
        if (addsConstraint(sql, fk)) present.add(fk);
      }
      for (const [fk, key] of uses) {
        if (!dropsConstraint(sql, key) && !dropsIndex(sql, key)) continue;
        dropped.add(key);
        if (present.has(fk)) problems.push(`${step.id}: ${sql} (while ${fk} uses ${key})`);
      }
    }
  }
  return { dropped: [...dropped].sort(), problems };
}

const foreignKeysOf = (schema: DatabaseSchema) =>
  new Set(schema.schemas.flatMap((s) => s.tables.flatMap((t) => t.foreignKeys.map((f) => f.name))));

function onlyRelease(plan: Plan): number {
  expect(plan.releases.map((r) => r.number)).toEqual([1]);
  return 1;
}

describe('the postmortem', () => {
  it('a foreign key to a table created in the same plan is created after that table', async () => {
    const db = await freshDatabase();
    const scenario = await planScenario(db, USERS, WITH_TIERS);
    const source = await schemaOf(db);
    const expand = phaseSteps(scenario.plan, 1, 'expand');
    const createTable = expand.findIndex(
      (s) => s.change === 'add_table' && /CREATE TABLE\s+(public\.)?"?subscription_tiers"?/i.test(s.sql),
    );
    const addForeignKey = expand.findIndex(
      (s) =>
        s.change === 'add_foreign_key' &&
        /ADD CONSTRAINT\s+"?users_subscription_tier_id_fkey"?\s+FOREIGN KEY/i.test(s.sql),
    );
    expect(createTable, 'CREATE TABLE subscription_tiers in expand').toBeGreaterThanOrEqual(0);
    expect(addForeignKey, 'ADD CONSTRAINT users_subscription_tier_id_fkey in expand').toBeGreaterThanOrEqual(0);
    expect(createTable).toBeLessThan(addForeignKey);

    await applyPhase(db.client, expand);
    await db.client.query("INSERT INTO subscription_tiers (name) VALUES ('free'), ('pro')");
    await db.client.query('UPDATE users SET subscription_tier_id = 2 WHERE id = 1');
    await expect(db.client.query('UPDATE users SET subscription_tier_id = 4 WHERE id = 2')).rejects.toThrow(
      /violates foreign key constraint/,
    );
    await rollbackPhase(db.client, expand);
    expect(await schemaOf(db)).toEqual(source);
    await checkScenario(db, scenario, { freshDatabase });
  });

  it('rolling back a phase that added unique constraints, unique indexes and foreign keys using them', async () => {
    const db = await freshDatabase();
    const { plan, target } = await planScenario(db, ACCOUNTS, ACCOUNTS_TARGET);
    const release = onlyRelease(plan);
    const [expand, backfill, contract] = (['expand', 'backfill', 'contract'] as const).map((p) =>
      phaseSteps(plan, release, p),
    );
    expect(plan.score.foreignKeys).toBe(5);
    expect(plan.score.uniqueIndexes).toBe(7);

    const uses = keysUsedByForeignKeys(target);
    expect(uses.size).toBe(5);
    // Every foreign key exists once expand has run (NOT VALID) and when contract has run (validated).
    const targetKeys = foreignKeysOf(target);
    const expandRollback = walkRollback(expand!, uses, targetKeys);
    expect(expandRollback.problems, 'expand rollback drops a key a foreign key still uses').toEqual([]);
    expect(expandRollback.dropped).toEqual([
      'organizations_slug_key',
      'users_email_key',
      'users_external_id_idx',
      'users_username_idx',
    ]);
    const contractRollback = walkRollback(contract!, uses, targetKeys);
    expect(contractRollback.problems, 'contract rollback drops a key a foreign key still uses').toEqual([]);
    expect(contractRollback.dropped).toEqual(['organizations_slug_key', 'users_email_key']);

    const source = await schemaOf(db);
    await applyPhase(db.client, expand!);
    const expanded = await schemaOf(db);
    await rollbackPhase(db.client, expand!);
    expect(await schemaOf(db), 'after rolling back expand').toEqual(source);

    await applyPhase(db.client, expand!);
    expect(await schemaOf(db), 'after expand again').toEqual(expanded);
    await applyPhase(db.client, backfill!);
    const backfilled = await schemaOf(db);
    await applyPhase(db.client, contract!);
    expect(await schemaOf(db), 'after contract').toEqual(comparable(target));
    await rollbackPhase(db.client, contract!);
    expect(await schemaOf(db), 'after rolling back contract').toEqual(backfilled);
    await rollbackPhase(db.client, backfill!);
    await rollbackPhase(db.client, expand!);
    expect(await schemaOf(db), 'after rolling back expand, at the end').toEqual(source);
    const rows = await db.client.query<{ n: string }>(
      'SELECT (SELECT count(*) FROM organizations) + (SELECT count(*) FROM users) + (SELECT count(*) FROM memberships) AS n',
    );
    expect(Number(rows.rows[0]!.n)).toBe(12);
  });
});

describe('cycles between new tables', () => {
  it('two new tables referencing each other: both tables first, then both foreign keys; applies and rolls back', async () => {
    const db = await freshDatabase();
    const yaml = [
      'schemas:',
      '  public:',
      '    tables:',
      '      a:',
      '        columns: { id: { type: bigint, nullable: false }, b_id: { type: bigint } }',
      '        primaryKey: { columns: [id] }',
      '        foreignKeys: { a_b_fkey: { columns: [b_id], references: { table: b } } }',
      '      b:',
      '        columns: { id: { type: bigint, nullable: false }, a_id: { type: bigint } }',
      '        primaryKey: { columns: [id] }',
      '        foreignKeys: { b_a_fkey: { columns: [a_id], references: { table: a } } }',
    ].join('\n');
    const { plan } = await planScenario(db, 'SELECT 1', yaml);
    const expand = plan.releases[0]!.expand;
    const pos = (re: RegExp) => expand.findIndex((s) => re.test(s.sql));
    expect(Math.max(pos(/^CREATE TABLE public\.a /), pos(/^CREATE TABLE public\.b /))).toBeLessThan(
      Math.min(pos(/ADD CONSTRAINT a_b_fkey/), pos(/ADD CONSTRAINT b_a_fkey/)),
    );
    const before = await snapshot(db.client, ['public']);
    await applyPhase(db.client, expand);
    await rollbackPhase(db.client, expand);
    expect((await snapshot(db.client, ['public'])).fingerprint).toBe(before.fingerprint);
  });
});
