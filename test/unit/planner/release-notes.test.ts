// Release notes for the application, derived from plans: the exact notes of the checked-in example plans and of
// every change kind that asks something of the application.
import { join } from 'node:path';
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { deployFirst, nextCommand } from '../../../src/executor/single.js';
import { readPlan } from '../../../src/planner/file.js';
import { buildPlan } from '../../../src/planner/plan.js';
import { showPlan } from '../../../src/planner/show/index.js';
import { deployHint, releaseNotes, type ReleaseNotes } from '../../../src/planner/release-notes.js';
import type { Plan, Step } from '../../../src/planner/types.js';
import type { SqlStep } from '../../../src/schema/model/sql-step.js';
import type { DatabaseSchema } from '../../../src/schema/model/model.js';
import { app, col, db, enumType, notNull, pk, schema, table } from '../diff/fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

const plan = (source: DatabaseSchema, target: DatabaseSchema): Plan =>
  buildPlan(source, target, { name: 'notes', number: 1, server: { version: '17.0', versionNum: 170000 } });

/** The notes without their step ids, which the tables below do not need to state. */
const texts = (notes: readonly ReleaseNotes[]) =>
  notes.map((n) => ({
    release: n.release,
    tolerate: n.tolerate.map((x) => x.text),
    startUsing: n.startUsing.map((x) => `after r${x.after.release} ${x.after.phase}: ${x.text}`),
    beforeContract: n.beforeContract.map((x) => x.text),
  }));

const id = notNull('id', 'bigint', { identity: 'always' });
const users = (...columns: Parameters<typeof table>[1]) =>
  table('users', [id, ...columns], { primaryKey: pk('users_pkey', ['id']) });

describe('release notes of the checked-in example plans', () => {
  it('0001_example: the rename, the type change and the drop, release by release', async () => {
    const p = await readPlan(join(ROOT, 'plans', '0001_example.plan.yaml'));
    const notes = releaseNotes(p);
    expect(notes).toEqual([
      {
        release: 1,
        tolerate: [
          {
            text: 'new column `public.employees.middle_name` (`character varying(100)`): ignore it; its inserts may leave it out',
            steps: ['r1-expand-002'],
          },
          {
            text: 'new column `public.employees.salary__new` (`numeric(12,2)`): a copy of `salary` a trigger keeps in sync; ignore it, and keep reading and writing `salary` as `text`',
            steps: ['r1-expand-003', 'r1-backfill-001'],
          },
          {
            text: "new column `public.users.full_name` (`text`), which replaces `name`: a trigger keeps the two in sync until release 2's contract; keep reading and writing `name`, ignore `full_name`",
            steps: ['r1-expand-007'],
          },
          {
            text: 'new column `public.users.subscription_tier_id` (`bigint`): ignore it; its inserts may leave it out',
            steps: ['r1-expand-011'],
          },
        ],
        startUsing: [
          {
            text: 'table `public.subscription_tiers`',
            after: { release: 1, phase: 'expand' },
            steps: ['r1-expand-001'],
          },
          { text: '`public.employees.middle_name`', after: { release: 1, phase: 'expand' }, steps: ['r1-expand-002'] },
          {
            text: "`public.users.full_name` instead of `name` (the two stay in sync until release 2's contract)",
            after: { release: 1, phase: 'backfill' },
            steps: ['r1-backfill-002'],
          },
          {
            text: '`public.users.subscription_tier_id`',
            after: { release: 1, phase: 'expand' },
            steps: ['r1-expand-011'],
          },
        ],
        beforeContract: [],
      },
      {
        release: 2,
        tolerate: [],
        startUsing: [
          {
            text: '`public.employees.salary` as `numeric(12,2)`',
            after: { release: 2, phase: 'contract' },
            steps: ['r2-contract-001'],
          },
        ],
        beforeContract: [
          {
            text: 'deploy the version that accepts `public.employees.salary` as `numeric(12,2)` as well as `text`: this contract swaps the columns, and the running application sees `salary` change type from `text` to `numeric(12,2)`',
            version: 'accepts `public.employees.salary` as `numeric(12,2)` as well as `text`',
            steps: ['r2-contract-001'],
          },
          {
            text: 'deploy the version that reads and writes `public.users.full_name` instead of `name`: this contract stops keeping `name` in sync and drops it',
            version: 'reads and writes `public.users.full_name` instead of `name`',
            steps: ['r2-contract-003', 'r2-contract-005'],
          },
          {
            text: 'deploy the version that no longer reads or writes `public.users.legacy_flag`: this contract drops the column and its values',
            version: 'no longer reads or writes `public.users.legacy_flag`',
            steps: ['r2-contract-006'],
          },
        ],
      },
      { release: 3, tolerate: [], startUsing: [], beforeContract: [] },
    ]);
    expect(deployHint(notes[1], 'switchyard apply plans/0001_example.plan.yaml --release 2 --phase contract')).toBe(
      'deploy the version that accepts `public.employees.salary` as `numeric(12,2)` as well as `text`; and that reads and writes `public.users.full_name` instead of `name`; and that no longer reads or writes `public.users.legacy_flag`, then: switchyard apply plans/0001_example.plan.yaml --release 2 --phase contract',
    );
    expect(deployHint(notes[2], 'x')).toBe('x');
  });

  it('0002_runbook: the type change alone', async () => {
    const p = await readPlan(join(ROOT, 'plans', '0002_runbook.plan.yaml'));
    expect(texts(releaseNotes(p))).toEqual(RUNBOOK);
  });
});

