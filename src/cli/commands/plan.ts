// plan, show, lint: making and reviewing plans.
import type { Command } from 'commander';
import { SHOW_FORMATS } from '../../planner/show/formats.js';
import { HAZARDS } from '../../planner/types.js';
import type { CliIO } from '../io.js';
import { context, examples, noticeNotModeled, type SetExit, STRICT_OPTION, wholeNumber } from './context.js';

const collect = (v: string, prev: string[]) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

export function registerPlanCommands(program: Command, io: CliIO, setExit: SetExit): void {
  program
    .command('plan')
    .description(
      'plan the change from the live database (or a snapshot) to the declared schema; writes plans/ and migrations/',
    )
    .requiredOption('--name <name>', 'plan name: lowercase letters, digits, - and _')
    .option('--db <url>', 'database URL (default: switchyard.yaml, DATABASE_URL, PG* variables)')
    .option('--from <snapshot>', 'plan from a saved snapshot (switchyard introspect -o) instead of a live database')
    .option('--schema <file>', 'declared schema (default: `schema` from switchyard.yaml)')
    .option('--pg-version <major>', 'with --from: the PostgreSQL major to plan for (default 17)', wholeNumber)
    .option('--dry-run', 'show the plan without writing files', false)
    .option(
      '--shadow-db <url>',
      "server to canonicalize the declared schema on (a scratch database is made and dropped there); default: `shadow:` in switchyard.yaml, SWITCHYARD_SHADOW_DB, else a throwaway PostgreSQL of the target's major. Nothing is written to --db",
    )
    .option(
      '--sign <key.pem>',
      'sign the plan file with an Ed25519 private key: writes plans/NNNN_name.plan.sig (see requireSignature)',
    )
    .option(...STRICT_OPTION)
    .option(
      '--stack',
      'while another plan is not finished on the database (the ledger shows it part way), plan from its target instead of refusing; the new plan applies after it',
      false,
    )
    .addHelpText(
      'after',
      examples([
        'switchyard plan --db postgres://app@127.0.0.1/app --name add_subscription_tiers',
        'switchyard plan --name add_invoices --stack   # plan 0001 is still at release 1: plan on top of its target',
        'switchyard plan --db "$PROD_READONLY_URL" --shadow-db postgres://postgres@127.0.0.1:5433/postgres --name add_tiers',
        'switchyard plan --from prod-snapshot.yaml --pg-version 15 --name add_subscription_tiers',
        'switchyard plan --name add_tiers --dry-run --json',
        '',
        'While the ledger shows a plan part way on the database, plan refuses (exit 1, PLAN_IN_FLIGHT) and names it',
        'and its next phase: finish it, or give --stack. When nothing changed, no plan file is written.',
      ]),
    )
    .action(
      async (
        o: {
          name: string;
          db?: string;
          from?: string;
          schema?: string;
          pgVersion?: number;
          dryRun: boolean;
          shadowDb?: string;
          sign?: string;
          strict?: boolean;
          stack: boolean;
        },
        cmd: Command,
      ) => {
        const ctx = context(cmd, io);
        const { planCommand } = await import('../../commands/plan.js');
        const r = await planCommand(await ctx.config(), { ...o, notice: (m) => io.stderr(`${ctx.c.dim(m)}\n`) });
        noticeNotModeled(ctx, r.notModeled);
        const sc = r.plan.score;
        // The snapshots (megabytes on a large schema) are in the plan file and `show --format json`; here
        // their fingerprints stand for them.
        const summary = {
          ...r.plan,
          source: { fingerprint: r.plan.source.fingerprint },
          target: { fingerprint: r.plan.target.fingerprint },
        };
        ctx.print(
          {
            plan: summary,
            written: r.written,
            notModeled: r.notModeled,
            ...(r.stackedOn ? { stackedOn: r.stackedOn } : {}),
            sqlStepsTaken: r.sqlStepsTaken,
            ...(r.signature ? { signature: r.signature } : {}),
          },
          () =>
            r.steps === 0
              ? `${ctx.c.green('nothing to do')}: ${r.stackedOn ? `the target of plan ${r.stackedOn.name}` : r.source} already matches the declared schema; no plan file written\n`
              : `${r.written ? `${ctx.c.green('wrote')} ${r.written.planFile}` : ctx.c.yellow('dry run:')} ${r.steps} steps in ${sc.releases} release(s), complexity ${sc.score}, window at least ${sc.recommendedWindowSeconds} s\n` +
                (r.written
                  ? `  SQL in ${r.written.sqlDir}/ (${r.written.sqlFiles.length} files)\n  review: switchyard show ${r.written.planFile} --format markdown\n`
                  : '') +
                (r.signature ? `  signed: ${r.signature}\n` : '') +
                (r.stackedOn
                  ? `  stacked on plan ${r.stackedOn.name}: planned from its target; apply this plan once ${r.stackedOn.name} is finished\n`
                  : ''),
        );
      },
    );

  program
    .command('show')
    .description(
      'review a plan: text, markdown (for a pull request), mermaid, json or sql; text, markdown and json carry the release notes for the application (what each release asks of it)',
    )
    .argument('<plan>', 'plan file (plans/NNNN_name.plan.yaml)')
    .option('--format <format>', `one of ${SHOW_FORMATS.join(', ')}`, 'text')
    .addHelpText(
      'after',
      examples([
        'switchyard show plans/0001_add_tiers.plan.yaml',
        'switchyard show plans/0001_add_tiers.plan.yaml --format markdown > plan.md',
        "switchyard show plans/0001_add_tiers.plan.yaml --format json | jq '.releaseNotes[] | .beforeContract[].version'",
      ]),
    )
    .action(async (plan: string, o: { format: string }, cmd: Command) => {
      const ctx = context(cmd, io);
      const { showCommand } = await import('../../commands/review.js');
      io.stdout(await showCommand(await ctx.config(), plan, ctx.json ? 'json' : o.format, ctx.c));
    });

  program
    .command('lint')
    .description('exit 1 when the plan has a hazard that is not allowed or breaks a safe-DDL rule')
    .argument('<plan>', 'plan file')
    .option(
      '--allow-hazard <hazard>',
      `allow a hazard (repeatable or comma-separated): ${HAZARDS.join(', ')}`,
      collect,
      [] as string[],
    )
    .addHelpText(
      'after',
      examples([
        'switchyard lint plans/0001_add_tiers.plan.yaml',
        'switchyard lint plans/0002_drop_legacy.plan.yaml --allow-hazard DELETES_DATA --json',
      ]),
    )
    .action(async (plan: string, o: { allowHazard: string[] }, cmd: Command) => {
      const ctx = context(cmd, io);
      const { lintCommand } = await import('../../commands/review.js');
      const r = await lintCommand(await ctx.config(), plan, o.allowHazard);
      ctx.print(r, () => {
        const lines = r.findings.map(
          (f) =>
            `  ${f.severity === 'error' ? ctx.c.red('error') : ctx.c.yellow('warning')} ${f.step ? `${ctx.c.dim(f.step)} ` : ''}${f.message} (${f.rule}; fix: ${f.fix})`,
        );
        return (
          (r.ok ? `${ctx.c.green('ok')}: ${plan}` : `${ctx.c.red('refused')}: ${plan}`) +
          ` (allowed hazards: ${r.allowed.join(', ')})\n` +
          lines.map((l) => `${l}\n`).join('')
        );
      });
      if (!r.ok) setExit(1);
    });
}
