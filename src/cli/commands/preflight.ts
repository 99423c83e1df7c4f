// preflight: every check before a plan is applied, with the fix for each.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { HAZARDS } from '../../planner/types.js';
import type { CliIO } from '../io.js';
import { collect, context, examples, type SetExit, wholeNumber } from './context.js';

const seconds = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} ${v} is not a number of seconds`);
  return n;
};

export function registerPreflight(program: Command, io: CliIO, setExit: SetExit): void {
  program
    .command('preflight')
    .description(
      'check everything a plan needs before it is applied: locks, sessions, privileges, ledger, rehearsal, disk, window, backup',
    )
    .argument('<plan>', 'plan file (plans/NNNN_name.plan.yaml)')
    .option('--db <url>', 'database URL (default: switchyard.yaml, DATABASE_URL, PG* variables)')
    .option(
      '--release <n>',
      'with --phase: check only what this phase runs (as apply --release N --phase P)',
      wholeNumber,
    )
    .option('--phase <phase>', 'with --release: expand, backfill or contract')
    .option(
      '--allow-hazard <hazard>',
      `allow a hazard, as apply does (repeatable or comma-separated): ${HAZARDS.join(', ')}`,
      collect,
      [] as string[],
    )
    .option('--strict', 'exit 1 on warnings too', false)
    .option(
      '--long-transaction-seconds <s>',
      'a transaction open longer than this fails (default 300)',
      seconds('--long-transaction-seconds'),
    )
    .option(
      '--idle-in-transaction-seconds <s>',
      'a session idle in a transaction longer than this is reported (default 60)',
      seconds('--idle-in-transaction-seconds'),
    )
    .addHelpText(
      'after',
      examples([
        'switchyard preflight plans/0001_add_tiers.plan.yaml',
        'switchyard preflight plans/0001_add_tiers.plan.yaml --release 1 --phase expand   # only what that phase runs',
        'switchyard preflight plans/0001_add_tiers.plan.yaml --release 2 --phase contract --allow-hazard DELETES_DATA',
        'switchyard preflight plans/0001_add_tiers.plan.yaml --db postgres://deploy@db.internal/app --strict',
        'switchyard preflight plans/0001_add_tiers.plan.yaml --json | jq \'.checks[] | select(.status != "pass")\'',
        '',
        'Without --release/--phase every step of the plan is checked (hazards, locks, timeouts, window...);',
        'with them, only the steps of that phase, so a harmless expand passes even if a later release drops things.',
      ]),
    )
    .action(
      async (
        plan: string,
        o: {
          db?: string;
          strict: boolean;
          release?: number;
          phase?: string;
          allowHazard: string[];
          longTransactionSeconds?: number;
          idleInTransactionSeconds?: number;
        },
        cmd: Command,
      ) => {
        const ctx = context(cmd, io);
        const thresholds = {
          ...(o.longTransactionSeconds !== undefined ? { longTransactionSeconds: o.longTransactionSeconds } : {}),
          ...(o.idleInTransactionSeconds !== undefined ? { idleInTransactionSeconds: o.idleInTransactionSeconds } : {}),
        };
        const { preflightCommand } = await import('../../commands/preflight.js');
        const r = await preflightCommand(await ctx.config(), plan, {
          ...(o.db ? { db: o.db } : {}),
          strict: o.strict,
          thresholds,
          ...(o.release !== undefined ? { release: o.release } : {}),
          ...(o.phase !== undefined ? { phase: o.phase } : {}),
          allowHazard: o.allowHazard,
        });
        const { c } = ctx;
        const badge = { pass: c.green('pass'), warn: c.yellow('warn'), fail: c.red('FAIL') } as const;
        ctx.print(r, () => {
          const scope = r.selection ? ` (release ${r.selection.release} ${r.selection.phase} only)` : '';
          const lines = [`preflight ${r.plan}${scope} on ${r.database}`];
          for (const k of r.checks) {
            lines.push(`  ${badge[k.status]}  ${k.title} ${c.dim(`[${k.id}]`)}: ${k.detail}`);
            if (k.status !== 'pass' && k.fix) lines.push(`        ${c.dim('fix:')} ${k.fix}`);
          }
          const verdict = r.ok
            ? c.green('ready to apply')
            : c.red(r.counts.fail ? 'not ready' : 'not ready (--strict: warnings count)');
          lines.push(
            `${verdict}: ${r.counts.pass} passed, ${r.counts.warn} warning${r.counts.warn === 1 ? '' : 's'}, ${r.counts.fail} failed`,
          );
          return `${lines.join('\n')}\n`;
        });
        if (!r.ok) setExit(1);
      },
    );
}
