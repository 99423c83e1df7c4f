// What reviewers read is what runs: a pull request shows migrations/NNNN_name/*.sql, `apply` runs the plan file.
// Before apply or rollback touches a database, the plan's SQL is rendered again (sql-files.ts, deterministic) and
// must equal the files on disk byte for byte: a file edited, missing or added by hand is refused, naming it.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SwitchyardError } from '../errors.js';
import { planBaseName } from './file.js';
import { sqlFiles } from './sql-files.js';
import type { Plan } from './types.js';
import { backfillStatement } from './backfill-statement.js';

/** A file under migrations/NNNN_name/ that is not what the plan renders. Exit 2: the input is wrong. */
export class PlanSqlMismatchError extends SwitchyardError {
  readonly file: string;
  constructor(file: string, problem: string, planName: string) {
    super(
      'PLAN_SQL_MISMATCH',
      `${file} ${problem}: the SQL reviewers read must be what the plan runs, so nothing was run\n` +
        `fix: restore ${file} from version control, or plan again (switchyard plan --name ${planName}) to write the plan and its SQL together`,
      2,
    );
    this.file = file;
  }
}

function firstDifference(a: string, b: string): number {
  const x = a.split('\n');
  const y = b.split('\n');
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return i + 1;
}

/** Throws PlanSqlMismatchError for the first file under `migrationsDir`/NNNN_name/ that differs from the plan. */
export async function checkPlanSql(plan: Plan, migrationsDir: string): Promise<void> {
  const dir = join(migrationsDir, planBaseName(plan));
  // The batches run from a step's backfill spec, the files show its sql: the two must be one statement.
  for (const r of plan.releases) {
    for (const s of [...r.expand, ...r.backfill, ...r.contract]) {
      if (s.backfill && s.sql !== backfillStatement(s.backfill)) {
        throw new PlanSqlMismatchError(
          `${planBaseName(plan)}.plan.yaml`,
          `step ${s.id}: its backfill batches (\`backfill:\`) are not the UPDATE its sql shows`,
          plan.name,
        );
      }
    }
  }
  const present = await readdir(dir).catch(() => undefined);
  const expected = sqlFiles(plan);
  if (present === undefined) {
    if (expected.length)
      throw new PlanSqlMismatchError(join(dir, expected[0]!.name), 'is missing (the folder does not exist)', plan.name);
    return;
  }
  for (const f of expected) {
    const path = join(dir, f.name);
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) throw new PlanSqlMismatchError(path, 'is missing', plan.name);
    if (text !== f.text)
      throw new PlanSqlMismatchError(path, `differs from the plan at line ${firstDifference(f.text, text)}`, plan.name);
  }
  const names = new Set(expected.map((f) => f.name));
  const extra = present.filter((f) => f.endsWith('.sql') && !names.has(f)).sort();
  if (extra.length)
    throw new PlanSqlMismatchError(
      join(dir, extra[0]!),
      'is not rendered from the plan (no phase of it has this name)',
      plan.name,
    );
}