const RUNBOOK = [
  {
    release: 1,
    tolerate: [
      'new column `public.employees.middle_name` (`character varying(100)`): ignore it; its inserts may leave it out',
      'new column `public.employees.salary__new` (`numeric(12,2)`): a copy of `salary` a trigger keeps in sync; ignore it, and keep reading and writing `salary` as `text`',
    ],
    startUsing: ['after r1 expand: `public.employees.middle_name`'],
    beforeContract: [],
  },
  {
    release: 2,
    tolerate: [],
    startUsing: ['after r2 contract: `public.employees.salary` as `numeric(12,2)`'],
    beforeContract: [
      'deploy the version that accepts `public.employees.salary` as `numeric(12,2)` as well as `text`: this contract swaps the columns, and the running application sees `salary` change type from `text` to `numeric(12,2)`',
    ],
  },
  { release: 3, tolerate: [], startUsing: [], beforeContract: [] },
];

describe('release notes of each change kind that affects the application', () => {
  it.each(CASES())('$name', ({ source, target, expected }) => {
    expect(texts(releaseNotes(plan(source, target)))).toEqual(expected);
  });
});

function CASES(): { name: string; source: DatabaseSchema; target: DatabaseSchema; expected: unknown }[] {
  return [
    {
      name: 'rename column',
      source: app(users(col('name', 'text'))),
      target: app(users(col('full_name', 'text', { renamedFrom: 'name' }))),
      expected: [
        {
          release: 1,
          tolerate: [
            "new column `app.users.full_name` (`text`), which replaces `name`: a trigger keeps the two in sync until release 2's contract; keep reading and writing `name`, ignore `full_name`",
          ],
          startUsing: [
            "after r1 backfill: `app.users.full_name` instead of `name` (the two stay in sync until release 2's contract)",
          ],
          beforeContract: [],
        },
        {
          release: 2,
          tolerate: [],
          startUsing: [],
          beforeContract: [
            'deploy the version that reads and writes `app.users.full_name` instead of `name`: this contract stops keeping `name` in sync and drops it',
          ],
        },
      ],
    },
    {
      name: 'rename column with a hostile name',
      source: app(users(col('Name', 'text'))),
      target: app(users(col('full name', 'text', { renamedFrom: 'Name' }))),
      expected: [
        {
          release: 1,
          tolerate: [
            'new column `app.users."full name"` (`text`), which replaces `"Name"`: a trigger keeps the two in sync until release 2\'s contract; keep reading and writing `"Name"`, ignore `"full name"`',
          ],
          startUsing: [
            'after r1 backfill: `app.users."full name"` instead of `"Name"` (the two stay in sync until release 2\'s contract)',
          ],
          beforeContract: [],
        },
        {
          release: 2,
          tolerate: [],
          startUsing: [],
          beforeContract: [
            'deploy the version that reads and writes `app.users."full name"` instead of `"Name"`: this contract stops keeping `"Name"` in sync and drops it',
          ],
        },
      ],
    },
    {
      name: 'type change',
      source: app(users(col('score', 'text'))),
      target: app(users(col('score', 'integer', { up: 'score::integer', down: 'score::text' }))),
      expected: [
        {
          release: 1,
          tolerate: [
            'new column `app.users.score__new` (`integer`): a copy of `score` a trigger keeps in sync; ignore it, and keep reading and writing `score` as `text`',
          ],
          startUsing: [],
          beforeContract: [],
        },
        {
          release: 2,
          tolerate: [],
          startUsing: ['after r2 contract: `app.users.score` as `integer`'],
          beforeContract: [
            'deploy the version that accepts `app.users.score` as `integer` as well as `text`: this contract swaps the columns, and the running application sees `score` change type from `text` to `integer`',
          ],
        },
        { release: 3, tolerate: [], startUsing: [], beforeContract: [] },
      ],
    },
    {
      name: 'type change in place (binary-coercible)',
      source: app(users(col('note', 'character varying(20)'))),
      target: app(users(col('note', 'text'))),
      expected: [
        {
          release: 1,
          tolerate: [
            "`app.users.note` changes type from `character varying(20)` to `text` in place during release 1's expand (no rewrite): it reads the same values",
          ],
          startUsing: ['after r1 expand: `app.users.note` as `text`'],
          beforeContract: [],
        },
      ],
    },
    {
      name: 'drop column',
      source: app(users(col('legacy', 'boolean'))),
      target: app(users()),
      expected: [
        { release: 1, tolerate: [], startUsing: [], beforeContract: [] },
        {
          release: 2,
          tolerate: [],
          startUsing: [],
          beforeContract: [
            'deploy the version that no longer reads or writes `app.users.legacy`: this contract drops the column and its values',
          ],
        },
      ],
    },
    {
      name: 'drop table',
      source: app(users(), table('audit', [col('at', 'timestamp with time zone')])),
      target: app(users()),
      expected: [
        { release: 1, tolerate: [], startUsing: [], beforeContract: [] },
        {
          release: 2,
          tolerate: [],
          startUsing: [],
          beforeContract: [
            'deploy the version that no longer uses table `app.audit`: this contract drops the table and its rows',
          ],
        },
      ],
    },
    {
      name: 'rename table',
      source: app(users(col('name', 'text'))),
      target: app(
        table('people', [id, col('name', 'text')], { primaryKey: pk('users_pkey', ['id']), renamedFrom: 'users' }),
      ),
      expected: [
        {
          release: 1,
          tolerate: [
            "table `app.users` is renamed `app.people` during release 1's expand; a view under the old name keeps the running version reading and writing it until release 2's contract",
          ],
          startUsing: ['after r1 expand: table `app.people` instead of `app.users`'],
          beforeContract: [],
        },
        {
          release: 2,
          tolerate: [],
          startUsing: [],
          beforeContract: [
            'deploy the version that uses table `app.people` instead of `app.users`: this contract drops the compatibility view `app.users`',
          ],
        },
      ],
    },
    {
      name: 'add a NOT NULL column with a backfill',
      source: app(users()),
      target: app(users(notNull('tier', 'text', { backfill: "'free'" }))),
      expected: [
        {
          release: 1,
          tolerate: [
            "new column `app.users.tier` (`text`): ignore it; its inserts may leave it out (a trigger fills it until release 2's contract)",
          ],
          startUsing: [
            "after r1 backfill: `app.users.tier`, filled on every row (NOT NULL enforced from release 1's contract on)",
          ],
          beforeContract: [],
        },
        {
          release: 2,
          tolerate: [],
          startUsing: [],
          beforeContract: [
            'deploy the version that writes `app.users.tier` on every insert: this contract drops the trigger that fills it when an insert leaves it out',
          ],
        },
      ],
    },
    {
      name: 'add a NOT NULL column with a default',
      source: app(users()),
      target: app(users(notNull('active', 'boolean', { default: 'true' }))),
      expected: [
        {
          release: 1,
          tolerate: [
            'new column `app.users.active` (`boolean`): ignore it; its inserts may leave it out (new rows get the default `true`)',
          ],
          startUsing: ['after r1 expand: `app.users.active`'],
          beforeContract: [],
        },
      ],
    },
    {
      name: 'set NOT NULL on an existing column',
      source: app(users(col('email', 'text'))),
      target: app(users(notNull('email', 'text'))),
      expected: [
        {
          release: 1,
          tolerate: [
            "`app.users.email` refuses NULL from release 1's expand on: the running version must not write NULL into it",
          ],
          startUsing: ['after r1 contract: `app.users.email` as NOT NULL'],
          beforeContract: [],
        },
      ],
    },
    {
      name: 'enum value removal',
      source: db(
        schema('app', { enums: [enumType('mood', ['happy', 'sad', 'meh'])], tables: [users(col('mood', 'app.mood'))] }),
      ),
      target: db(
        schema('app', { enums: [enumType('mood', ['happy', 'meh'])], tables: [users(col('mood', 'app.mood'))] }),
      ),
      expected: [
        { release: 1, tolerate: [], startUsing: [], beforeContract: [] },
        {
          release: 2,
          tolerate: [],
          startUsing: [],
          beforeContract: [
            "deploy the version that no longer writes `'sad'` (enum `app.mood`): this contract removes the value from the type (it fails if a row still holds one)",
          ],
        },
      ],
    },
    {
      name: 'enum value added',
      source: db(schema('app', { enums: [enumType('mood', ['happy'])], tables: [users(col('mood', 'app.mood'))] })),
      target: db(
        schema('app', { enums: [enumType('mood', ['happy', 'sad'])], tables: [users(col('mood', 'app.mood'))] }),
      ),
      expected: [
        {
          release: 1,
          tolerate: ["enum `app.mood` gains `'sad'`: the running version may read it once the next version writes it"],
          startUsing: ["after r1 expand: `'sad'` in enum `app.mood`"],
          beforeContract: [],
        },
      ],
    },
    {
      name: 'drop a default of a NOT NULL column',
      source: app(users(notNull('kind', 'text', { default: "'a'::text" }))),
      target: app(users(notNull('kind', 'text'))),
      expected: [
        {
          release: 1,
          tolerate: ["`app.users.kind` loses its default during release 1's expand: every insert must give it a value"],
          startUsing: [],
          beforeContract: [],
        },
      ],
    },
    {
      name: 'new table',
      source: app(users()),
      target: app(users(), table('tiers', [id], { primaryKey: pk('tiers_pkey', ['id']) })),
      expected: [{ release: 1, tolerate: [], startUsing: ['after r1 expand: table `app.tiers`'], beforeContract: [] }],
    },
  ];
}

