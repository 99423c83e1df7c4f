// Raw SQL steps (`sql:` of a declared file): every statement parsed, refusals at their YAML node, and the
// model of a valid step exactly as the planner receives it.
import { describe, expect, it } from 'vitest';
import { rawStatements } from '../../../src/schema/declared/sql-text.js';
import { analyzeDeclared } from '../../../src/schema/declared/yaml.js';

/** A file with table public.users and the given lines under `sql:`, the first on line 8 at column 3. */
const withSql = (...lines: string[]): string =>
  `${[
    'schemas:',
    '  public:',
    '    tables:',
    '      users:',
    '        columns:',
    '          id: { type: bigint }',
    'sql:',
    ...lines.map((l) => `  ${l}`),
  ].join('\n')}\n`;

const problems = (yaml: string) =>
  analyzeDeclared(yaml, 'schema.yaml').problems.map((p) => `${p.line}:${p.column} ${p.message}`);

describe('raw SQL statements', () => {
  it('splits a text into statements as the parser reads them, comments and strings included', () => {
    expect(
      rawStatements(
        "-- the policy\nCREATE POLICY p ON public.t USING (a = ';');\nCREATE STATISTICS public.s (dependencies) ON a, b FROM public.t -- tail",
      ),
    ).toEqual({
      statements: [
        { sql: "CREATE POLICY p ON public.t USING (a = ';')", transactional: true },
        {
          sql: 'CREATE STATISTICS public.s (dependencies) ON a, b FROM public.t -- tail\n',
          transactional: true,
        },
      ],
    });
  });

  it('marks statements PostgreSQL refuses in a transaction block', () => {
    const r = rawStatements(
      'CREATE INDEX CONCURRENTLY i ON public.t (a); DROP INDEX CONCURRENTLY public.i; VACUUM public.t; REINDEX INDEX CONCURRENTLY public.i; CREATE INDEX j ON public.t (a)',
    );
    expect('statements' in r && r.statements.map((s) => s.transactional)).toEqual([false, false, false, false, true]);
  });

  const refused: ReadonlyArray<readonly [string, string, string]> = [
    ['unparseable text', 'CREATE POLICY p ON', 'not valid SQL: syntax error at end of input (at character 19)'],
    ['BEGIN', 'BEGIN; CREATE TABLE t (a int)', 'statement 1 (line 1): transaction control (BEGIN)'],
    ['COMMIT', 'SELECT 1;\nCOMMIT', 'statement 2 (line 2): transaction control (COMMIT)'],
    ['ROLLBACK', 'ROLLBACK', 'transaction control (ROLLBACK)'],
    ['SAVEPOINT', 'SAVEPOINT a', 'transaction control (SAVEPOINT)'],
    [
      'COPY ... PROGRAM',
      "COPY public.t FROM PROGRAM 'curl x'",
      'COPY ... PROGRAM (it runs a program on the database server)',
    ],
    ['COPY from a file', "COPY public.t FROM '/etc/passwd'", 'COPY with a file name'],
    ['COPY to a file', "COPY public.t TO '/tmp/x'", 'COPY with a file name'],
    ['COPY FROM STDIN', 'COPY public.t FROM STDIN', 'COPY ... STDIN/STDOUT'],
    ['a psql meta-command', 'SELECT 1;\n\\set x 1', 'a psql meta-command (`\\set`) at line 2'],
    ['\\connect', '\\c other\nSELECT 1', 'a psql meta-command (`\\c`) at line 1'],
    ['SET ROLE', 'SET ROLE admin', 'SET ROLE (it switches the role'],
    ['SET SESSION AUTHORIZATION', 'SET SESSION AUTHORIZATION admin', 'SET SESSION AUTHORIZATION'],
    ['RESET ALL', 'RESET ALL', 'RESET ALL'],
    ['RESET ROLE', 'RESET ROLE', 'SET ROLE'],
    ['a plain SET', 'SET search_path = evil', 'SET search_path (settings of the session'],
    ['set_config', "SELECT set_config('search_path', 'evil', false)", 'set_config()'],
    ['DISCARD ALL', 'DISCARD ALL', 'DISCARD'],
    ['ALTER SYSTEM', "ALTER SYSTEM SET work_mem = '1GB'", 'ALTER SYSTEM'],
    ['LOAD', "LOAD 'plpgsql'", 'LOAD'],
    ['comments only', '-- nothing', 'no statement'],
    ['a parameter', 'UPDATE public.t SET a = $1', 'a parameter ($1...): switchyard binds no values'],
    ['PREPARE', 'PREPARE q AS SELECT 1', 'PREPARE (it changes the session'],
  ];
  it.each(refused)('refuses %s', (_, text, fragment) => {
    const r = rawStatements(text);
    expect('problems' in r && r.problems.map((p) => p.message).join('\n')).toContain(fragment);
  });
});

