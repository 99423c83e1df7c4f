// grant_privileges, revoke_privileges and their default-privileges twins: the exact GRANT / REVOKE, the exact
// rollback (the grant option alone when only it changes, regranted with it when it was held), the phase and
// release (a revoke with a drop goes in the drop's release), and the keys that order them around the object.
import { describe, expect, it } from 'vitest';
import { diff } from '../../../src/diff/index.js';
import type { Change } from '../../../src/diff/index.js';
import { key } from '../../../src/planner/keys.js';
import { HANDLERS } from '../../../src/planner/registry.js';
import type { DatabaseSchema, Grant, Schema } from '../../../src/schema/model/model.js';
import { emptySchema, emptyTable } from '../../../src/schema/model/model.js';
import { context, keys, shown, steps } from './objects-fixtures.js';

const col = (name: string) => ({ kind: 'column' as const, name, type: 'text', nullable: true });

function db(grants: readonly Grant[] | undefined, extra: Partial<Schema> = {}): DatabaseSchema {
  const t = { ...emptyTable('Users', [col('id'), col('e mail')]), ...(grants ? { grants } : {}) };
  return { schemas: [{ ...emptySchema('app'), tables: [t], ...extra }] };
}

/** Every step of every change of diff(from, to), as a reviewer reads it. */
function planned(from: DatabaseSchema, to: DatabaseSchema) {
  const x = context(from, to);
  return diff(from, to).flatMap((c: Change) =>
    steps(HANDLERS[c.kind] as never, c as never, x).map((d) => ({ change: c.kind, ...shown(d), ...keys(d) })),
  );
}

describe('grant_privileges', () => {
  it('grants privileges and column privileges in one statement per role, revoked exactly by the rollback', () => {
    const out = planned(
      db(undefined),
      db([
        { role: 'web app', privileges: ['SELECT', 'INSERT'] },
        { role: 'web app', privileges: ['UPDATE'], columns: ['e mail', 'id'] },
        { role: 'admin', privileges: ['DELETE'], withGrantOption: true },
      ]),
    );
    expect(out).toEqual([
      {
        change: 'grant_privileges',
        phase: 'expand',
        releaseOffset: 0,
        action: 'grant',
        sql: 'GRANT DELETE ON TABLE app."Users" TO admin WITH GRANT OPTION',
        rollback: ['REVOKE DELETE ON TABLE app."Users" FROM admin'],
        lock: 'none',
        lockedTables: [],
        transactional: true,
        hazards: [],
        creates: [],
        requires: [key.table('app', 'Users')],
        drops: [],
      },
      {
        change: 'grant_privileges',
        phase: 'expand',
        releaseOffset: 0,
        action: 'grant',
        sql: 'GRANT INSERT, SELECT, UPDATE ("e mail", id) ON TABLE app."Users" TO "web app"',
        rollback: ['REVOKE INSERT, SELECT, UPDATE ("e mail", id) ON TABLE app."Users" FROM "web app"'],
        lock: 'none',
        lockedTables: [],
        transactional: true,
        hazards: [],
        creates: [],
        requires: [key.table('app', 'Users'), key.column('app', 'Users', 'e mail'), key.column('app', 'Users', 'id')],
        drops: [],
      },
    ]);
  });

  it('adds the grant option alone to privileges held; the rollback revokes only the option', () => {
    const out = planned(
      db([{ role: 'app', privileges: ['SELECT'] }]),
      db([{ role: 'app', privileges: ['SELECT'], withGrantOption: true }]),
    );
    expect(out.map((s) => [s.change, s.action, s.sql, s.rollback])).toEqual([
      [
        'grant_privileges',
        'grant_option',
        'GRANT SELECT ON TABLE app."Users" TO app WITH GRANT OPTION',
        ['REVOKE GRANT OPTION FOR SELECT ON TABLE app."Users" FROM app'],
      ],
    ]);
  });

  it('names each class of object as GRANT does, PUBLIC as the keyword', () => {
    const grants = [{ role: 'PUBLIC', privileges: ['USAGE'] }] as const;
    const from: DatabaseSchema = {
      schemas: [
        {
          ...emptySchema('s'),
          enums: [{ kind: 'enum', name: 'mood', values: ['a'] }],
          sequences: [
            {
              kind: 'sequence',
              name: 'n',
              type: 'bigint',
              start: '1',
              increment: '1',
              min: '1',
              max: '9',
              cache: '1',
              cycle: false,
            },
          ],
          functions: [{ kind: 'function', name: 'f', args: 'a integer', definition: 'x' }],
          views: [{ kind: 'view', name: 'v', definition: 'SELECT 1' }],
        },
      ],
    };
    const s = from.schemas[0]!;
    const to: DatabaseSchema = {
      schemas: [
        {
          ...s,
          grants: [{ role: 'ro', privileges: ['USAGE', 'CREATE'] }],
          enums: s.enums.map((e) => ({ ...e, grants })),
          sequences: s.sequences.map((q) => ({ ...q, grants: [{ role: 'ro', privileges: ['USAGE', 'SELECT'] }] })),
          functions: s.functions.map((f) => ({ ...f, grants: [{ role: 'ro', privileges: ['EXECUTE'] }] })),
          views: s.views!.map((v) => ({ ...v, grants: [{ role: 'ro', privileges: ['SELECT'], columns: ['x'] }] })),
        },
      ],
    };
    expect(planned(from, to).map((x) => [x.sql, x.requires])).toEqual([
      ['GRANT USAGE, CREATE ON SCHEMA s TO ro', [key.schema('s')]],
      ['GRANT USAGE ON TYPE s.mood TO PUBLIC', [key.type('s', 'mood')]],
      ['GRANT SELECT, USAGE ON SEQUENCE s.n TO ro', [key.sequence('s', 'n')]],
      ['GRANT EXECUTE ON FUNCTION s.f(a integer) TO ro', [key.function('s', 'f', 'a integer')]],
      ['GRANT SELECT (x) ON TABLE s.v TO ro', [key.view('s', 'v')]],
    ]);
  });
});

