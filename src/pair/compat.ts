// Which expand steps may run on the standby while live keeps replicating into it (DESIGN.md, "How a release
// moves (pair mode)"; shared/reference/logical-replication.md). The apply worker matches tables and columns by
// name, fills columns live does not send with their defaults, and checks every row it applies against the
// standby's NOT NULL, CHECK (NOT VALID ones too) and unique constraints: one row that fails stops replication
// until someone intervenes. Foreign keys are triggers, which the worker does not fire, so they never fail it.
// A table live does not have (new in this plan) receives nothing and is free.
import { SwitchyardError } from '../errors.js';
import type { Plan, Step } from '../planner/types.js';
import { qualified } from '../db/quote.js';

export const COMPAT_RULES = [
  'rename',
  'drop',
  'type-in-place',
  'not-null-column',
  'constraint',
  'unique',
  'sync-trigger',
] as const;
export type CompatRule = (typeof COMPAT_RULES)[number];

export interface CompatProblem {
  readonly step: string;
  readonly action: string;
  readonly rule: CompatRule;
  readonly message: string;
  readonly fix: string;
}

export class NotReplicationCompatibleError extends SwitchyardError {
  readonly problems: readonly CompatProblem[];
  constructor(planPath: string, phase: string, problems: readonly CompatProblem[]) {
    super(
      'NOT_REPLICATION_COMPATIBLE',
      `refused: ${problems.length} step${problems.length === 1 ? '' : 's'} of ${phase} in ${planPath} would break replication from the live side to the standby; nothing was run:\n` +
        problems.map((p) => `  ${p.step} (${p.action}): ${p.message}\n    fix: ${p.fix}`).join('\n'),
      1,
    );
    this.problems = problems;
  }
}

/** `kind:part\u001fpart...` (planner/keys.ts) split into its kind and parts. */
function parseKey(k: string): { kind: string; parts: string[] } {
  const i = k.indexOf(':');
  return { kind: k.slice(0, i), parts: k.slice(i + 1).split('\u001f') };
}

const ENABLED_ALWAYS = 'enabled_always:';
const ALTER_TYPE = /\bALTER\s+COLUMN\s+(?:"(?:[^"]|"")+"|[^\s"]+)\s+(?:SET\s+DATA\s+)?TYPE\b/i;
// A constraint's name is no part of what replication matches (a same-name replacement renames constraints).
const RENAME = /^\s*ALTER\s+TABLE\b[\s\S]*\bRENAME\b(?!\s+CONSTRAINT\b)/i;
const UNIQUE_INDEX =
  /\bCREATE\s+UNIQUE\s+INDEX\b|\bADD\s+(?:CONSTRAINT\s+(?:"(?:[^"]|"")+"|\S+)\s+)?(?:UNIQUE|PRIMARY\s+KEY)\b/i;
const CHECK = /\bADD\s+(?:CONSTRAINT\s+(?:"(?:[^"]|"")+"|\S+)\s+)?CHECK\b|\bSET\s+NOT\s+NULL\b/i;
/** Changes whose unique index is a copy of one the old column already has (the two-column recipe). */
const COPIES = new Set(['rename_column', 'alter_column_type']);

/** What live publishes, as the plan saw it: every table and column of its source snapshot. */
function replicated(plan: Plan) {
  const tables = new Set<string>();
  const columns = new Set<string>();
  for (const s of plan.source.snapshot.schemas) {
    for (const t of s.tables) {
      tables.add(qualified(s.name, t.name));
      for (const c of t.columns) columns.add(`${qualified(s.name, t.name)}.${c.name}`);
    }
  }
  return {
    table: (schema: string, table: string) => tables.has(qualified(schema, table)),
    column: (schema: string, table: string, column: string) => columns.has(`${qualified(schema, table)}.${column}`),
    locked: (step: Step) => step.lockedTables.find((t) => tables.has(t)),
  };
}