const rawSql = (phase: SqlStep['phase'], releaseOffset: number): SqlStep => ({
  name: 'users rls',
  phase,
  releaseOffset,
  statements: [
    {
      sql: 'ALTER TABLE app.users ENABLE ROW LEVEL SECURITY',
      rollback: ['ALTER TABLE app.users DISABLE ROW LEVEL SECURITY'],
      transactional: true,
    },
    {
      sql: 'ALTER TABLE app.users FORCE ROW LEVEL SECURITY',
      rollback: ['ALTER TABLE app.users NO FORCE ROW LEVEL SECURITY'],
      transactional: true,
    },
  ],
  creates: [],
  requires: [{ kind: 'table', names: ['app', 'users'] }],
  irreversible: false,
});

describe('never silent: what no rule explains is named as it is', () => {
  const withSql = (sql: SqlStep) =>
    buildPlan(app(users()), app(users()), {
      name: 'notes',
      number: 1,
      server: { version: '17.0', versionNum: 170000 },
      sqlSteps: [sql],
    });

  it('a raw SQL step in expand: the running version must tolerate it (one note for its statements)', () => {
    expect(texts(releaseNotes(withSql(rawSql('expand', 0))))).toEqual([
      {
        release: 1,
        tolerate: [
          "raw SQL step `users rls` runs in release 1's expand: switchyard cannot tell what it changes for the application; read its SQL",
        ],
        startUsing: [],
        beforeContract: [],
      },
    ]);
  });

  it('a raw SQL step in a contract: a deploy before it', () => {
    const notes = releaseNotes(withSql(rawSql('contract', 1)));
    expect(texts(notes).at(-1)).toEqual({
      release: 2,
      tolerate: [],
      startUsing: [],
      beforeContract: [
        'deploy the version that is ready for raw SQL step `users rls`: this contract runs it, and switchyard cannot tell what it changes for the application; read its SQL',
      ],
    });
    expect(notes.at(-1)!.beforeContract[0]!.steps).toEqual(['r2-contract-001']);
  });

  it('a step flagged BREAKS_OLD_APP of a kind no rule covers', () => {
    const p = plan(app(users()), app(users(), table('tiers', [id], { primaryKey: pk('tiers_pkey', ['id']) })));
    const flag = (s: Step): Step =>
      s.action === 'create_table' ? { ...s, hazards: [...s.hazards, 'BREAKS_OLD_APP'] } : s;
    const flagged: Plan = { ...p, releases: p.releases.map((r) => ({ ...r, expand: r.expand.map(flag) })) };
    // create_table is explained by its rule, so the flag alone adds nothing; on a step of another action it is named.
    expect(texts(releaseNotes(flagged))[0]!.tolerate).toEqual([]);
    const other = (s: Step): Step => (s.action === 'create_table' ? { ...s, action: 'create_table_somehow' } : s);
    const renamed: Plan = {
      ...flagged,
      releases: flagged.releases.map((r) => ({ ...r, expand: r.expand.map(other) })),
    };
    expect(texts(releaseNotes(renamed))[0]).toEqual({
      release: 1,
      tolerate: ['step r1-expand-001 breaks the previous version: create table app.tiers'],
      startUsing: [],
      beforeContract: [],
    });
  });
});

