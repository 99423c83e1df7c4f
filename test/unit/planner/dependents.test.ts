// The dependents rule over hand-built steps and catalog edges: what a step drops or alters must not leave an
// unmodeled dependent behind; modeled dependents, dependents dropped earlier and a dropped table's own parts pass.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, PLAN_ERROR_CODES } from '../../../src/errors.js';
import {
  catalogKey,
  modelKeys,
  type OrderedStep,
  UntrackedDependentError,
  untrackedDependents,
} from '../../../src/planner/dependents.js';
import { key } from '../../../src/planner/keys.js';
import { HAZARDS } from '../../../src/planner/types.js';
import type { CatalogDependency, CatalogObject } from '../../../src/schema/model/dependencies.js';
import { app, col, fk, idx, notNull, pk, table, trigger, uq } from '../diff/fixtures.js';

const source = app(
  table('customers', [notNull('id'), col('name', 'text'), col('email', 'text')], {
    primaryKey: pk('customers_pkey', ['id']),
    unique: [uq('customers_email_key', ['email'])],
    indexes: [idx('customers_name_idx', ['name'])],
    triggers: [trigger('stamp')],
  }),
  table('orders', [notNull('id'), col('email', 'text')], {
    foreignKeys: [fk('orders_email_fkey', ['email'], 'customers', ['email'])],
  }),
);

const column = (t: string, c: string): CatalogObject => ({ kind: 'column', ns: 'app', table: t, name: c });
const edge = (on: CatalogObject, dependent: CatalogObject, deptype: 'n' | 'a' = 'n'): CatalogDependency => ({
  on,
  dependent: {
    ...dependent,
    description: `${dependent.kind} ${dependent.ns}.${dependent.table ? `${dependent.table}.` : ''}${dependent.name}`,
  },
  deptype,
});
const step = (id: string, s: Partial<OrderedStep>): OrderedStep => ({
  id,
  action: 'x',
  description: `step ${id}`,
  drops: [],
  ...s,
});

const view: CatalogObject = { kind: 'view', ns: 'reports', name: 'v' };
const policy: CatalogObject = { kind: 'policy', ns: 'app', table: 'customers', name: 'own' };
const viewOnName = edge(column('customers', 'name'), view);
const policyOnName = edge(column('customers', 'name'), policy);

