// apply, rollback, status: running a plan on a database.
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type {
  ApplyResult,
  DryRunResult,
  PairPlace,
  RollbackResult,
  TenantAllResult,
  TenantRunResult,
} from '../../commands/apply.js';
import type { StatusResult } from '../../commands/status.js';
import { duration } from '../../planner/show/summary.js';
import { HAZARDS } from '../../planner/types.js';
import { ident } from '../../db/quote.js';
import type { CliIO, Colors } from '../io.js';
import { context, examples, noticeNotModeled, STRICT_OPTION, wholeNumber } from './context.js';
import type { SetExit } from './context.js';
import { METRICS_PORT_OPTION, watched, watchedOutput } from './watch.js';

const collect = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

interface ExecFlags {
  db?: string;
  release?: number;
  phase?: string;
  all?: boolean;
  dryRun: boolean;
  skipRehearsal?: boolean;
  allowHazard?: string[];
  yes?: boolean;
  tenants?: string[];
  /** --tenants-file: names read from a file, joined to --tenants. */
  tenantsFile?: string[];
  concurrency?: number;
  onError?: 'continue' | 'abort';
  shard?: string;
  strict?: boolean;
  metricsPort?: number;
}

/** --tenants and --tenants-file as one list of names. */
function tenantNames(o: ExecFlags): ExecFlags {
  if (o.tenantsFile === undefined) return o;
  const { tenantsFile, ...rest } = o;
  return { ...rest, tenants: [...(o.tenants ?? []), ...tenantsFile] };
}

/** Names one per line, exactly as written but for the line ending; blank lines skipped. */
function readNames(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const names = text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
  if (!names.length) throw new InvalidArgumentError(`${file} names no tenant`);
  return names;
}

/** A tenant run printed; a tenant that failed or was not started makes the exit 1. */
function reportTenantRun(ctx: ReturnType<typeof context>, t: TenantRunResult, setExit: SetExit): void {
  noticeNotModeled(ctx, t.notModeled);
  ctx.print(t, () => printTenantRun(t, ctx.c));
  if (t.outcomes.some((x) => x.state === 'failed') || t.notStarted.length) setExit(1);
}

function tenantOptions(cmd: Command): Command {
  return cmd
    .option(
      '--tenants <names>',
      'tenant schemas: all (the default for a plan with tenants) or a comma-separated list',
      collect,
    )
    .option(
      '--tenants-file <file>',
      'tenant schemas, one name per line as it is (for names holding commas or spaces); - reads standard input',
      (file: string, prev: string[] = []) => [...prev, ...readNames(file)],
    )
    .option('--concurrency <n>', 'tenants migrated at once, one connection each (default 4)', wholeNumber)
    .option(
      '--on-error <mode>',
      'when a tenant fails: continue with the others (default) or abort (finish the running ones, start no more)',
      (v: string) => {
        if (v !== 'continue' && v !== 'abort') throw new InvalidArgumentError('expected continue or abort');
        return v;
      },
    )
    .option('--shard <i/n>', 'only the tenants of shard I of N (stable by name), so N jobs can share a fleet');
}

function printTenantRun(r: TenantRunResult, c: Colors): string {
  const count = (s: string) => r.outcomes.filter((x) => x.state === s).length;
  const verb = r.verb === 'apply' ? 'applied' : 'rolled back';
  const out = [
    `${count('failed') || r.notStarted.length ? c.yellow(verb) : c.green(verb)} ${r.phase} (release ${r.release}) of ${r.plan}${on(r.pair)} on ${r.database}: ` +
      `${r.outcomes.length + r.notStarted.length} tenant(s) in ${duration(r.ms)}: ${count('done')} done, ${count('skipped')} already ${r.verb === 'apply' ? 'done' : 'undone'}, ${count('failed')} failed, ${r.notStarted.length} not started; ${r.shared} shared step(s)`,
  ];
  for (const n of r.notices) out.push(`${c.yellow('note')}: ${n}`);
  const failed = r.outcomes.filter((x) => x.state === 'failed');
  if (failed.length)
    out.push(
      c.red(`failed tenants (${failed.length}):`),
      ...failed.map((f) => `  ${ident(f.tenant)}: ${f.error ?? ''}`),
    );
  if (r.notStarted.length) out.push(`not started (--on-error abort): ${r.notStarted.join(', ')}`);
  if (failed.length || r.notStarted.length)
    out.push('fix the failures, then run the same command again: tenants already done are skipped');
  else if (r.complete) out.push(c.green(`plan ${r.plan} is fully applied on every tenant`));
  return `${out.join('\n')}\n`;
}

