// From two snapshots to a plan: diff, validate every change, draft its steps, place them in releases and
// phases, order each phase by the dependency graph, then give steps ids, timeouts and costs.
import { diff, type Change } from '../diff/index.js';
import { SwitchyardError } from '../errors.js';
import { fingerprint } from '../schema/model/fingerprint.js';
import type { DatabaseSchema } from '../schema/model/model.js';
import { estimateCost, scorePlan, type TableStats } from './cost.js';
import { planChecksum } from './checksum.js';
import { orderSteps } from './graph.js';
import { handlerFor } from './registry.js';
import type { Extension } from '../introspect/extensions.js';
import type { CatalogDependency } from '../schema/model/dependencies.js';
import { type OrderedStep, UntrackedDependentError, untrackedDependents } from './dependents.js';
import type { SqlStep } from '../schema/model/sql-step.js';
import { describeKey } from './keys.js';
import {
  PHASES,
  type Phase,
  type Plan,
  type PlanContext,
  type PlanProblem,
  type Release,
  type Step,
  type StepDraft,
} from './types.js';

export interface PlanOptions {
  readonly name: string;
  readonly number: number;
  readonly server: { readonly version: string; readonly versionNum: number };
  /** Table sizes from the live database, for costs; absent when planning from a snapshot. */
  readonly stats?: TableStats;
  /** lock_timeout of every DDL step (default 2 s). */
  readonly lockTimeoutMs?: number;
  /** The source database's extensions, recorded for the rehearsal (left out when there are none). */
  readonly extensions?: readonly Extension[];
  /**
   * The source database's dependency edges (introspect/dependencies.ts). When given, a plan whose steps drop or
   * alter an object something outside the model depends on is refused (UntrackedDependentError). Absent when
   * the source is a snapshot without them: the caller says so.
   */
  readonly dependencies?: readonly CatalogDependency[];
  /** Raw SQL steps (`sql:` of the declared file) to plan: those the ledger does not record as run. */
  readonly sqlSteps?: readonly SqlStep[];
}

/** The change cannot be planned safely (code `PLAN_REFUSED`); each problem says what to do. */
export class PlanRefusedError extends SwitchyardError {
  readonly problems: readonly PlanProblem[];
  constructor(problems: readonly PlanProblem[]) {
    super(
      'PLAN_REFUSED',
      ['the plan cannot be made safely:', ...problems.map((p) => `  ${p.message} (fix: ${p.fix})`)].join('\n'),
      2,
    );
    this.problems = problems;
  }
}

const DEFAULT_LOCK_TIMEOUT_MS = 2_000;
/** Brief DDL that waits longer than this is stuck behind something; heavy steps get a budget from their cost. */
const BRIEF_STATEMENT_TIMEOUT_MS = 30_000;
const HEAVY_STATEMENT_TIMEOUT_MS = 3_600_000;

interface Drafted extends StepDraft {
  readonly change: Change;
}