describe('untracked dependents', () => {
  it('refuses a drop of a column a view reads, naming the view, the column and the step', () => {
    const drop = step('r2-contract-001', { action: 'drop_column', drops: [key.column('app', 'customers', 'name')] });
    expect(untrackedDependents([drop], [viewOnName], source)).toEqual([
      {
        dependent: 'view reports.v',
        kind: 'view',
        on: 'column app.customers.name',
        step: 'r2-contract-001 (drop_column: step r2-contract-001)',
        how: 'drops',
      },
    ]);
  });

  it('refuses a swap (alters) of a column a view or a policy reads', () => {
    const swap = step('r2-contract-001', { action: 'swap_columns', alters: [key.column('app', 'customers', 'name')] });
    const found = untrackedDependents([swap], [viewOnName, policyOnName], source);
    expect(found.map((d) => [d.dependent, d.how])).toEqual([
      ['view reports.v', 'alters'],
      ['policy app.customers.own', 'alters'],
    ]);
  });

  it('trusts a modeled policy only once a step at or before the swap builds it again, like a view', () => {
    const modeled = {
      ...source,
      schemas: source.schemas.map((s) => ({
        ...s,
        tables: s.tables.map((t) =>
          t.name === 'customers'
            ? { ...t, policies: [{ kind: 'policy' as const, name: 'own', command: 'all' as const, roles: ['public'] }] }
            : t,
        ),
      })),
    };
    expect(modelKeys(modeled).has(key.policy('app', 'customers', 'own'))).toBe(true);
    const alters = [key.column('app', 'customers', 'name')];
    const own = key.policy('app', 'customers', 'own');
    // Left alone, the policy would follow the swap's RENAME to the retired column.
    expect(
      untrackedDependents([step('s', { action: 'swap_columns', alters })], [policyOnName], modeled).map(
        (d) => d.dependent,
      ),
    ).toEqual(['policy app.customers.own']);
    expect(
      untrackedDependents([step('s', { action: 'swap_columns', alters, creates: [own] })], [policyOnName], modeled),
    ).toEqual([]);
    expect(
      untrackedDependents(
        [step('a', { creates: [own] }), step('s', { action: 'swap_columns', alters })],
        [policyOnName],
        modeled,
      ),
    ).toEqual([]);
    expect(catalogKey(policy)).toBe(own);
  });

  it('passes a dependent dropped by the same step or an earlier one, not one dropped later', () => {
    const dropView = step('a', { drops: [key.view('reports', 'v')] });
    const dropCol = step('b', { drops: [key.column('app', 'customers', 'name')] });
    expect(untrackedDependents([dropView, dropCol], [viewOnName], source)).toEqual([]);
    expect(untrackedDependents([dropCol, dropView], [viewOnName], source).map((d) => d.step)).toEqual([
      'b (x: step b)',
    ]);
    const both = step('c', { drops: [key.view('reports', 'v'), key.column('app', 'customers', 'name')] });
    expect(untrackedDependents([both], [viewOnName], source)).toEqual([]);
  });

  it('passes dependents the model handles: indexes, key constraints, foreign keys, triggers, defaults', () => {
    const edges = [
      edge(column('customers', 'name'), { kind: 'index', ns: 'app', name: 'customers_name_idx' }, 'a'),
      edge(
        column('customers', 'email'),
        { kind: 'unique constraint', ns: 'app', table: 'customers', name: 'customers_email_key' },
        'a',
      ),
      edge(
        { kind: 'index', ns: 'app', table: 'customers', name: 'customers_email_key' },
        { kind: 'foreign key', ns: 'app', table: 'orders', name: 'orders_email_fkey' },
      ),
      edge(column('customers', 'email'), {
        kind: 'foreign key',
        ns: 'app',
        table: 'orders',
        name: 'orders_email_fkey',
      }),
      edge(
        { kind: 'table', ns: 'app', name: 'customers' },
        { kind: 'trigger', ns: 'app', table: 'customers', name: 'stamp' },
        'a',
      ),
      edge({ kind: 'sequence', ns: 'app', name: 's' }, { kind: 'default', ns: 'app', table: 'customers', name: 'id' }),
    ];
    const steps = [
      step('a', { drops: [key.column('app', 'customers', 'name')] }),
      step('b', {
        drops: [key.index('app', 'customers_email_key'), key.constraint('app', 'customers', 'customers_email_key')],
      }),
      step('c', { alters: [key.column('app', 'customers', 'email')] }),
      step('d', { drops: [key.sequence('app', 's')] }),
    ];
    expect(untrackedDependents(steps, edges, source)).toEqual([]);
  });

  it("lets a dropped table's own policies go with it, not a view or a function of another object", () => {
    const customers = { kind: 'table', ns: 'app', name: 'customers' };
    const edges = [
      edge(customers, policy, 'a'),
      edge(column('customers', 'id'), view),
      edge(column('customers', 'email'), { kind: 'function', ns: 'app', name: 'count_them', args: '' }),
    ];
    const drop = step('r2-contract-003', { action: 'drop_table', drops: [key.table('app', 'customers')] });
    expect(untrackedDependents([drop], edges, source).map((d) => [d.dependent, d.on])).toEqual([
      ['view reports.v', 'column app.customers.id'],
      ['function app.count_them', 'column app.customers.email'],
    ]);
  });

  it('refuses an unmodeled trigger or statistics object on a dropped column, not a modeled trigger', () => {
    const edges = [
      edge(column('customers', 'name'), { kind: 'trigger', ns: 'app', table: 'customers', name: 'stamp' }),
      edge(column('customers', 'name'), { kind: 'trigger', ns: 'app', table: 'customers', name: 'audit_args' }),
      edge(column('customers', 'name'), { kind: 'statistics', ns: 'app', table: 'customers', name: 'st' }, 'a'),
    ];
    const drop = step('s', { drops: [key.column('app', 'customers', 'name')] });
    expect(untrackedDependents([drop], edges, source).map((d) => d.dependent)).toEqual([
      'trigger app.customers.audit_args',
      'statistics app.customers.st',
    ]);
  });

  it('refuses a dropped schema that still holds an unmodeled object, not one holding only modeled ones', () => {
    const app = { kind: 'schema', ns: 'app', name: 'app' };
    const edges = [
      edge(app, { kind: 'table', ns: 'app', name: 'customers' }),
      edge(app, { kind: 'sequence', ns: 'app', name: 'customers_id_seq' }),
      edge(app, { kind: 'view', ns: 'app', name: 'v' }),
      edge(app, { kind: 'domain', ns: 'app', name: 'email' }),
    ];
    const drops = [key.table('app', 'customers'), key.sequence('app', 'customers_id_seq')];
    const steps = [step('a', { drops }), step('b', { action: 'drop_schema', drops: [key.schema('app')] })];
    expect(untrackedDependents(steps, edges, source).map((d) => [d.dependent, d.on])).toEqual([
      ['view app.v', 'schema app'],
      ['domain app.email', 'schema app'],
    ]);
  });

  it('names each dependent once per step', () => {
    const drop = step('s', { drops: [key.column('app', 'customers', 'name'), key.table('app', 'customers')] });
    expect(untrackedDependents([drop], [viewOnName, edge(column('customers', 'id'), view)], source)).toHaveLength(1);
  });
});

