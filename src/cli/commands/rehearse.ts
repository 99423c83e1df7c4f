// rehearse: prove every step and every rollback of a plan on a throwaway PostgreSQL.
import type { Command } from 'commander';
import type { RehearsalEvent } from '../../rehearsal/rehearse.js';
import { ident } from '../../db/quote.js';
import type { CliIO, Colors } from '../io.js';
import { duration } from '../../planner/show/summary.js';
import { context, examples, type SetExit, wholeNumber } from './context.js';

function progress(io: CliIO, c: Colors, json: boolean): (e: RehearsalEvent) => void {
  if (json || !io.isTTY) {
    return (e) => {
      // The phase runner's own step events (with the whole step) are left out: the rehearsal's say enough.
      if (
        e.kind === 'server' ||
        e.kind === 'source' ||
        e.kind === 'phase' ||
        e.kind === 'tenant' ||
        e.kind === 'notice' ||
        (e.kind === 'step' && 'stage' in e)
      )
        io.stderr(`${JSON.stringify({ ts: new Date().toISOString(), event: e.kind, ...e, kind: undefined })}\n`);
    };
  }
  return (e) => {
    if (e.kind === 'server')
      io.stderr(
        `${c.cyan('==>')} ${e.engine} ${e.version}\n${e.notice ? `    ${c.yellow('note')}: ${e.notice}\n` : ''}`,
      );
    else if (e.kind === 'source')
      io.stderr(
        `${c.cyan('==>')} source schema built, ${e.rows} sample rows in ${e.tables} tables${e.short.length ? c.yellow(` (${e.short.length} tables got fewer rows: ${e.short.map((s) => s.table).join(', ')})`) : ''}\n`,
      );
    else if (e.kind === 'notice') io.stderr(`    ${c.yellow('note')}: ${e.message}\n`);
    else if (e.kind === 'tenant')
      io.stderr(
        e.stage === 'start'
          ? `${c.cyan('==>')} tenant ${ident(e.tenant)}: the plan under its own name, on its real schema\n`
          : e.stage === 'done'
            ? `    ${c.green('ok')} tenant ${ident(e.tenant)} ${c.dim(`${e.ms} ms`)}\n`
            : `    ${c.red('failed')} tenant ${ident(e.tenant)}\n`,
      );
    else if (e.kind === 'phase')
      io.stderr(
        e.stage === 'done'
          ? `    ${c.green('ok')} ${e.phase} (release ${e.release}) ${c.dim(`${e.ms} ms`)}\n`
          : e.stage === 'apply'
            ? `${c.cyan('==>')} ${e.phase} (release ${e.release}): apply, roll back, apply again\n`
            : '',
      );
  };
}

export function registerRehearse(program: Command, io: CliIO, setExit: SetExit): void {
  program
    .command('rehearse')
    .description(
      'apply, roll back and re-apply every phase on a throwaway PostgreSQL; writes the report `apply` requires',
    )
    .argument('<plan>', 'plan file (plans/NNNN_name.plan.yaml)')
    .option('--engine <engine>', 'embedded (default) or docker')
    .option('--image <image>', 'with --engine docker: the image (default postgres:<major>)')
    .option(
      '--pg-version <major>',
      'PostgreSQL major to rehearse on (default: the one the plan was made for)',
      wholeNumber,
    )
    .option('--db <url>', 'copy the source schema (never the rows) from this database instead of the plan snapshot')
    .option('--sample-rows <n>', 'rows generated per table before the first phase (default 20)', wholeNumber)
    .option(
      '--tenant-sample <n>',
      'a tenant plan: real tenant schemas (read from the database, schema only) rehearsed after the template, names needing quotes first (default 3; 0 = template only)',
      wholeNumber,
    )
    .option(
      '--strict',
      'with --db: exit 1 when it holds objects switchyard does not model (default: `strict:` in switchyard.yaml)',
    )
    .addHelpText(
      'after',
      examples([
        'switchyard rehearse plans/0001_add_tiers.plan.yaml',
        'switchyard rehearse plans/0001_add_tiers.plan.yaml --engine docker --image postgres:16',
        'switchyard rehearse plans/0001_add_tiers.plan.yaml --db postgres://readonly@replica:5432/app',
        'switchyard rehearse plans/0002_tenant_notes.plan.yaml --tenant-sample 5',
      ]),
    )
    .action(
      async (
        plan: string,
        o: {
          engine?: string;
          image?: string;
          pgVersion?: number;
          db?: string;
          sampleRows?: number;
          tenantSample?: number;
          strict?: boolean;
        },
        cmd: Command,
      ) => {
        const ctx = context(cmd, io);
        const { rehearseCommand } = await import('../../commands/rehearse.js');
        const r = await rehearseCommand(await ctx.config(), { plan, ...o, onEvent: progress(io, ctx.c, ctx.json) });
        const rep = r.report;
        // The models are for apply's drift messages, not for a reader of --json.
        ctx.print({ ...rep, models: undefined, written: r.written, notModeled: r.notModeled }, () => {
          const tenants = rep.tenants
            ? `\ntenants rehearsed under their own names: ${rep.tenants.length ? rep.tenants.map((t) => `${ident(t.tenant)} ${t.passed ? ctx.c.green('passed') : ctx.c.red('failed')}`).join(', ') : 'none'}`
            : '';
          const drifted = rep.tenantsDrifted?.length
            ? `\n${ctx.c.yellow('drifted tenants left out of the sample')} (apply refuses them too): ${rep.tenantsDrifted.map((t) => `${ident(t.tenant)} (${t.differences[0] ?? 'differs'})`).join(', ')}`
            : '';
          if (rep.passed)
            return `${ctx.c.green('rehearsal passed')}: ${rep.phases.length} phase(s), ${rep.phases.reduce((n, p) => n + p.steps.length, 0)} steps applied, rolled back and applied again on ${rep.server} in ${duration(rep.ms)}${tenants}${drifted}\nreport: ${r.written}\n`;
          const f = rep.failure!;
          return `${ctx.c.red('rehearsal failed')}${f.step ? ` at step ${ctx.c.bold(f.step)}` : ''} (${f.stage}): ${f.message}\n${f.differences.map((d) => `  - ${d}\n`).join('')}${tenants ? `${tenants.slice(1)}\n` : ''}report: ${r.written}\n`;
        });
        if (!rep.passed) setExit(1);
      },
    );
}
