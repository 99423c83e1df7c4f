// The steps of the two-column recipe (see shadow-plan.ts for the names):
//
// expand     add the shadow column (nullable, no default: on INSERT a non-NULL value means the new
//            application version wrote it); sync function + trigger, ENABLE ALWAYS; its NOT NULL as a NOT VALID
//            constraint; copies of the column's indexes (CONCURRENTLY, temporary names) and checks (NOT VALID)
// backfill   shadow = up(old) in keyset batches, where it differs
// contract   release of the change: validate the NOT NULL and the check copies
//            next release: the switch, then drop the sync function; rename: drop the old column
//            retype, one release later still: drop the retired column and its indexes
//
// The switch is one DO block, so that no write happens between its parts: drop the trigger, free the old column
// (no default, no NOT NULL: nobody writes it any more), drop its checks, rename its indexes `__old` and give the
// copies their names, for a retype swap the columns, and move the target default onto the new column. Its
// rollback first puts back, under ACCESS EXCLUSIVE, the old values of rows written since (`down`), so that the
// old column can be NOT NULL again.
import { ident, qualified } from '../../db/quote.js';
import { alterTable } from '../../sql/render/common.js';
import {
  addCheck,
  addColumn,
  comment,
  createIndex,
  dropColumn,
  dropConstraint,
  dropDefault,
  dropIndex,
  dropNotNull,
  renameColumn,
  setDefault,
  setNotNull,
  validateConstraint,
} from '../../sql/render/index.js';
import { draft } from '../draft.js';
import { key } from '../keys.js';
import type { PlanContext, StepDraft } from '../types.js';
import { addNotNullNotValid, enforceNotNull, hasNotNullNotValid, notNullName, validated } from './not-null.js';
import type { ShadowPlan } from './shadow-plan.js';
import { dollarQuote, enabledAlways, installSteps, syncFunction, triggerStatements } from './sync-trigger.js';
import { backfillKey, lockOn, typeKeys } from './tables.js';
import { backfillStatement } from '../backfill-statement.js';
import { aroundPolicies, aroundPolicyKeys, policiesAroundColumns, undoAroundPolicies } from './policies.js';
import { aroundViewKeys, aroundViews, undoAroundViews, viewsAroundColumns } from './views.js';

const renameIndex = (schema: string, from: string, to: string) =>
  `ALTER INDEX ${qualified(schema, from)} RENAME TO ${ident(to)}`;
const renameConstraint = (schema: string, table: string, from: string, to: string) =>
  alterTable(schema, table, `RENAME CONSTRAINT ${ident(from)} TO ${ident(to)}`);

const fn = (p: ShadowPlan) =>
  syncFunction({ schema: p.schema, names: p.names, oldColumn: p.old, newColumn: p.shadow, up: p.up, down: p.down });

