// apply, rollback, status: running a plan on a database.
import type { Command } from 'commander';
import { applyCommand, rollbackCommand, type ApplyResult, type DryRunResult, type PairPlace, type RollbackResult } from '../../commands/apply.js';
import { statusCommand, type StatusResult } from '../../commands/status.js';
import { HAZARDS } from '../../planner/types.js';
import type { CliIO, Colors } from '../io.js';
import { reporter } from '../progress.js';
import { context, examples } from './context.js';
import type { SetExit } from './index.js';

const collect = (v: string, prev: string[]) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
const integer = (v: string) => {
  const n = Number(v);
  return Number.isInteger(n) ? n : NaN;
};

interface ExecFlags {
  db?: string;
  release?: number;
  phase?: string;
  all?: boolean;
  dryRun: boolean;
  skipRehearsal?: boolean;
  allowHazard?: string[];
  yes?: boolean;
}

/** ` on green (standby)` when the command ran on a side of the pair. */
const on = (p: PairPlace | undefined) => (p ? ` on ${p.side} (${p.role})` : '');

function printDryRun(r: DryRunResult, c: Colors, verb: string): string {
  const out: string[] = [`-- ${verb} ${r.plan}${on(r.pair)}${r.database ? ` on ${r.database}` : ''}: dry run, nothing was sent`];
  for (const n of r.notices) out.push(...n.split('\n').map((l) => `-- ${l}`));
  if (r.phases.every((p) => p.steps.length === 0)) out.push('-- nothing to do');
  for (const p of r.phases) {
    out.push('', `-- ${p.phase} (release ${p.release})`);
    for (const s of p.steps) out.push(`-- step ${s.id}`, ...s.sql.map((q) => (q.startsWith('--') ? c.dim(q) : q.endsWith(';') ? q : q + ';')));
  }
  return out.join('\n') + '\n';
}

export function registerExecuteCommands(program: Command, io: CliIO, setExit: SetExit): void {
  program
    .command('apply')
    .description('run a phase of a plan (or every remaining phase with --all) on the database, resumably')
    .argument('<plan>', 'plan file (plans/NNNN_name.plan.yaml)')
    .option('--db <url>', 'database URL (default: switchyard.yaml, DATABASE_URL, PG* variables)')
    .option('--release <n>', 'release number', integer)
    .option('--phase <phase>', 'expand, backfill or contract')
    .option('--all', 'every remaining phase in order (development and rehearsal databases)', false)
    .option('--dry-run', 'print exactly the SQL that would run, and run nothing', false)
    .option('--skip-rehearsal', 'apply without a passing rehearsal report for this plan (not recommended)', false)
    .option('--allow-hazard <hazard>', `allow a hazard (repeatable or comma-separated): ${HAZARDS.join(', ')}`, collect, [] as string[])
    .option('--yes', 'on a pair: run contract on the live side, ending the cutback window for the release', false)
    .addHelpText('after', examples([
      'switchyard apply plans/0001_add_tiers.plan.yaml --release 1 --phase expand',
      'switchyard apply plans/0001_add_tiers.plan.yaml --release 1 --phase backfill --dry-run',
      'switchyard apply plans/0001_add_tiers.plan.yaml --all --db postgres://app@127.0.0.1/app_dev',
      '',
      'switchyard apply plans/0001_add_tiers.plan.yaml --release 1 --phase contract --yes   # on a pair: on live, after cutover',
      '',
      'With `pair:` in switchyard.yaml (and no --db), expand and backfill run on the standby, contract on live.',
      'Killed or interrupted? Run the same command again: the ledger knows what finished.',
    ]))
    .action(async (plan: string, o: ExecFlags, cmd: Command) => {
      const ctx = context(cmd, io);
      const rep = reporter(io, ctx.c, { json: ctx.json });
      let r: ApplyResult | DryRunResult;
      try {
        r = await applyCommand(await ctx.config(), { plan, ...o, onEvent: rep.onEvent });
      } finally {
        rep.close();
      }
      if ('notices' in r) {
        const dry = r;
        return ctx.print(dry, () => printDryRun(dry, ctx.c, 'apply'));
      }
      const a = r;
      ctx.print(a, () => {
        if (a.phases.length === 0) return `${ctx.c.green('nothing to do')}: ${a.complete ? `plan ${a.plan} is fully applied on ${a.database}` : `that phase is already applied${on(a.pair)}`}\n${a.next ? `next: ${a.next}\n` : ''}`;
        const lines = a.phases.map((p) => `${ctx.c.green('applied')} ${p.phase} (release ${p.release})${on(a.pair)}: ${p.ran} step(s) run, ${p.skipped} already done, ${p.retries} lock retr${p.retries === 1 ? 'y' : 'ies'}, ${(p.ms / 1000).toFixed(1)} s`);
        return lines.join('\n') + '\n' + (a.complete ? `plan ${a.plan} is fully applied on ${a.database}\n` : a.next ? `next: ${a.next}\n` : '');
      });
    });

  program
    .command('rollback')
    .description('undo one phase of a plan (steps in reverse order, each with its rehearsed rollback)')
    .argument('<plan>', 'plan file')
    .option('--db <url>', 'database URL (default: switchyard.yaml, DATABASE_URL, PG* variables)')
    .option('--release <n>', 'release number', integer)
    .option('--phase <phase>', 'expand, backfill or contract')
    .option('--dry-run', 'print exactly the SQL that would run, and run nothing', false)
    .addHelpText('after', examples([
      'switchyard rollback plans/0001_add_tiers.plan.yaml --release 1 --phase expand',
      'switchyard rollback plans/0001_add_tiers.plan.yaml --release 1 --phase contract --dry-run',
    ]))
    .action(async (plan: string, o: ExecFlags, cmd: Command) => {
      const ctx = context(cmd, io);
      const rep = reporter(io, ctx.c, { json: ctx.json });
      let r: RollbackResult | DryRunResult;
      try {
        r = await rollbackCommand(await ctx.config(), { plan, ...o, onEvent: rep.onEvent });
      } finally {
        rep.close();
      }
      if ('notices' in r) {
        const dry = r;
        return ctx.print(dry, () => printDryRun(dry, ctx.c, 'rollback'));
      }
      const b = r;
      ctx.print(b, () =>
        b.ran === 0
          ? `${ctx.c.green('nothing to do')}: ${b.phase} (release ${b.release}) of ${b.plan} has no applied step${on(b.pair)}\n`
          : `${ctx.c.green('rolled back')} ${b.phase} (release ${b.release}) of ${b.plan}${on(b.pair)}: ${b.ran} step(s) undone in ${(b.ms / 1000).toFixed(1)} s\n`,
      );
    });

  program
    .command('status')
    .description('where plans stand on the database: every phase, interrupted or failed steps, what to run next')
    .argument('[plan]', 'plan file (without it: every plan the ledger knows)')
    .option('--db <url>', 'database URL (default: switchyard.yaml, DATABASE_URL, PG* variables)')
    .addHelpText('after', examples(['switchyard status', 'switchyard status plans/0001_add_tiers.plan.yaml --json']))
    .action(async (plan: string | undefined, o: { db?: string }, cmd: Command) => {
      const ctx = context(cmd, io);
      const r = await statusCommand(await ctx.config(), { ...(plan ? { plan } : {}), ...o });
      ctx.print(r, () => printStatus(r, ctx.c));
      if (r.plan?.phases.some((p) => p.state === 'failed')) setExit(1);
    });
}