/** `apply --all` over tenants: each phase's summary, and where the walk stopped. */
function printTenantAll(r: TenantAllResult, c: Colors): string {
  const out = r.runs.map((t) => printTenantRun(t, c).trimEnd());
  if (r.runs.length === 0) out.push(`${c.green('nothing to do')}: plan ${r.plan} has no step`);
  if (r.stoppedAt)
    out.push(
      c.yellow(
        `stopped after release ${r.stoppedAt.release} ${r.stoppedAt.phase}: the next phase starts only once every tenant finished this one`,
      ),
    );
  return `${out.join('\n')}\n`;
}

/** ` on green (standby)` when the command ran on a side of the pair. */
const on = (p: PairPlace | undefined) => (p ? ` on ${p.side} (${p.role})` : '');

function printDryRun(r: DryRunResult, c: Colors, verb: string): string {
  const out: string[] = [
    `-- ${verb} ${r.plan}${on(r.pair)}${r.database ? ` on ${r.database}` : ''}: dry run, nothing was sent`,
  ];
  for (const n of r.notices) out.push(...n.split('\n').map((l) => `-- ${l}`));
  if (r.phases.every((p) => p.steps.length === 0)) out.push('-- nothing to do');
  for (const p of r.phases) {
    out.push('', `-- ${p.phase} (release ${p.release})`);
    for (const s of p.steps)
      out.push(
        `-- step ${s.id}${s.tenant !== undefined ? ` (tenant ${ident(s.tenant)})` : ''}`,
        ...s.sql.map((q) => (q.startsWith('--') ? c.dim(q) : q.endsWith(';') ? q : `${q};`)),
      );
  }
  return `${out.join('\n')}\n`;
}