describe('catalog keys', () => {
  it('maps dependents to the keys the model uses', () => {
    expect(catalogKey({ kind: 'default', ns: 'app', table: 't', name: 'c' })).toBe(key.column('app', 't', 'c'));
    expect(catalogKey({ kind: 'generated column', ns: 'app', table: 't', name: 'g' })).toBe(
      key.column('app', 't', 'g'),
    );
    expect(catalogKey({ kind: 'materialized view', ns: 'app', name: 'mv' })).toBe(key.view('app', 'mv'));
    expect(catalogKey({ kind: 'function', ns: 'app', name: 'f', args: 'a integer' })).toBe(
      key.function('app', 'f', 'a integer'),
    );
    expect(catalogKey({ kind: 'check constraint', ns: 'app', table: 't', name: 'k' })).toBe(
      key.constraint('app', 't', 'k'),
    );
    for (const kind of ['domain', 'composite type', 'range type'])
      expect(catalogKey({ kind, ns: 'app', name: 'x' })).toBe(key.type('app', 'x'));
    expect(catalogKey({ kind: 'domain constraint', ns: 'app', table: 'email', name: 'k' })).toBe(
      key.constraint('app', 'email', 'k'),
    );
    for (const kind of ['policy', 'rule', 'statistics', 'publication', 'multirange type', 'procedure'])
      expect(catalogKey({ kind, ns: 'app', name: 'x' })).toBeUndefined();
  });

  it('knows every object of the model', () => {
    const keys = modelKeys(source);
    for (const k of [
      key.table('app', 'customers'),
      key.column('app', 'customers', 'email'),
      key.constraint('app', 'customers', 'customers_pkey'),
      key.index('app', 'customers_pkey'),
      key.index('app', 'customers_name_idx'),
      key.constraint('app', 'orders', 'orders_email_fkey'),
      key.trigger('app', 'customers', 'stamp'),
    ])
      expect(keys.has(k), k).toBe(true);
  });
});

describe('UntrackedDependentError', () => {
  it('is a plan error of its own (exit 1), not a hazard, with the fix', () => {
    expect(PLAN_ERROR_CODES).toContain('UNTRACKED_DEPENDENT');
    expect(ERROR_CODES).toContain('UNTRACKED_DEPENDENT');
    expect(HAZARDS as readonly string[]).not.toContain('UNTRACKED_DEPENDENT');
    const e = new UntrackedDependentError(
      untrackedDependents(
        [step('r2-contract-001', { drops: [key.column('app', 'customers', 'name')] })],
        [viewOnName],
        source,
      ),
    );
    expect(e.code).toBe('UNTRACKED_DEPENDENT');
    expect(e.exitCode).toBe(1);
    expect(e.message).toContain('view reports.v depends on column app.customers.name, which step r2-contract-001');
    expect(e.message).toContain('--allow-hazard cannot allow it');
    expect(e.message).toContain('declare each of them in the schema file');
    expect(e.message).toContain('drop it yourself before applying the plan');
  });
});