describe('sql: in the declared file', () => {
  it('gives the planner each step with its statements, rollbacks and objects', () => {
    const r = analyzeDeclared(
      withSql(
        'users_rls:',
        '  phase: expand',
        '  sql: |',
        '    ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;',
        '    CREATE POLICY users_self ON public.users USING (id = 1);',
        '  rollbackSql:',
        '    - ALTER TABLE public.users DISABLE ROW LEVEL SECURITY',
        '    - DROP POLICY users_self ON public.users',
        '  requires: [{ table: public.users }, { column: public.users.id }]',
        'stats:',
        '  phase: contract',
        '  releaseOffset: 1',
        '  sql: CREATE STATISTICS public."users.s" ON id, (id + 1) FROM public.users',
        '  irreversible: true',
        '  creates: [{ function: "public.f(integer, text)" }, { constraint: \'public.users."a.b"\' }]',
      ),
      'schema.yaml',
    );
    expect(r.problems).toEqual([]);
    expect(r.sqlSteps).toEqual([
      {
        name: 'users_rls',
        phase: 'expand',
        releaseOffset: 0,
        statements: [
          {
            sql: 'ALTER TABLE public.users ENABLE ROW LEVEL SECURITY',
            rollback: ['ALTER TABLE public.users DISABLE ROW LEVEL SECURITY'],
            transactional: true,
          },
          {
            sql: 'CREATE POLICY users_self ON public.users USING (id = 1)',
            rollback: ['DROP POLICY users_self ON public.users'],
            transactional: true,
          },
        ],
        creates: [],
        requires: [
          { kind: 'table', names: ['public', 'users'] },
          { kind: 'column', names: ['public', 'users', 'id'] },
        ],
        irreversible: false,
      },
      {
        name: 'stats',
        phase: 'contract',
        releaseOffset: 1,
        statements: [
          {
            sql: 'CREATE STATISTICS public."users.s" ON id, (id + 1) FROM public.users',
            rollback: [],
            transactional: true,
          },
        ],
        creates: [
          { kind: 'function', names: ['public', 'f'], args: 'integer, text' },
          { kind: 'constraint', names: ['public', 'users', 'a.b'] },
        ],
        requires: [],
        irreversible: true,
      },
    ]);
  });

  it('takes a one-statement rollbackSql holding several statements as that step’s rollback list', () => {
    const r = analyzeDeclared(
      withSql(
        'p:',
        '  phase: expand',
        '  sql: CREATE POLICY p ON public.users USING (true)',
        '  rollbackSql: DROP POLICY p ON public.users; SELECT 1',
      ),
      'schema.yaml',
    );
    expect(r.sqlSteps?.[0]?.statements).toEqual([
      {
        sql: 'CREATE POLICY p ON public.users USING (true)',
        rollback: ['DROP POLICY p ON public.users', 'SELECT 1'],
        transactional: true,
      },
    ]);
  });

  const bad: ReadonlyArray<readonly [string, string[], string[]]> = [
    [
      'a statement list with transaction control, at the `sql` value',
      [
        'p:',
        '  phase: expand',
        '  sql: "CREATE POLICY p ON public.users USING (true); COMMIT"',
        '  rollbackSql: [DROP POLICY p ON public.users, SELECT 1]',
      ],
      [
        '10:10 sql step "p": `sql`: statement 2 (line 1): transaction control (COMMIT): every step runs in the transaction switchyard opens for it, with its ledger row: `COMMIT`',
      ],
    ],
    [
      'SET ROLE in the rollback',
      ['p:', '  phase: expand', '  sql: CREATE POLICY p ON public.users USING (true)', '  rollbackSql: SET ROLE admin'],
      [
        '11:18 sql step "p": `rollbackSql`: SET ROLE (it switches the role of the session every later step runs in): `SET ROLE admin`',
      ],
    ],
    [
      'COPY ... PROGRAM in a rollback list entry',
      [
        'p:',
        '  phase: expand',
        '  sql: CREATE POLICY p ON public.users USING (true)',
        '  rollbackSql:',
        "    - COPY public.users FROM PROGRAM 'id'",
      ],
      [
        '12:9 sql step "p": `rollbackSql[0]`: COPY ... PROGRAM (it runs a program on the database server): `COPY public.users FROM PROGRAM \'id\'`',
      ],
    ],
    [
      'no rollbackSql and not irreversible',
      ['p:', '  phase: expand', '  sql: CREATE POLICY p ON public.users USING (true)'],
      ['8:3 sql step "p" has no `rollbackSql`: every step of a plan has a rehearsed rollback'],
    ],
    [
      'several statements with one rollback text',
      ['p:', '  phase: expand', '  sql: SELECT 1; SELECT 2', '  rollbackSql: SELECT 3'],
      [
        '11:18 sql step "p": `sql` holds 2 statements, each its own step with its own rollback, so `rollbackSql` is a list',
      ],
    ],
    [
      'a rollback list of the wrong length',
      ['p:', '  phase: expand', '  sql: SELECT 1', '  rollbackSql: [SELECT 2, SELECT 3]'],
      ['11:18 sql step "p": `rollbackSql` has 2 entries, `sql` holds 1 statement'],
    ],
    [
      'an object named with too few parts',
      ['p:', '  phase: expand', '  sql: SELECT 1', '  rollbackSql: SELECT 2', '  requires: [{ column: users.id }]'],
      [
        '12:16 sql step "p": `requires[0]`: a column is named with 3 dotted parts (schema.table.column), found `users.id`',
      ],
    ],
    [
      'an object with two kinds',
      [
        'p:',
        '  phase: expand',
        '  sql: SELECT 1',
        '  rollbackSql: SELECT 2',
        '  creates: [{ table: public.a, index: public.b }]',
      ],
      [
        '12:15 sql step "p": `creates[0]`: give exactly one of schema, type, sequence, function, table, column, index, constraint, trigger (found table, index)',
      ],
    ],
    [
      'a function without its arguments',
      ['p:', '  phase: expand', '  sql: SELECT 1', '  rollbackSql: SELECT 2', '  creates: [{ function: public.f }]'],
      [
        '12:15 sql step "p": `creates[0]`: a function is named with its identity arguments, e.g. `function: public.touch(integer, text)` or `public.now_utc()`',
      ],
    ],
    [
      'an unknown phase',
      ['p:', '  phase: later', '  sql: SELECT 1', '  rollbackSql: SELECT 2'],
      ['9:12 sql step "p": `phase` must be one of expand, backfill, contract; got "later"'],
    ],
  ];
  it.each(bad)('refuses %s, at its node', (_, lines, expected) => {
    expect(problems(withSql(...lines))).toEqual(expected);
  });
});