export function registerExecuteCommands(program: Command, io: CliIO, setExit: SetExit): void {
  tenantOptions(program.command('apply'))
    .description('run a phase of a plan (or every remaining phase with --all) on the database, resumably')
    .argument('<plan>', 'plan file (plans/NNNN_name.plan.yaml)')
    .option('--db <url>', 'database URL (default: switchyard.yaml, DATABASE_URL, PG* variables)')
    .option('--release <n>', 'release number', wholeNumber)
    .option('--phase <phase>', 'expand, backfill or contract')
    .option(
      '--all',
      'every remaining phase in order (development and rehearsal databases); with tenants, phase by phase across the fleet; with environment: production in switchyard.yaml, only with --yes',
      false,
    )
    .option('--dry-run', 'print exactly the SQL that would run, and run nothing', false)
    .option('--skip-rehearsal', 'apply without a passing rehearsal report for this plan (not recommended)', false)
    .option(
      '--allow-hazard <hazard>',
      `allow a hazard (repeatable or comma-separated): ${HAZARDS.join(', ')}`,
      collect,
      [] as string[],
    )
    .option(
      '--yes',
      'on a pair: run contract on the live side, ending the cutback window for the release; with environment: production: confirm --all',
      false,
    )
    .option(...STRICT_OPTION)
    .option(...METRICS_PORT_OPTION)
    .addHelpText(
      'after',
      examples([
        'switchyard apply plans/0001_add_tiers.plan.yaml --release 1 --phase expand',
        'switchyard apply plans/0002_tenant_notes.plan.yaml --release 1 --phase expand --tenants all --concurrency 8',
        'switchyard apply plans/0002_tenant_notes.plan.yaml --release 1 --phase expand --tenants tenant_acme,tenant_globex',
        'switchyard apply plans/0002_tenant_notes.plan.yaml --release 1 --phase expand --shard 2/4   # job 2 of 4',
        'switchyard apply plans/0002_tenant_notes.plan.yaml --release 1 --phase expand --tenants-file retry.txt   # one name per line',
        'switchyard apply plans/0001_add_tiers.plan.yaml --release 1 --phase backfill --dry-run',
        'switchyard apply plans/0001_add_tiers.plan.yaml --all --db postgres://app@127.0.0.1/app_dev',
        'switchyard apply plans/0001_add_tiers.plan.yaml --all --yes   # environment: production (a terminal is asked instead)',
        'switchyard apply plans/0002_tenant_notes.plan.yaml --all   # every phase, each finished on every tenant before the next',
        '',
        'switchyard apply plans/0001_add_tiers.plan.yaml --release 1 --phase contract --yes   # on a pair: on live, after cutover',
        '',
        'With `pair:` in switchyard.yaml (and no --db), expand and backfill run on the standby, contract on live.',
        "A plan with tenants runs the template's steps on every tenant schema (--tenants), shared schemas once.",
        'Killed or interrupted? Run the same command again: the ledger knows what finished.',
      ]),
    )
    .action(async (plan: string, o: ExecFlags, cmd: Command) => {
      const ctx = context(cmd, io);
      const config = await ctx.config();
      const { rep, ...live } = watchedOutput(io, ctx.c, ctx.json, config, o.dryRun ? undefined : o.metricsPort);
      // environment: production asks for --yes before --all; someone at a terminal may give it here instead.
      if (o.all && !o.yes && !o.dryRun && !ctx.json && config.environment === 'production' && io.confirm)
        o.yes = await io.confirm(
          `${plan}: run every remaining phase back to back, contracts included, on this production database?`,
        );
      let r: ApplyResult | DryRunResult | TenantRunResult | TenantAllResult;
      try {
        const { executeCommand } = await import('../../commands/apply.js');
        const { metricsPort, ...flags } = tenantNames(o);
        r = await watched(
          io,
          ctx.json,
          config,
          { db: o.db, plan, metricsPort, onEvent: rep.onEvent, off: o.dryRun, ...live },
          (onEvent) => executeCommand(config, { plan, ...flags, onEvent }, 'apply'),
        );
      } finally {
        rep.close();
      }
      if ('outcomes' in r) return reportTenantRun(ctx, r, setExit);
      if ('runs' in r) {
        const all = r;
        ctx.print(all, () => printTenantAll(all, ctx.c));
        if (all.stoppedAt) setExit(1);
        return;
      }
      if ('notices' in r) {
        const dry = r;
        return ctx.print(dry, () => printDryRun(dry, ctx.c, 'apply'));
      }
      const a = r;
      noticeNotModeled(ctx, a.notModeled);
      ctx.print(a, () => {
        if (a.phases.length === 0)
          return `${ctx.c.green('nothing to do')}: ${a.complete ? `plan ${a.plan} is fully applied on ${a.database}` : `that phase is already applied${on(a.pair)}`}\n${a.next ? `next: ${a.next}\n` : ''}`;
        const lines = a.phases.map(
          (p) =>
            `${ctx.c.green('applied')} ${p.phase} (release ${p.release})${on(a.pair)}: ${p.ran} step(s) run, ${p.skipped} already done, ${p.retries} lock retr${p.retries === 1 ? 'y' : 'ies'}, ${duration(p.ms)}`,
        );
        return (
          lines.join('\n') +
          '\n' +
          (a.complete ? `plan ${a.plan} is fully applied on ${a.database}\n` : a.next ? `next: ${a.next}\n` : '')
        );
      });
    });

  tenantOptions(program.command('rollback'))
    .description('undo one phase of a plan (steps in reverse order, each with its rehearsed rollback)')
    .argument('<plan>', 'plan file')
    .option('--db <url>', 'database URL (default: switchyard.yaml, DATABASE_URL, PG* variables)')
    .option('--release <n>', 'release number', wholeNumber)
    .option('--phase <phase>', 'expand, backfill or contract')
    .option('--dry-run', 'print exactly the SQL that would run, and run nothing', false)
    .option(...METRICS_PORT_OPTION)
    .addHelpText(
      'after',
      examples([
        'switchyard rollback plans/0001_add_tiers.plan.yaml --release 1 --phase expand',
        'switchyard rollback plans/0001_add_tiers.plan.yaml --release 1 --phase contract --dry-run',
        'switchyard rollback plans/0002_tenant_notes.plan.yaml --release 1 --phase expand --tenants tenant_acme',
      ]),
    )
    .action(async (plan: string, o: ExecFlags, cmd: Command) => {
      const ctx = context(cmd, io);
      const config = await ctx.config();
      const { rep, ...live } = watchedOutput(io, ctx.c, ctx.json, config, o.dryRun ? undefined : o.metricsPort);
      let r: RollbackResult | DryRunResult | TenantRunResult;
      try {
        const { executeCommand } = await import('../../commands/apply.js');
        const { metricsPort, ...flags } = tenantNames(o);
        r = await watched(
          io,
          ctx.json,
          config,
          { db: o.db, plan, metricsPort, onEvent: rep.onEvent, off: o.dryRun, ...live },
          (onEvent) => executeCommand(config, { plan, ...flags, onEvent }, 'rollback'),
        );
      } finally {
        rep.close();
      }
      if ('outcomes' in r) return reportTenantRun(ctx, r, setExit);
      if ('notices' in r) {
        const dry = r;
        return ctx.print(dry, () => printDryRun(dry, ctx.c, 'rollback'));
      }
      const b = r;
      ctx.print(b, () =>
        b.ran === 0
          ? `${ctx.c.green('nothing to do')}: ${b.phase} (release ${b.release}) of ${b.plan} has no applied step${on(b.pair)}\n`
          : `${ctx.c.green('rolled back')} ${b.phase} (release ${b.release}) of ${b.plan}${on(b.pair)}: ${b.ran} step(s) undone in ${duration(b.ms)}\n`,
      );
    });

  program
    .command('status')
    .description(
      'where plans stand on the database: every phase, interrupted or failed steps, what to run next (before a contract, the application deploy its release notes ask for: `show` lists them)',
    )
    .argument('[plan]', 'plan file (without it: every plan the ledger knows)')
    .option('--db <url>', 'database URL (default: switchyard.yaml, DATABASE_URL, PG* variables)')
    .option(
      '--tenants',
      "a plan with tenants: every tenant's position, and the tenants whose schema drifted from the template",
      false,
    )
    .addHelpText(
      'after',
      examples([
        'switchyard status',
        'switchyard status plans/0001_add_tiers.plan.yaml --json',
        'switchyard status plans/0002_tenant_notes.plan.yaml --tenants',
      ]),
    )
    .option(...STRICT_OPTION)
    .action(async (plan: string | undefined, o: { db?: string; tenants: boolean; strict?: boolean }, cmd: Command) => {
      const ctx = context(cmd, io);
      if (o.tenants && !plan)
        throw new InvalidArgumentError('status --tenants needs the plan: switchyard status PLAN --tenants');
      const { statusCommand } = await import('../../commands/status.js');
      const r = await statusCommand(await ctx.config(), { ...(plan ? { plan } : {}), ...o });
      noticeNotModeled(ctx, r.notModeled ?? []);
      ctx.print(r, () => printStatus(r, ctx.c, o.tenants));
      if (r.plan?.phases.some((p) => p.state === 'failed') || r.plan?.tenants?.drifted?.length) setExit(1);
    });
}