describe('more combinations', () => {
  it('a rename with a type change says the new type', () => {
    const notes = texts(
      releaseNotes(
        plan(
          app(users(col('age', 'text'))),
          app(users(col('years', 'integer', { renamedFrom: 'age', up: 'age::integer', down: 'years::text' }))),
        ),
      ),
    );
    expect(notes[0]!.startUsing).toEqual([
      "after r1 backfill: `app.users.years` instead of `age` as `integer` (the two stay in sync until release 2's contract)",
    ]);
    expect(notes[1]!.beforeContract).toEqual([
      'deploy the version that reads and writes `app.users.years` instead of `age`: this contract stops keeping `age` in sync and drops it',
    ]);
  });

  it('enum values reordered: a deploy that does not rely on the order', () => {
    const mood = (values: string[]) =>
      db(schema('app', { enums: [enumType('mood', values)], tables: [users(col('mood', 'app.mood'))] }));
    const notes = texts(releaseNotes(plan(mood(['happy', 'sad']), mood(['sad', 'happy']))));
    expect(notes.at(-1)!.beforeContract).toEqual([
      "deploy the version that does not rely on the order of enum `app.mood`'s values: this contract recreates the type with the values in the order (`'sad'`, `'happy'`)",
    ]);
  });
});

describe('the next: hint', () => {
  it('names the deploy before a contract that has not started, and not once it has', async () => {
    const p = await readPlan(join(ROOT, 'plans', '0001_example.plan.yaml'));
    const phase = (release: number, ph: 'expand' | 'backfill' | 'contract', state: 'applied' | 'pending' | 'partial') =>
      ({
        release,
        phase: ph,
        state,
        steps: 2,
        done: state === 'applied' ? 2 : state === 'partial' ? 1 : 0,
        unfinished: [],
      }) as const;
    const statuses = [
      phase(1, 'expand', 'applied'),
      phase(1, 'backfill', 'applied'),
      phase(1, 'contract', 'applied'),
      phase(2, 'contract', 'pending'),
    ];
    const cmd = 'switchyard apply PLAN --release 2 --phase contract';
    expect(nextCommand(statuses, 'PLAN', p)).toBe(deployHint(releaseNotes(p)[1], cmd));
    expect(nextCommand(statuses, 'PLAN', p)).toMatch(
      /^deploy the version that accepts .*, then: switchyard apply PLAN/,
    );
    // Without the plan (a caller that has none), and once the contract started: the plain command.
    expect(nextCommand(statuses, 'PLAN')).toBe(cmd);
    expect(deployFirst(p, phase(2, 'contract', 'partial'), cmd)).toBe(cmd);
    // Before release 1's contract, which asks for no deploy.
    expect(deployFirst(p, phase(1, 'contract', 'pending'), 'x')).toBe('x');
    expect(deployFirst(p, phase(1, 'backfill', 'pending'), 'x')).toBe('x');
  });
});

describe('a plan with tenants', () => {
  it("says that names in the template schema stand for every tenant's", () => {
    const tenants = { registry: 'SELECT schema_name FROM central.tenants', template: 'app' };
    const p = plan({ ...app(users()), tenants }, { ...app(users(col('note', 'text'))), tenants });
    const plain = pc.createColors(false);
    expect(showPlan(p, 'markdown', plain)).toContain(
      "### Application\n\n(names in the template schema `app` stand for every tenant's schema)\n\nThe version running during release 1's expand and backfill must tolerate:\n\n- new column `app.users.note` (`text`): ignore it; its inserts may leave it out\n",
    );
    expect(showPlan(p, 'text', plain)).toContain(
      "release 1 · application  (names in the template schema `app` stand for every tenant's schema)\n",
    );
    expect(showPlan(plan(app(users()), app(users(col('note', 'text')))), 'text', plain)).toContain(
      'release 1 · application\n',
    );
  });
});