export function shadowExpand(ctx: PlanContext, p: ShadowPlan): StepDraft[] {
  const { schema, table, shadow } = p;
  const locks = lockOn(ctx, schema, table);
  const on = `${qualified(schema, table)}.${ident(shadow)}`;
  const afterTrigger = enabledAlways(key.trigger(schema, table, p.names.trigger));
  const purpose =
    p.kind === 'rename'
      ? `keep ${ident(p.old)} and ${ident(shadow)} in sync`
      : `keep ${ident(p.old)} and its new-type copy ${ident(shadow)} in sync`;
  const steps: StepDraft[] = [
    draft({
      phase: 'expand',
      action: 'add_shadow_column',
      description: `add column ${on} (${p.target.type}, nullable, no default yet), filled from ${ident(p.old)} by a trigger and a backfill`,
      sql: addColumn(schema, table, {
        kind: 'column',
        name: shadow,
        type: p.target.type,
        nullable: true,
        ...(p.target.collation ? { collation: p.target.collation } : {}),
      }),
      rollback: [dropColumn(schema, table, shadow)],
      lock: 'ACCESS EXCLUSIVE',
      locks,
      creates: [key.column(schema, table, shadow)],
      requires: [key.table(schema, table), key.column(schema, table, p.old), ...typeKeys(ctx, p.target.type)],
    }),
    ...installSteps(ctx, schema, table, fn(p), p.names, { purpose, userSql: p.userSql, columns: [p.old, shadow] }),
  ];
  if (p.kind === 'rename' && p.target.comment !== undefined) {
    const target = { kind: 'column', schema, table, column: shadow } as const;
    steps.push(
      draft({
        phase: 'expand',
        action: 'comment_column',
        description: `comment on column ${on}`,
        sql: comment(target, p.target.comment),
        rollback: [comment(target, null)],
        requires: [key.column(schema, table, shadow)],
      }),
    );
  }
  // New rows get the shadow value from the trigger, so the constraints may hold from now on.
  const afterSync = (s: StepDraft): StepDraft => ({ ...s, requires: [...s.requires, afterTrigger] });
  if (!p.target.nullable) steps.push(afterSync(addNotNullNotValid(ctx, schema, table, shadow)));
  for (const ix of p.indexes) {
    steps.push(
      draft({
        phase: 'expand',
        action: 'create_index_concurrently',
        description: `build ${ident(ix.temp.name)}, a copy of index ${ident(ix.name)} on ${on} (takes the name in the next release)`,
        sql: createIndex(schema, table, ix.temp, { concurrently: true }),
        rollback: [dropIndex(schema, ix.temp.name, { concurrently: true })],
        lock: 'SHARE UPDATE EXCLUSIVE',
        locks,
        transactional: false,
        hazards: ['INDEX_BUILD', ...(ix.temp.unique ? (['CORRECTNESS'] as const) : [])],
        creates: [key.index(schema, ix.temp.name)],
        requires: [key.column(schema, table, shadow)],
        costTable: { schema, table, work: 'index' },
      }),
    );
  }
  for (const ck of p.checks) {
    steps.push(
      afterSync(
        draft({
          phase: 'expand',
          action: 'add_check_not_valid',
          description: `add ${ident(ck.temp.name)}, a copy of check ${ident(ck.name)} on ${on}, NOT VALID`,
          sql: addCheck(schema, table, ck.temp, { notValid: true }),
          rollback: [dropConstraint(schema, table, ck.temp.name)],
          lock: 'ACCESS EXCLUSIVE',
          locks,
          creates: [key.constraint(schema, table, ck.temp.name)],
          requires: [key.column(schema, table, shadow)],
        }),
      ),
    );
  }
  return steps;
}

export function shadowBackfill(ctx: PlanContext, p: ShadowPlan): StepDraft[] {
  const { schema, table, shadow } = p;
  const where = `${ident(shadow)} IS DISTINCT FROM (${p.up})`;
  const spec = {
    schema,
    table,
    key: backfillKey(p.sourceTable) ?? [],
    set: [{ column: shadow, expression: p.up }],
    where,
  };
  return [
    draft({
      phase: 'backfill',
      action: 'backfill',
      description: `fill ${qualified(schema, table)}.${ident(shadow)} from ${ident(p.old)} in batches${p.kind === 'type' ? ' (a value that does not convert fails the batch)' : ''}`,
      sql: backfillStatement(spec),
      lock: 'ROW EXCLUSIVE',
      locks: lockOn(ctx, schema, table),
      hazards: [...(p.userUp ? (['USER_SQL'] as const) : []), ...(p.kind === 'type' ? (['CORRECTNESS'] as const) : [])],
      requires: [key.column(schema, table, shadow), enabledAlways(key.trigger(schema, table, p.names.trigger))],
      backfill: spec,
      costTable: { schema, table, work: 'backfill' },
    }),
  ];
}

