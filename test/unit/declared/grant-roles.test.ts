// The roles a model names (grantees and FOR ROLE, never PUBLIC) with where it names them, and a model without
// the grants to some roles (what pair init builds when the standby's server lacks them).
import { describe, expect, it } from 'vitest';
import { grantRoles, withoutGrantsTo } from '../../../src/schema/model/grants.js';
import type { DatabaseSchema } from '../../../src/schema/model/model.js';
import { emptySchema, emptyTable } from '../../../src/schema/model/model.js';

const db: DatabaseSchema = {
  schemas: [
    {
      ...emptySchema('app'),
      grants: [{ role: 'web', privileges: ['USAGE'] }],
      tables: [
        {
          ...emptyTable('t'),
          grants: [
            { role: 'PUBLIC', privileges: ['SELECT'] },
            { role: 'gone', privileges: ['INSERT'] },
          ],
        },
      ],
      functions: [
        { kind: 'function', name: 'f', args: '', definition: 'x', grants: [{ role: 'gone', privileges: ['EXECUTE'] }] },
      ],
    },
  ],
  defaultPrivileges: [{ forRole: 'deploy', on: 'tables', role: 'web', privileges: ['SELECT'] }],
};

describe('grantRoles', () => {
  it('lists every role with the declared paths naming it, PUBLIC left out', () => {
    expect(Object.fromEntries(grantRoles(db))).toEqual({
      web: [['schemas', 'app', 'grants'], ['defaultPrivileges']],
      gone: [
        ['schemas', 'app', 'functions', 'f', 'grants'],
        ['schemas', 'app', 'tables', 't', 'grants'],
      ],
      deploy: [['defaultPrivileges']],
    });
  });
});

describe('withoutGrantsTo', () => {
  it('drops the grants to those roles and the default privileges naming them, nothing else', () => {
    const out = withoutGrantsTo(db, new Set(['gone', 'deploy']));
    const app = out.schemas[0]!;
    expect(app.grants).toEqual([{ role: 'web', privileges: ['USAGE'] }]);
    expect(app.tables[0]!.grants).toEqual([{ role: 'PUBLIC', privileges: ['SELECT'] }]);
    expect(app.functions[0]).not.toHaveProperty('grants');
    expect(out).not.toHaveProperty('defaultPrivileges');
  });
});