function printTenants(
  t: NonNullable<NonNullable<StatusResult['plan']>['tenants']>,
  c: Colors,
  each: boolean,
): string[] {
  const out: string[] = [];
  const groups = new Map<string, string[]>();
  for (const p of t.tenants) groups.set(p.where, [...(groups.get(p.where) ?? []), p.tenant]);
  out.push(`tenants (template ${t.template}): ${t.tenants.length}`);
  for (const [where, names] of groups)
    out.push(
      `  ${String(names.length).padStart(5)} ${where}${each || names.length <= 5 ? `: ${names.map(ident).join(', ')}` : ''}`,
    );
  for (const f of t.tenants.filter((x) => x.state === 'failed'))
    out.push(`  ${c.red('failed')} ${ident(f.tenant)}: ${f.error ?? ''}`);
  if (t.missing.length) out.push(`  ${c.yellow('registered without a schema')}: ${t.missing.map(ident).join(', ')}`);
  if (t.drifted) {
    if (t.drifted.length === 0)
      out.push(
        `  ${c.green('no tenant has drifted from the template')}${t.unchecked ? ` (${t.unchecked} not compared: no rehearsal report)` : ''}`,
      );
    else
      for (const d of t.drifted)
        out.push(
          `  ${c.red('drifted')} ${ident(d.tenant)}: ${d.differences.slice(0, 5).join('; ')}${d.differences.length > 5 ? ` (and ${d.differences.length - 5} more)` : ''}`,
        );
  }
  return out;
}

