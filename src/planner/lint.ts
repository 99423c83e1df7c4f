// `switchyard lint`: hazards that are not allowed, and the structural rules of reference/postgres-ddl-risk.md
// re-checked on the plan file (a plan is data; these rules guard it whatever produced it).
import { identifierBytes, MAX_IDENTIFIER_BYTES, qualified, withoutLiterals } from '../db/quote.js';
import { stepsOf } from './show/summary.js';
import { HAZARDS, type Hazard, type Plan, type Step } from './types.js';

/** Hazards every plan may carry: brief locks under lock_timeout, concurrent builds, validations, user SQL. */
export const DEFAULT_ALLOWED_HAZARDS: readonly Hazard[] = [
  'ACCESS_EXCLUSIVE_LOCK',
  'CORRECTNESS',
  'FULL_SCAN',
  'INDEX_BUILD',
  'USER_SQL',
];

export interface LintFinding {
  readonly rule: string;
  readonly severity: 'error' | 'warning';
  readonly step?: string;
  readonly message: string;
  readonly fix: string;
}

/** The plan's lint findings and the hazards that were allowed; `ok` is false when a finding is not allowed. */
export interface LintResult {
  readonly ok: boolean;
  readonly allowed: readonly Hazard[];
  readonly findings: readonly LintFinding[];
}

export function isHazard(h: string): h is Hazard {
  return (HAZARDS as readonly string[]).includes(h);
}

export function lintPlan(plan: Plan, allow: readonly Hazard[] = []): LintResult {
  const allowed = [...new Set([...DEFAULT_ALLOWED_HAZARDS, ...allow])].sort();
  const steps = stepsOf(plan);
  const findings: LintFinding[] = [];
  const newTables = new Set(
    steps.filter((s) => s.action === 'create_table').flatMap((s) => s.creates.filter((k) => k.startsWith('table:'))),
  );
  for (const s of steps) {
    for (const h of s.hazards) {
      // USER_SQL is allowed by default for expressions (up, down, backfill, check); a raw SQL step runs whole
      // statements nobody generated, so it needs the operator's word (--allow-hazard USER_SQL, allowHazards:).
      const raw = h === 'USER_SQL' && s.action === 'run_sql' && !allow.includes('USER_SQL');
      if (!allowed.includes(h) || raw)
        findings.push({
          rule: 'hazard',
          severity: 'error',
          step: s.id,
          message: raw ? `${h} (a raw SQL step, never allowed by default): ${s.description}` : `${h}: ${s.description}`,
          fix: `allow it with --allow-hazard ${h} (or allowHazards in switchyard.yaml) once reviewed`,
        });
    }
    findings.push(...structural(s, newTables));
  }
  findings.push(...identifiers(plan), ...typeHygiene(plan));
  return { ok: !findings.some((f) => f.severity === 'error'), allowed, findings };
}

function structural(s: Step, newTables: ReadonlySet<string>): LintFinding[] {
  const out: LintFinding[] = [];
  const e = (rule: string, message: string, fix: string) =>
    out.push({ rule, severity: 'error', step: s.id, message, fix });
  if (!(s.lockTimeoutMs > 0) || !(s.statementTimeoutMs > 0))
    e(
      'timeouts',
      `${s.description} has no lock_timeout or statement_timeout`,
      'plan again; every DDL step carries both',
    );
  const sql = s.sql.toUpperCase();
  const existing = !s.requires.some((k) => newTables.has(k)) || s.lockedTables.length > 0;
  if (cascades([s.sql, ...s.rollback]))
    e('no-cascade', `${s.description} uses CASCADE`, 'drop dependents explicitly, in dependency order');
  if (/^CREATE (UNIQUE )?INDEX (?!CONCURRENTLY)/.test(sql) && existing && s.lockedTables.length > 0)
    e(
      'concurrent-index',
      `${s.description} builds an index without CONCURRENTLY on an existing table`,
      'use CREATE INDEX CONCURRENTLY',
    );
  if (/^DROP INDEX (?!CONCURRENTLY)/.test(sql) && s.lockedTables.length > 0)
    e('concurrent-index', `${s.description} drops an index without CONCURRENTLY`, 'use DROP INDEX CONCURRENTLY');
  if (
    /ADD CONSTRAINT .* (CHECK|FOREIGN KEY)/.test(sql) &&
    !/NOT VALID\s*$/.test(sql) &&
    s.lockedTables.length > 0 &&
    !altersNewTable(s, newTables)
  )
    e(
      'not-valid',
      `${s.description} adds a constraint that scans the table under lock`,
      'add it NOT VALID, then VALIDATE in a later step',
    );
  if (/CONCURRENTLY/.test(withoutLiterals(sql)) && s.transactional)
    e(
      'non-transactional',
      `${s.description} runs CONCURRENTLY inside a transaction`,
      'mark the step non-transactional',
    );
  return out;
}