export function shadowContract(ctx: PlanContext, p: ShadowPlan): StepDraft[] {
  const { schema, table } = p;
  const locks = lockOn(ctx, schema, table);
  const steps: StepDraft[] = [];
  if (!p.target.nullable) steps.push(...enforceNotNull(ctx, schema, table, p.shadow));
  for (const ck of p.checks.filter((c) => c.validate)) {
    const k = key.constraint(schema, table, ck.temp.name);
    steps.push(
      draft({
        phase: 'contract',
        action: 'validate_check',
        description: `validate ${ident(ck.temp.name)} without blocking reads or writes`,
        sql: validateConstraint(schema, table, ck.temp.name),
        rollback: [dropConstraint(schema, table, ck.temp.name), addCheck(schema, table, ck.temp, { notValid: true })],
        lock: 'SHARE UPDATE EXCLUSIVE',
        locks,
        hazards: ['FULL_SCAN', 'CORRECTNESS'],
        creates: [validated(k)],
        requires: [k],
        costTable: { schema, table, work: 'scan' },
      }),
    );
  }
  steps.push(switchStep(ctx, p));
  const st = triggerStatements(schema, table, fn(p), p.names);
  steps.push(
    draft({
      phase: 'contract',
      releaseOffset: 1,
      action: 'drop_sync_function',
      description: `drop trigger function ${qualified(schema, p.names.function)}`,
      sql: st.dropFunction,
      rollback: [st.createFunction],
      drops: [key.function(schema, p.names.function, '')],
    }),
  );
  for (const ix of p.indexes) {
    steps.push(
      draft({
        phase: 'contract',
        releaseOffset: p.dropOffset,
        action: 'drop_index_concurrently',
        description: `drop ${ident(ix.retired.name)}, the old index ${ident(ix.name)} on the retired column ${ident(p.retired)}`,
        sql: dropIndex(schema, ix.retired.name, { concurrently: true }),
        rollback: [
          createIndex(schema, table, ix.retired, { concurrently: true }),
          ...(ix.source.comment !== undefined
            ? [comment({ kind: 'index', schema, name: ix.retired.name }, ix.source.comment)]
            : []),
        ],
        lock: 'SHARE UPDATE EXCLUSIVE',
        locks,
        transactional: false,
        drops: [key.index(schema, ix.retired.name)],
        requires: [key.column(schema, table, p.retired)],
      }),
    );
  }
  const retiredColumn = { kind: 'column', schema, table, column: p.retired } as const;
  steps.push(
    draft({
      phase: 'contract',
      releaseOffset: p.dropOffset,
      action: 'drop_column',
      description: `drop the retired column ${qualified(schema, table)}.${ident(p.retired)} (the rollback re-adds it and recomputes it with \`down\`)`,
      sql: dropColumn(schema, table, p.retired),
      rollback: [
        addColumn(schema, table, {
          kind: 'column',
          name: p.retired,
          type: p.source.type,
          nullable: true,
          ...(p.source.collation ? { collation: p.source.collation } : {}),
        }),
        `UPDATE ${qualified(schema, table)} SET ${ident(p.retired)} = ${p.downAfter}`,
        ...(p.source.comment !== undefined ? [comment(retiredColumn, p.source.comment)] : []),
      ],
      lock: 'ACCESS EXCLUSIVE',
      locks,
      hazards: ['DELETES_DATA'],
      drops: [key.column(schema, table, p.retired)],
    }),
  );
  return steps;
}