export function buildPlan(from: DatabaseSchema, target: DatabaseSchema, o: PlanOptions): Plan {
  // The source database's extensions, read beside its model: what a declared `extensions:` is diffed against.
  const source = from.extensions === undefined && o.extensions ? { ...from, extensions: o.extensions } : from;
  const changes: Change[] = [
    ...diff(source, target),
    ...(o.sqlSteps ?? []).map((step): Change => ({ kind: 'run_sql', schema: '', step })),
  ];
  const ctx: PlanContext = { source, target, serverVersionNum: o.server.versionNum, newTables: newTables(changes) };
  const problems = changes.flatMap((c) => handlerFor(c.kind).validate(c, ctx));
  if (problems.length) throw new PlanRefusedError(problems);

  const drafted: Drafted[] = changes.flatMap((change) => {
    const h = handlerFor(change.kind);
    return [...h.expand(change, ctx), ...h.backfill(change, ctx), ...h.contract(change, ctx)].map((d) => ({
      ...d,
      change,
    }));
  });
  const late = lateRequirements(drafted);
  if (late.length) throw new PlanRefusedError(late);
  const releaseCount = drafted.reduce((m, d) => Math.max(m, d.releaseOffset + 1), drafted.length ? 1 : 0);
  const lockTimeoutMs = o.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const releases: Release[] = [];
  const ordered: OrderedStep[] = [];
  for (let r = 1; r <= releaseCount; r++) {
    const phases = {} as Record<Phase, Step[]>;
    for (const phase of PHASES) {
      const group = orderSteps(drafted.filter((d) => d.releaseOffset + 1 === r && d.phase === phase));
      phases[phase] = group.map((d, i) => {
        const step = toStep(d, r, phase, i + 1, lockTimeoutMs, o.stats);
        ordered.push({ ...step, ...(d.alters ? { alters: d.alters } : {}) });
        return step;
      });
    }
    releases.push({ number: r, ...phases });
  }
  if (o.dependencies) {
    const untracked = untrackedDependents(ordered, o.dependencies, source);
    if (untracked.length > 0) throw new UntrackedDependentError(untracked);
  }
  const withoutChecksum = {
    format: 1 as const,
    name: o.name,
    number: o.number,
    server: o.server,
    ...(o.extensions?.length ? { extensions: o.extensions } : {}),
    source: { fingerprint: fingerprint(source), snapshot: source },
    target: { fingerprint: fingerprint(target), snapshot: target },
    releases,
    score: scorePlan(releases, o.stats),
  };
  return { ...withoutChecksum, checksum: planChecksum(withoutChecksum) };
}

function toStep(
  d: Drafted,
  release: number,
  phase: Phase,
  seq: number,
  lockTimeoutMs: number,
  stats: TableStats | undefined,
): Step {
  const { releaseOffset: _r, costTable, change, alters: _a, ...rest } = d;
  const cost = costTable && stats ? estimateCost(costTable, stats) : undefined;
  const heavy = costTable !== undefined && costTable.work !== 'none';
  const statementTimeoutMs = heavy
    ? Math.max(HEAVY_STATEMENT_TIMEOUT_MS, Math.ceil((cost?.seconds ?? 0) * 10) * 1000)
    : BRIEF_STATEMENT_TIMEOUT_MS;
  return {
    id: `r${release}-${phase}-${String(seq).padStart(3, '0')}`,
    release,
    change: change.kind,
    ...rest,
    lockTimeoutMs,
    statementTimeoutMs,
    ...(cost ? { cost } : {}),
  };
}

/** Where a step runs, comparable: release, then phase. */
const position = (d: StepDraft): number => d.releaseOffset * PHASES.length + PHASES.indexOf(d.phase);

/**
 * A raw SQL step requiring an object the plan creates only in a later phase or release: ordering works within a
 * (release, phase), so the step would run before it. Generated steps never do this; declared ones may.
 */
function lateRequirements(drafted: readonly Drafted[]): PlanProblem[] {
  const created = new Map<string, Drafted>();
  for (const d of drafted) for (const k of d.creates) if (!created.has(k)) created.set(k, d);
  const problems: PlanProblem[] = [];
  for (const d of drafted) {
    if (d.change.kind !== 'run_sql') continue;
    for (const k of d.requires) {
      const c = created.get(k);
      if (c && position(c) > position(d))
        problems.push({
          change: d.change,
          message: `sql step ${d.change.step.name} (${d.phase}, release offset ${d.releaseOffset}) requires ${describeKey(k)}, which the plan creates later (${c.phase}, release offset ${c.releaseOffset}: ${c.description})`,
          fix: `move the sql step to ${c.phase}${c.releaseOffset ? ` with releaseOffset: ${c.releaseOffset}` : ''} or later`,
        });
    }
  }
  return problems;
}

function newTables(changes: readonly Change[]): ReadonlySet<string> {
  const out = new Set<string>();
  for (const c of changes) if (c.kind === 'add_table') out.add(`${c.schema}.${c.table}`);
  return out;
}

/** Every step of the plan in execution order. */
export function allSteps(plan: Pick<Plan, 'releases'>): Step[] {
  return plan.releases.flatMap((r) => PHASES.flatMap((p) => r[p]));
}
