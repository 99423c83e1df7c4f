// Rendered SQL of a plan, up and down for each release and phase, runnable with `psql -v ON_ERROR_STOP=1 -f`.
// The plan file stays the source of truth; these are for review and for teams that run SQL by other means.
import { PHASES, type Phase, type Plan, type Step } from './types.js';

export interface SqlFile {
  readonly name: string;
  readonly text: string;
}

function header(plan: Plan, release: number, phase: Phase, direction: 'up' | 'down'): string {
  return [
    `-- switchyard plan ${String(plan.number).padStart(4, '0')}_${plan.name}: release ${release}, ${phase} (${direction})`,
    `-- plan checksum ${plan.checksum}`,
    '-- Generated from the plan file; do not edit. Statements marked "outside a transaction" must not be wrapped',
    '-- in BEGIN/COMMIT. Each statement carries its own lock_timeout and statement_timeout.',
    '',
  ].join('\n');
}

function stepComment(s: Step, what: string): string {
  const flags = [`lock: ${s.lock}`, `hazards: ${s.hazards.length ? s.hazards.join(', ') : 'none'}`];
  if (!s.transactional) flags.push('outside a transaction');
  return `-- ${s.id} ${what}: ${s.description}\n--   ${flags.join('; ')}\n`;
}

function timeouts(s: Step): string {
  return `SET lock_timeout = '${s.lockTimeoutMs}ms';\nSET statement_timeout = '${s.statementTimeoutMs}ms';\n`;
}

export function upSql(plan: Plan, release: number, phase: Phase, steps: readonly Step[]): string {
  const body = steps.map((s) => {
    const batch = s.backfill ? '-- runs in keyset batches under `switchyard apply`; as one statement:\n' : '';
    return `${stepComment(s, s.action) + batch + timeouts(s) + s.sql};\n`;
  });
  return header(plan, release, phase, 'up') + body.join('\n');
}

export function downSql(plan: Plan, release: number, phase: Phase, steps: readonly Step[]): string {
  const body = [...steps]
    .reverse()
    .map((s) =>
      s.rollback.length === 0
        ? `${stepComment(s, 'rollback')}-- ${s.hazards.includes('IRREVERSIBLE') ? 'IRREVERSIBLE: declared without rollbackSql, its effect stays' : 'nothing to undo'}\n`
        : stepComment(s, 'rollback') + timeouts(s) + s.rollback.map((r) => `${r};\n`).join(''),
    );
  return header(plan, release, phase, 'down') + body.join('\n');
}

/** `r1-expand.up.sql`, `r1-expand.down.sql`, ... for every phase that has steps. */
export function sqlFiles(plan: Plan): SqlFile[] {
  const files: SqlFile[] = [];
  for (const r of plan.releases) {
    for (const phase of PHASES) {
      const steps = r[phase];
      if (steps.length === 0) continue;
      files.push({ name: `r${r.number}-${phase}.up.sql`, text: upSql(plan, r.number, phase, steps) });
      files.push({ name: `r${r.number}-${phase}.down.sql`, text: downSql(plan, r.number, phase, steps) });
    }
  }
  return files;
}