function printStatus(r: StatusResult, c: Colors, tenants = false): string {
  const out: string[] = [
    r.pair
      ? `pair: ${r.pair.live} is live, ${r.pair.standby} is standby (generation ${r.pair.generation}); ${r.database}`
      : `database ${r.database}`,
  ];
  if (r.executor)
    out.push(`${c.yellow('an executor is running')}: pid ${r.executor.pid} (${r.executor.applicationName ?? ''})`);
  if (!r.ledger) out.push('no plan has been applied here yet (no ledger)');
  if (!r.plan) {
    for (const p of r.plans) {
      const s = p.steps;
      const state = p.appliedAt
        ? c.green(`applied ${p.appliedAt.toISOString()}`)
        : s.failed
          ? c.red('failed')
          : s.running
            ? c.yellow('in progress or interrupted')
            : 'partly applied';
      out.push(
        `  ${String(p.number).padStart(4, '0')}_${p.name}${p.side ? ` on ${p.side}` : ''}: ${state} (${s.done} done, ${s.pending + s.rolled_back} pending, ${s.running} running, ${s.failed} failed)`,
      );
    }
    return `${out.join('\n')}\n`;
  }
  const p = r.plan;
  out.push(`plan ${p.name} (${p.path}), checksum ${p.checksum.slice(0, 19)}...`, `rehearsal: ${p.rehearsal}`);
  const color = {
    applied: c.green,
    partial: c.yellow,
    failed: c.red,
    pending: (s: string) => s,
    empty: c.dim,
  } as const;
  for (const ph of p.phases) {
    if (ph.state === 'empty') continue;
    const where = ph.ranOn?.length
      ? ` on ${ph.ranOn.map((s) => (r.pair ? `${s} (now ${s === r.pair.live ? 'live' : 'standby'})` : s)).join(' and ')}`
      : '';
    out.push(
      `  release ${ph.release} ${ph.phase.padEnd(8)} ${color[ph.state](ph.state.padEnd(8))} ${ph.done}/${ph.steps} steps${where}`,
    );
    for (const u of ph.unfinished) {
      const why =
        u.status === 'running'
          ? r.executor
            ? 'running now'
            : 'interrupted (the executor stopped): run the same apply again to finish it'
          : `failed: ${u.error ?? ''}`;
      out.push(`    ${u.id} ${why}`);
    }
  }
  if (p.tenants) out.push(...printTenants(p.tenants, c, tenants));
  out.push(p.next ? `next: ${p.next}` : c.green('every phase is applied'));
  return `${out.join('\n')}\n`;
}