describe('revoke_privileges', () => {
  it('revokes in contract; the rollback grants back with the grant option held', () => {
    const out = planned(
      db([
        { role: 'app', privileges: ['SELECT', 'INSERT'], withGrantOption: true },
        { role: 'ro', privileges: ['SELECT'], withGrantOption: true },
        { role: 'ro', privileges: ['UPDATE'], columns: ['id'] },
      ]),
      db([{ role: 'ro', privileges: ['SELECT'] }]),
    );
    expect(out.map((s) => [s.change, s.phase, s.releaseOffset, s.action, s.sql, s.rollback])).toEqual([
      [
        'revoke_privileges',
        'contract',
        0,
        'revoke',
        'REVOKE INSERT, SELECT ON TABLE app."Users" FROM app',
        ['GRANT INSERT, SELECT ON TABLE app."Users" TO app WITH GRANT OPTION'],
      ],
      [
        'revoke_privileges',
        'contract',
        0,
        'revoke',
        'REVOKE UPDATE (id) ON TABLE app."Users" FROM ro',
        ['GRANT UPDATE (id) ON TABLE app."Users" TO ro'],
      ],
      [
        'revoke_privileges',
        'contract',
        0,
        'revoke_grant_option',
        'REVOKE GRANT OPTION FOR SELECT ON TABLE app."Users" FROM ro',
        ['GRANT SELECT ON TABLE app."Users" TO ro WITH GRANT OPTION'],
      ],
    ]);
  });

  it("goes with a dropped column or table: the drop's release, requiring the object so it runs first", () => {
    const from = db([{ role: 'ro', privileges: ['SELECT'], columns: ['e mail'] }]);
    const to: DatabaseSchema = { schemas: [{ ...emptySchema('app'), tables: [emptyTable('Users', [col('id')])] }] };
    const revoke = planned(from, to).filter((s) => s.change === 'revoke_privileges');
    expect(revoke.map((s) => [s.phase, s.releaseOffset, s.sql, s.requires])).toEqual([
      [
        'contract',
        1,
        'REVOKE SELECT ("e mail") ON TABLE app."Users" FROM ro',
        [key.table('app', 'Users'), key.column('app', 'Users', 'e mail')],
      ],
    ]);
    const gone = planned(db([{ role: 'app', privileges: ['SELECT'] }]), { schemas: [emptySchema('app')] });
    expect(gone.filter((s) => s.change === 'revoke_privileges').map((s) => [s.releaseOffset, s.sql])).toEqual([
      [1, 'REVOKE SELECT ON TABLE app."Users" FROM app'],
    ]);
  });

  it('an ACL held the same way plans nothing', () => {
    expect(
      planned(
        db([
          { role: 'app', privileges: ['SELECT'] },
          { role: 'app', privileges: ['INSERT'] },
        ]),
        db([{ role: 'app', privileges: ['INSERT', 'SELECT'] }]),
      ),
    ).toEqual([]);
  });
});

describe('default privileges', () => {
  const withDefaults = (d: DatabaseSchema['defaultPrivileges']): DatabaseSchema => ({
    schemas: [emptySchema('app')],
    ...(d ? { defaultPrivileges: d } : {}),
  });

  it('grants in expand, revokes in contract, each undone exactly', () => {
    const out = planned(
      withDefaults([
        { forRole: 'deploy', on: 'functions', role: 'app', privileges: ['EXECUTE'], withGrantOption: true },
        { forRole: 'deploy', schema: 'app', on: 'tables', role: 'ro', privileges: ['SELECT', 'UPDATE'] },
      ]),
      withDefaults([
        { forRole: 'deploy', on: 'functions', role: 'app', privileges: ['EXECUTE'] },
        { forRole: 'deploy', schema: 'app', on: 'tables', role: 'ro', privileges: ['SELECT'] },
        { forRole: 'deploy', on: 'sequences', role: 'web app', privileges: ['USAGE'], withGrantOption: true },
      ]),
    );
    expect(out.map((s) => [s.change, s.phase, s.sql, s.rollback, s.requires])).toEqual([
      [
        'revoke_default_privileges',
        'contract',
        'ALTER DEFAULT PRIVILEGES FOR ROLE deploy REVOKE GRANT OPTION FOR EXECUTE ON FUNCTIONS FROM app',
        ['ALTER DEFAULT PRIVILEGES FOR ROLE deploy GRANT EXECUTE ON FUNCTIONS TO app WITH GRANT OPTION'],
        [],
      ],
      [
        'grant_default_privileges',
        'expand',
        'ALTER DEFAULT PRIVILEGES FOR ROLE deploy GRANT USAGE ON SEQUENCES TO "web app" WITH GRANT OPTION',
        ['ALTER DEFAULT PRIVILEGES FOR ROLE deploy REVOKE USAGE ON SEQUENCES FROM "web app"'],
        [],
      ],
      [
        'revoke_default_privileges',
        'contract',
        'ALTER DEFAULT PRIVILEGES FOR ROLE deploy IN SCHEMA app REVOKE UPDATE ON TABLES FROM ro',
        ['ALTER DEFAULT PRIVILEGES FOR ROLE deploy IN SCHEMA app GRANT UPDATE ON TABLES TO ro'],
        [key.schema('app')],
      ],
    ]);
  });
});