function switchStep(ctx: PlanContext, p: ShadowPlan): StepDraft {
  const { schema, table, old, shadow, retired, final, source, target } = p;
  const st = triggerStatements(schema, table, fn(p), p.names);
  const swap = old !== retired;
  const col = (c: string) => ({ kind: 'column', schema, table, column: c }) as const;
  const nnRename =
    swap && !target.nullable && hasNotNullNotValid(ctx)
      ? ([notNullName(table, shadow), notNullName(table, final)] as const)
      : undefined;
  const forward = [
    st.dropTrigger,
    ...(source.default !== undefined ? [dropDefault(schema, table, old)] : []),
    ...(!source.nullable ? [dropNotNull(schema, table, old)] : []),
    ...p.checks.flatMap((c) => [
      dropConstraint(schema, table, c.name),
      renameConstraint(schema, table, c.temp.name, c.name),
      ...(c.comment !== undefined ? [comment({ kind: 'constraint', schema, table, name: c.name }, c.comment)] : []),
    ]),
    ...p.indexes.flatMap((i) => [
      renameIndex(schema, i.name, i.retired.name),
      renameIndex(schema, i.temp.name, i.name),
      ...(i.comment !== undefined ? [comment({ kind: 'index', schema, name: i.name }, i.comment)] : []),
    ]),
    ...(swap ? [renameColumn(schema, table, old, retired), renameColumn(schema, table, shadow, final)] : []),
    ...(nnRename ? [renameConstraint(schema, table, nnRename[0], nnRename[1])] : []),
    ...(target.default !== undefined ? [setDefault(schema, table, final, target.default)] : []),
    ...(swap && target.comment !== undefined ? [comment(col(final), target.comment)] : []),
  ];
  const backward = [
    `LOCK TABLE ${qualified(schema, table)} IN ACCESS EXCLUSIVE MODE`,
    `UPDATE ${qualified(schema, table)} SET ${ident(retired)} = ${p.downAfter} WHERE ${ident(final)} IS DISTINCT FROM (${p.upAfter})`,
    ...(swap && target.comment !== undefined ? [comment(col(final), null)] : []),
    ...(target.default !== undefined ? [dropDefault(schema, table, final)] : []),
    ...(nnRename ? [renameConstraint(schema, table, nnRename[1], nnRename[0])] : []),
    ...(swap ? [renameColumn(schema, table, final, shadow), renameColumn(schema, table, retired, old)] : []),
    ...[...p.indexes]
      .reverse()
      .flatMap((i) => [
        ...(i.comment !== undefined ? [comment({ kind: 'index', schema, name: i.name }, null)] : []),
        renameIndex(schema, i.name, i.temp.name),
        renameIndex(schema, i.retired.name, i.name),
      ]),
    ...[...p.checks]
      .reverse()
      .flatMap((c) => [
        renameConstraint(schema, table, c.name, c.temp.name),
        ...(c.comment !== undefined ? [comment({ kind: 'constraint', schema, table, name: c.temp.name }, null)] : []),
        addCheck(schema, table, c.source, { notValid: true }),
        ...(c.source.comment !== undefined
          ? [comment({ kind: 'constraint', schema, table, name: c.name }, c.source.comment)]
          : []),
      ]),
    ...(!source.nullable ? [setNotNull(schema, table, old)] : []),
    ...(source.default !== undefined ? [setDefault(schema, table, old, source.default)] : []),
    st.createTrigger,
    st.enableAlways,
  ];
  // Views reading the old column keep their source shape until here (the old column is kept in sync until now);
  // they are dropped first and built again last, in their target shape: a view left in place would go on
  // reading the retired column (ALTER TABLE ... RENAME carries it along to `__old`).
  // A view this plan creates in expand reads the old column under the final name until the swap: rebuilt too.
  const views = viewsAroundColumns(ctx, schema, table, [old], swap ? [final] : []);
  const viewKeys = aroundViewKeys(views);
  // So are the policies reading it: RENAME would carry a policy along to the retired column just the same.
  const policies = policiesAroundColumns(ctx, schema, table, [old], swap ? [final] : []);
  const policyKeys = aroundPolicyKeys(policies);
  const what = swap
    ? `swap ${ident(old)} (renamed ${ident(retired)}) and ${ident(shadow)} (renamed ${ident(final)})`
    : `retire ${ident(old)} in favour of ${ident(final)}`;
  const rebuilt =
    (views.drop.length ? `, drop and rebuild the ${views.drop.length} view(s) reading ${ident(old)}` : '') +
    (policies.drop.length ? `, drop and recreate the ${policies.drop.length} polic(ies) reading ${ident(old)}` : '');
  return draft({
    phase: 'contract',
    releaseOffset: 1,
    action: swap ? 'swap_columns' : 'retire_old_column',
    description:
      `in one transaction: drop the sync trigger, ${what}, move indexes and checks to their target names${rebuilt}` +
      (swap ? `; the running application sees ${ident(final)} change type from ${source.type} to ${target.type}` : '') +
      '. The rollback rewrites old values of rows written since, under ACCESS EXCLUSIVE',
    sql: doBlock(aroundPolicies(policies, aroundViews(views, forward))),
    rollback: [
      doBlock(undoAroundPolicies(policies, undoAroundViews(views, backward))),
      ...p.checks.filter((c) => c.source.notValid === undefined).map((c) => validateConstraint(schema, table, c.name)),
    ],
    lock: 'ACCESS EXCLUSIVE',
    locks: lockOn(ctx, schema, table),
    hazards: swap ? ['BREAKS_OLD_APP'] : [],
    creates: [
      ...p.indexes.map((i) => key.index(schema, i.retired.name)),
      ...(swap ? [key.column(schema, table, retired)] : []),
      ...viewKeys.creates,
      ...policyKeys.creates,
    ],
    requires: [
      key.column(schema, table, old),
      key.column(schema, table, shadow),
      key.function(schema, p.names.function, ''),
    ],
    // The old column stops being written (and with a swap is renamed out of the way): whatever reads it must be
    // handled before, or it would read stale values from the retired column.
    alters: [key.column(schema, table, old)],
    drops: [
      key.trigger(schema, table, p.names.trigger),
      ...p.indexes.map((i) => key.index(schema, i.temp.name)),
      ...p.checks.map((c) => key.constraint(schema, table, c.temp.name)),
      ...viewKeys.drops,
      ...policyKeys.drops,
    ],
  });
}

/** Several statements as one: a DO block runs them in one transaction, so nobody sees a state in between. */
export function doBlock(statements: readonly string[]): string {
  if (statements.length === 1) return statements[0] as string;
  const body = ['BEGIN', ...statements.map((s) => `  ${s.replaceAll('\n', '\n  ')};`), 'END', ''].join('\n');
  const q = dollarQuote(body);
  return `DO ${q}\n${body}${q}`;
}
