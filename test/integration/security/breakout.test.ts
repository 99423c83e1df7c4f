// Breakout attempts through every SQL-bearing field of a declared file (issue #13). Each hostile text is refused
// by validate, diff and plan --dry-run with exit 2 at its YAML line and column; each legal text that merely
// looks hostile (a semicolon in a string, a dollar-quoted close parenthesis) is accepted. After all of it no
// role, database, table or file exists that was not there before.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { cli } from '../../support/cli.js';
import { adminUrl, freshDatabase } from '../../support/db.js';

const ROLE = 'intruder_breakout';
const TABLE = 'tail_breakout';
const FILE = join(tmpdir(), `switchyard-breakout-${process.pid}`);

/** Texts that try to leave the expression they are rendered into. */
const HOSTILE_EXPRESSIONS: readonly string[] = [
  `'x'); CREATE ROLE ${ROLE}; CREATE TABLE ${TABLE} (a int`,
  `1); COPY (SELECT 1) TO PROGRAM 'touch ${FILE}'; SELECT (1`,
  `1); DO $$ BEGIN EXECUTE 'CREATE ROLE ${ROLE}'; END $$; SELECT (1`,
  `1 /* c */); CREATE ROLE ${ROLE}; SELECT (/* c */ 1`,
  `$q$x$q$); CREATE TABLE ${TABLE} (a int); SELECT ($q$y$q$`,
  `1; CREATE ROLE ${ROLE}`,
  `(SELECT 1 INTO ${TABLE})`,
  `1) , (2`,
];

/** Where an expression goes, as the line of YAML under the table `t` that carries it. */
const EXPRESSION_FIELDS: ReadonlyArray<readonly [string, (sql: string) => string]> = [
  [
    'column default',
    (x) => `columns: { id: { type: bigint, nullable: false }, v: { type: text, default: ${JSON.stringify(x)} } }`,
  ],
  [
    'generated column',
    (x) => `columns: { id: { type: bigint, nullable: false }, v: { type: text, generated: ${JSON.stringify(x)} } }`,
  ],
  [
    'check',
    (x) =>
      `columns: { id: { type: bigint, nullable: false }, v: { type: text } }\n        checks: { c: { expression: ${JSON.stringify(x)} } }`,
  ],
  [
    'index expression',
    (x) =>
      `columns: { id: { type: bigint, nullable: false }, v: { type: text } }\n        indexes: { i: { expressions: [${JSON.stringify(x)}] } }`,
  ],
  [
    'index predicate',
    (x) =>
      `columns: { id: { type: bigint, nullable: false }, v: { type: text } }\n        indexes: { i: { columns: [v], where: ${JSON.stringify(x)} } }`,
  ],
  [
    'up / down',
    (x) => `columns: { id: { type: bigint, nullable: false }, v: { type: text, up: ${JSON.stringify(x)}, down: "v" } }`,
  ],
  [
    'backfill',
    (x) =>
      `columns: { id: { type: bigint, nullable: false }, v: { type: text, nullable: false, backfill: ${JSON.stringify(x)} } }`,
  ],
];

const FN = 'CREATE OR REPLACE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$';

function file(table: string, extra = ''): string {
  return `schemas:\n  public:\n    tables:\n      t:\n        primaryKey: { columns: [id] }\n        ${table}\n${extra}`;
}

const cols = 'columns: { id: { type: bigint, nullable: false }, v: { type: text } }';
const fnFile = (definition: string) =>
  file(cols, `    functions:\n      - { name: touch, definition: ${JSON.stringify(definition)} }\n`);
const tenantsFile = (registry: string, register?: string) =>
  `${file(cols)}  central: {}\ntenants:\n  registry: ${JSON.stringify(registry)}\n  template: public\n${register ? `  register: ${JSON.stringify(register)}\n` : ''}`;

const hostile: Array<readonly [string, string]> = [
  ...EXPRESSION_FIELDS.flatMap(([field, at]) =>
    HOSTILE_EXPRESSIONS.slice(0, field === 'column default' ? undefined : 4).map(
      (x, i) => [`${field} #${i + 1}`, file(at(x))] as const,
    ),
  ),
  [
    'trigger WHEN',
    file(
      `${cols}\n        triggers: { tr: { timing: before, events: [update], forEach: row, function: { name: touch }, when: ${JSON.stringify(HOSTILE_EXPRESSIONS[0])} } }`,
      `    functions:\n      - { name: touch, definition: ${JSON.stringify(FN)} }\n`,
    ),
  ],
  ['function then DROP', fnFile(`${FN}; DROP TABLE public.t`)],
  ['function then CREATE ROLE', fnFile(`${FN}; CREATE ROLE ${ROLE} SUPERUSER`)],
  ['function then COPY TO PROGRAM', fnFile(`${FN}; COPY (SELECT 1) TO PROGRAM 'touch ${FILE}'`)],
  ['a DO block as a function', fnFile(`DO $$ BEGIN EXECUTE 'CREATE ROLE ${ROLE}'; END $$`)],
  ['a function of another name', fnFile(FN.replace('public.touch', 'public.other'))],
  [
    'a LANGUAGE c function (loads a library when created)',
    fnFile(`CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE c AS '${FILE}.so', 'touch'`),
  ],
  [
    'a parameter in an up expression',
    file(`columns: { id: { type: bigint, nullable: false }, v: { type: text, up: "v || $1", down: "v" } }`),
  ],
  ['registry then a write', tenantsFile(`SELECT 'public'; CREATE ROLE ${ROLE}`)],
  ['registry SELECT INTO', tenantsFile(`SELECT 'public' INTO central.${TABLE}`)],
  ['registry with a data-changing CTE', tenantsFile(`WITH d AS (DELETE FROM central.x RETURNING 1) SELECT 'public'`)],
  [
    'register then a write',
    tenantsFile(`SELECT 'public'`, `INSERT INTO central.tenants VALUES ($1); CREATE ROLE ${ROLE}`),
  ],
  ['register that is a DELETE', tenantsFile(`SELECT 'public'`, 'DELETE FROM central.tenants')],
];

