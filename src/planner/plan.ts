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

export function buildPlan(source: DatabaseSchema, target: DatabaseSchema, o: PlanOptions): Plan {
  const changes = diff(source, target);
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
  const releaseCount = drafted.reduce((m, d) => Math.max(m, d.releaseOffset + 1), drafted.length ? 1 : 0);
  const lockTimeoutMs = o.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const releases: Release[] = [];
  for (let r = 1; r <= releaseCount; r++) {
    const phases = {} as Record<Phase, Step[]>;
    for (const phase of PHASES) {
      const group = orderSteps(drafted.filter((d) => d.releaseOffset + 1 === r && d.phase === phase));
      phases[phase] = group.map((d, i) => toStep(d, r, phase, i + 1, lockTimeoutMs, o.stats));
    }
    releases.push({ number: r, ...phases });
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
  const { releaseOffset: _r, costTable, change, ...rest } = d;
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

function newTables(changes: readonly Change[]): ReadonlySet<string> {
  const out = new Set<string>();
  for (const c of changes) if (c.kind === 'add_table') out.add(`${c.schema}.${c.table}`);
  return out;
}

/** Every step of the plan in execution order. */
export function allSteps(plan: Pick<Plan, 'releases'>): Step[] {
  return plan.releases.flatMap((r) => PHASES.flatMap((p) => r[p]));
}