/**
 * CASCADE as a drop's (or TRUNCATE's) option, which takes dependents along unseen. A foreign key's own
 * referential action (ON DELETE CASCADE, ON UPDATE CASCADE) is part of its definition, not that; neither is the
 * word inside a string literal or a quoted identifier.
 */
function cascades(statements: readonly string[]): boolean {
  const text = statements
    .join('\n')
    .replace(/'[^']*'/g, "''")
    .replace(/"[^"]*"/g, '""')
    .toUpperCase();
  return /\bCASCADE\b/.test(text.replace(/\bON\s+(DELETE|UPDATE)\s+CASCADE\b/g, ''));
}

/**
 * The step's ALTER TABLE is on a table this plan creates: empty, so a constraint added to it valid scans
 * nothing (add_foreign_key from a new table locks only the existing table it references).
 */
function altersNewTable(s: Step, newTables: ReadonlySet<string>): boolean {
  for (const k of newTables) {
    const [schema, table] = k.slice('table:'.length).split('\u001f') as [string, string];
    if (s.sql.startsWith(`ALTER TABLE ${qualified(schema, table)} `)) return true;
  }
  return false;
}

function identifiers(plan: Plan): LintFinding[] {
  const out: LintFinding[] = [];
  for (const sc of plan.target.snapshot.schemas) {
    const names = [
      sc.name,
      ...sc.tables.flatMap((t) => [
        t.name,
        ...t.columns.map((c) => c.name),
        ...t.indexes.map((i) => i.name),
        ...t.unique.map((u) => u.name),
        ...t.foreignKeys.map((f) => f.name),
        ...t.checks.map((c) => c.name),
      ]),
    ];
    for (const n of names) {
      if (identifierBytes(n) > MAX_IDENTIFIER_BYTES)
        out.push({
          rule: 'identifier-length',
          severity: 'error',
          message: `"${n}" is ${identifierBytes(n)} bytes; PostgreSQL truncates names to 63`,
          fix: 'shorten the name',
        });
    }
  }
  return out;
}

function typeHygiene(plan: Plan): LintFinding[] {
  const out: LintFinding[] = [];
  const w = (message: string, fix: string) => out.push({ rule: 'type-hygiene', severity: 'warning', message, fix });
  for (const sc of plan.target.snapshot.schemas) {
    for (const t of sc.tables) {
      for (const c of t.columns) {
        const where = `${sc.name}.${t.name}.${c.name}`;
        if (c.type === 'json') w(`${where} is json`, 'prefer jsonb');
        if (/^character\(/.test(c.type)) w(`${where} is ${c.type}`, 'prefer text (with a check if the length matters)');
        if (c.type === 'timestamp without time zone')
          w(`${where} is timestamp without time zone`, 'prefer timestamp with time zone');
        if (c.default?.startsWith('nextval('))
          w(`${where} takes its default from a sequence (serial)`, 'prefer an identity column');
        if (c.type === 'integer' && t.primaryKey?.columns.includes(c.name))
          w(`${where} is an integer key`, 'prefer bigint keys');
      }
    }
  }
  return out;
}