const legal: Array<readonly [string, string]> = [
  [
    'a semicolon in a string default',
    file(`columns: { id: { type: bigint, nullable: false }, v: { type: text, default: "'a;b'" } }`),
  ],
  [
    'a quoted close parenthesis and statement in a default',
    file(
      `columns: { id: { type: bigint, nullable: false }, v: { type: text, default: ${JSON.stringify(`'x''); CREATE ROLE ${ROLE}; --'`)} } }`,
    ),
  ],
  [
    'dollar quoting in a default',
    file(
      `columns: { id: { type: bigint, nullable: false }, v: { type: text, default: ${JSON.stringify(`$$); CREATE ROLE ${ROLE}; $$`)} } }`,
    ),
  ],
  [
    'a trailing line comment in a default',
    file(
      `columns: { id: { type: bigint, nullable: false }, v: { type: text, nullable: false, default: ${JSON.stringify("'x' -- swallow NOT NULL?")} } }`,
    ),
  ],
  [
    'a string with a semicolon in a check',
    file(`${cols}\n        checks: { c: { expression: ${JSON.stringify(`v <> 'a;'') DROP TABLE t; --'`)} } }`),
  ],
  [
    'an escape string in a predicate',
    file(
      `${cols}\n        indexes: { i: { columns: [v], where: ${JSON.stringify("v <> E'\\'); DROP TABLE t; --'")} } }`,
    ),
  ],
  [
    'a comment in an index expression',
    file(`${cols}\n        indexes: { i: { expressions: [${JSON.stringify('lower(v) /* ); DROP TABLE t; */')}] } }`),
  ],
  ['a function whose body holds semicolons', fnFile(FN)],
];

async function roles(url: string): Promise<{ roles: string[]; databases: string[] }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ roles: string[]; databases: string[] }>(
      'SELECT (SELECT array_agg(rolname ORDER BY rolname) FROM pg_roles) AS roles, (SELECT array_agg(datname ORDER BY datname) FROM pg_database WHERE datname NOT LIKE $1) AS databases',
      ['t\\_%'],
    );
    return r.rows[0]!;
  } finally {
    await c.end();
  }
}

describe('declared SQL breakout attempts', () => {
  it('has at least 40 hostile attempts', () => {
    expect(hostile.length).toBeGreaterThanOrEqual(40);
  });

  it('are refused with exit 2 and a location by validate, diff and plan --dry-run; legal look-alikes are accepted; nothing is created', async () => {
    const db = await freshDatabase();
    await db.client.query(
      'CREATE TABLE public.t (id bigint PRIMARY KEY, v text); CREATE SCHEMA central; CREATE TABLE central.tenants (schema_name text)',
    );
    const before = await roles(adminUrl());
    const dir = mkdtempSync(join(tmpdir(), 'sy-breakout-'));
    const tables = async () =>
      (
        await db.client.query<{ n: string }>(
          "SELECT string_agg(format('%s.%s', schemaname, tablename), ',' ORDER BY 1) AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
        )
      ).rows[0]!.n;
    const tablesBefore = await tables();
    const failures: string[] = [];
    for (const [label, yaml] of [...hostile, ...legal]) {
      const path = join(dir, 'schema.yaml');
      writeFileSync(path, yaml);
      const isLegal = legal.some(([l]) => l === label);
      for (const argv of [
        ['validate', path],
        ['diff', '--db', db.url, '--schema', path],
        ['plan', '--db', db.url, '--schema', path, '--name', 'x', '--dry-run'],
      ]) {
        const r = await cli(...argv);
        if (isLegal ? r.code !== 0 : r.code !== 2 || !/schema\.yaml:\d+:\d+: /.test(r.stderr + r.stdout)) {
          failures.push(`${label} / ${argv[0]}: exit ${r.code}: ${(r.stderr + r.stdout).slice(0, 300)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await roles(adminUrl())).toEqual(before);
    expect(await tables()).toBe(tablesBefore);
    expect(existsSync(FILE)).toBe(false);
  }, 300_000);
});
