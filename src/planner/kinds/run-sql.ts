// run_sql: a raw SQL step declared under `sql:`, for what the model cannot express. Each statement is a step
// of its own (one statement per call, recorded in the ledger one by one), chained so they keep their order;
// the first requires what the step requires, the last creates what it creates. The lock is unknown, so it is
// assumed ACCESS EXCLUSIVE on every table the step requires, itself or through a column, constraint or
// trigger. Flagged USER_SQL, which `lint` and `apply` refuse for raw SQL unless allowed explicitly; a step
// without rollback is also IRREVERSIBLE.
import type { RunSql } from '../../diff/index.js';
import type { SqlObjectRef } from '../../schema/model/sql-step.js';
import { draft } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, ObjectKey, Phase, StepDraft } from '../types.js';

export function sqlObjectKey(r: SqlObjectRef): ObjectKey {
  const [a = '', b = '', c = ''] = r.names;
  switch (r.kind) {
    case 'schema':
      return key.schema(a);
    case 'type':
      return key.type(a, b);
    case 'sequence':
      return key.sequence(a, b);
    case 'function':
      return key.function(a, b, r.args ?? '');
    case 'table':
      return key.table(a, b);
    case 'column':
      return key.column(a, b, c);
    case 'index':
      return key.index(a, b);
    case 'constraint':
      return key.constraint(a, b, c);
    case 'trigger':
      return key.trigger(a, b, c);
  }
}

/** One line of a statement for descriptions. */
function gist(sql: string): string {
  const s = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function steps(c: RunSql, phase: Phase): StepDraft[] {
  const { step } = c;
  if (step.phase !== phase) return [];
  const n = step.statements.length;
  // The tables it names, itself or through a column, constraint or trigger on them.
  const onTable = step.requires.filter((r) => ['table', 'column', 'constraint', 'trigger'].includes(r.kind));
  const tables = [...new Set(onTable.map((r) => JSON.stringify([r.names[0], r.names[1]])))].map(
    (t) => JSON.parse(t) as [string, string],
  );
  return step.statements.map((s, i) => {
    const k = i + 1;
    const d = draft({
      phase,
      releaseOffset: step.releaseOffset,
      action: 'run_sql',
      description: `sql step ${step.name}${n > 1 ? ` (statement ${k} of ${n})` : ''}: ${gist(s.sql)}`,
      sql: s.sql,
      rollback: s.rollback,
      lock: 'ACCESS EXCLUSIVE',
      locks: tables,
      transactional: s.transactional,
      hazards: ['USER_SQL', ...(step.irreversible ? (['IRREVERSIBLE'] as const) : [])],
      creates: [key.sqlStatement(step.name, k), ...(k === n ? step.creates.map(sqlObjectKey) : [])],
      requires: k === 1 ? step.requires.map(sqlObjectKey) : [key.sqlStatement(step.name, k - 1)],
    });
    return { ...d, sqlStep: step.name };
  });
}

export const runSqlHandler: Handler<RunSql> = {
  validate: () => [],
  expand: (c) => steps(c, 'expand'),
  backfill: (c) => steps(c, 'backfill'),
  contract: (c) => steps(c, 'contract'),
};