function printStatus(r: StatusResult, c: Colors): string {
  const out: string[] = [r.pair ? `pair: ${r.pair.live} is live, ${r.pair.standby} is standby (generation ${r.pair.generation}); ${r.database}` : `database ${r.database}`];
  if (r.executor) out.push(`${c.yellow('an executor is running')}: pid ${r.executor.pid} (${r.executor.applicationName ?? ''})`);
  if (!r.ledger) out.push('no plan has been applied here yet (no ledger)');
  if (!r.plan) {
    for (const p of r.plans) {
      const s = p.steps;
      const state = p.appliedAt ? c.green(`applied ${p.appliedAt.toISOString()}`) : s.failed ? c.red('failed') : s.running ? c.yellow('in progress or interrupted') : 'partly applied';
      out.push(`  ${String(p.number).padStart(4, '0')}_${p.name}${p.side ? ` on ${p.side}` : ''}: ${state} (${s.done} done, ${s.pending + s.rolled_back} pending, ${s.running} running, ${s.failed} failed)`);
    }
    return out.join('\n') + '\n';
  }
  const p = r.plan;
  out.push(`plan ${p.name} (${p.path}), checksum ${p.checksum.slice(0, 19)}...`, `rehearsal: ${p.rehearsal}`);
  const color = { applied: c.green, partial: c.yellow, failed: c.red, pending: (s: string) => s, empty: c.dim } as const;
  for (const ph of p.phases) {
    if (ph.state === 'empty') continue;
    const where = ph.ranOn?.length ? ` on ${ph.ranOn.map((s) => (r.pair ? `${s} (now ${s === r.pair.live ? 'live' : 'standby'})` : s)).join(' and ')}` : '';
    out.push(`  release ${ph.release} ${ph.phase.padEnd(8)} ${color[ph.state](ph.state.padEnd(8))} ${ph.done}/${ph.steps} steps${where}`);
    for (const u of ph.unfinished) {
      const why = u.status === 'running' ? (r.executor ? 'running now' : 'interrupted (the executor stopped): run the same apply again to finish it') : `failed: ${u.error ?? ''}`;
      out.push(`    ${u.id} ${why}`);
    }
  }
  out.push(p.next ? `next: ${p.next}` : c.green('every phase is applied'));
  return out.join('\n') + '\n';
}