/** The problems of one step, first rule that applies (one finding per step is enough to act on). */
function stepProblem(
  step: Step,
  phase: readonly Step[],
  live: ReturnType<typeof replicated>,
): Omit<CompatProblem, 'step' | 'action'> | undefined {
  const table = live.locked(step);
  const droppedKeys = step.drops.map(parseKey);
  if (step.action === 'rename_table' || step.action === 'rename_column' || (table && RENAME.test(step.sql))) {
    return {
      rule: 'rename',
      message: `renames ${table ?? 'a replicated table or column'}: replication matches tables and columns by name, so live's rows would stop arriving`,
      fix: 'declare a column rename with `renamedFrom` (the planner keeps the old column and derives the new one by a trigger); rename a table only after cutover, in a plan of its own applied on the live side',
    };
  }
  const dropped = droppedKeys.find(
    (k) =>
      (k.kind === 'table' && live.table(k.parts[0]!, k.parts[1]!)) ||
      (k.kind === 'column' && live.column(k.parts[0]!, k.parts[1]!, k.parts[2]!)),
  );
  if (dropped) {
    return {
      rule: 'drop',
      message: `drops ${dropped.kind} ${dropped.parts.join('.')}, which live still publishes: the next row carrying it stops replication`,
      fix: 'drops belong to contract, which runs on the live side after cutover: plan the drop in a later release',
    };
  }
  if (!table) return undefined;
  if (ALTER_TYPE.test(step.sql)) {
    return {
      rule: 'type-in-place',
      message: `changes a column type of ${table} in place: live's values arrive through their text form, and after cutover the new type's values travel back to the old side, where they may not fit`,
      fix: 'change the type with the two-column recipe (a new column with `renamedFrom`, `up` and `down`), or apply this plan with --db to each database outside the pair',
    };
  }
  const derived = step.requires.some((k) => k.startsWith(ENABLED_ALWAYS));
  if (
    (step.action === 'add_column' || step.action === 'add_shadow_column') &&
    /\bNOT\s+NULL\b/i.test(step.sql) &&
    !/\b(DEFAULT|GENERATED)\b/i.test(step.sql)
  ) {
    return {
      rule: 'not-null-column',
      message: `adds a NOT NULL column without a default to ${table}: rows live inserts do not carry it, so the standby refuses them and replication stops`,
      fix: 'give the new column a default, or make it nullable (NOT NULL comes in contract)',
    };
  }
  if (UNIQUE_INDEX.test(step.sql) && !COPIES.has(step.change)) {
    return {
      rule: 'unique',
      message: `makes values of ${table} unique: the standby checks every replicated row against it, and one duplicate the old application writes on live stops replication`,
      fix: 'add the unique constraint in a plan applied on the live side after cutover, once the old application version is gone',
    };
  }
  if (CHECK.test(step.sql) && !derived) {
    return {
      rule: 'constraint',
      message: `adds a constraint on ${table} that the standby checks on every row replication applies (NOT VALID only skips existing rows): one row the old application writes on live that violates it stops replication`,
      fix: 'give a new NOT NULL column a default or a `backfill:` (its trigger fills replicated rows); add other checks in a plan applied on the live side after cutover',
    };
  }
  if (step.action === 'create_sync_trigger') {
    const always = step.creates.map((k) => ENABLED_ALWAYS + k);
    if (!phase.some((s) => s.creates.some((k) => always.includes(k)))) {
      return {
        rule: 'sync-trigger',
        message: `creates a sync trigger on ${table} that is not made ENABLE ALWAYS in this phase: it would not fire for replicated rows, which would arrive without their derived column`,
        fix: 'plan again: the planner follows every sync trigger with ALTER TABLE ... ENABLE ALWAYS TRIGGER',
      };
    }
  }
  return undefined;
}

/**
 * What keeps `steps` (one phase, in order) from running on the standby while live replicates into it; empty
 * when they may. The objects live publishes are those of the plan's source snapshot.
 */
export function replicationProblems(plan: Plan, steps: readonly Step[]): CompatProblem[] {
  const live = replicated(plan);
  return steps.flatMap((step) => {
    const p = stepProblem(step, steps, live);
    return p ? [{ step: step.id, action: step.action, ...p }] : [];
  });
}
