// tenants list | add: the registry's tenants and where each stands; a new tenant at the current version.
import type { Command } from 'commander';
import { ident } from '../../db/quote.js';
import type { CliIO } from '../io.js';
import { context, examples, noticeNotModeled, seconds, type SetExit, STRICT_OPTION } from './context.js';

export function registerTenants(program: Command, io: CliIO, _setExit: SetExit): void {
  const tenants = program
    .command('tenants')
    .description('tenant schemas: list them with their position in the latest plan, add a new one')
    .addHelpText(
      'after',
      examples([
        'switchyard tenants list',
        'switchyard tenants add tenant_acme',
        'switchyard tenants list --plan plans/0002_tenant_notes.plan.yaml --json',
      ]),
    );

  tenants
    .command('list')
    .description('the tenants the registry lists, and where each stands in the latest plan with tenants')
    .option('--db <url>', 'database URL (default: switchyard.yaml, DATABASE_URL, PG* variables)')
    .option('--plan <plan>', 'the plan to report positions in (default: the newest plan with tenants in plans/)')
    .option(...STRICT_OPTION)
    .action(async (o: { db?: string; plan?: string; strict?: boolean }, cmd: Command) => {
      const ctx = context(cmd, io);
      const { tenantsList } = await import('../../commands/tenants.js');
      const r = await tenantsList(await ctx.config(), o);
      noticeNotModeled(ctx, r.notModeled);
      ctx.print(r, () => {
        const out = [
          `${r.tenants.length} tenant(s) on ${r.database}; template ${r.template}${r.templateExists ? ' (a schema in the database, migrated with the tenants)' : ' (no such schema: only in the declared schema)'}${r.plan ? `; positions in plan ${r.plan}` : ''}`,
        ];
        const width = Math.min(40, Math.max(0, ...r.tenants.map((t) => t.tenant.length)));
        for (const t of r.tenants) out.push(`  ${t.tenant.padEnd(width)}  ${t.where}`);
        if (r.missing.length) out.push(ctx.c.yellow(`registered without a schema: ${r.missing.join(', ')}`));
        return `${out.join('\n')}\n`;
      });
    });

  tenants
    .command('add')
    .description('create a tenant schema at the current version and register it (one transaction)')
    .argument('<name>', 'the new schema name (any valid PostgreSQL name; it is always quoted)')
    .option('--db <url>', 'database URL (default: switchyard.yaml, DATABASE_URL, PG* variables)')
    .addHelpText(
      'after',
      examples([
        'switchyard tenants add tenant_acme',
        '',
        'switchyard tenants add "Tenant O\'Hara"      # any name: it is only ever quoted, never spliced',
        '',
        'The schema is built from the template as the tenants have it now (the latest plan with tenants decides),',
        'its ledger rows record the phases it was born with, and `tenants.register` in the declared schema',
        '(e.g. INSERT INTO central.tenants (schema_name, active) VALUES ($1, true)) registers it.',
        'With a streaming pair (switchyard.yaml `pair:`), it is built on both sides, each at its own version, registered',
        'on live, and its tables join the replication stream before the command returns.',
        'Interrupted? Run the same command again: it finishes what was left. Refused while an apply or rollback runs.',
      ]),
    )
    .option(
      '--timeout <seconds>',
      'with a pair: how long to wait for the standby to copy the new tables (default 120)',
      seconds,
    )
    .option(...STRICT_OPTION)
    .action(async (name: string, o: { db?: string; timeout?: number; strict?: boolean }, cmd: Command) => {
      const ctx = context(cmd, io);
      const { tenantsAdd } = await import('../../commands/tenants.js');
      const r = await tenantsAdd(await ctx.config(), {
        name,
        ...(o.db ? { db: o.db } : {}),
        ...(o.timeout !== undefined ? { timeoutMs: o.timeout * 1000 } : {}),
        ...(o.strict !== undefined ? { strict: o.strict } : {}),
      });
      if (r.notModeled?.length)
        ctx.io.stderr(
          ctx.c.yellow('the other tenants hold objects the model does not; the new tenant is built without them:\n'),
        );
      noticeNotModeled(ctx, r.notModeled ?? []);
      ctx.print(r, () => {
        const out = [
          `${ctx.c.green('added')} tenant ${ident(r.tenant)} on ${r.database}${r.pair ? ` (live, ${r.pair.live})` : ''}: ${r.statements} statement(s), at ${r.version}; registered`,
        ];
        const p = r.pair;
        if (p?.standby)
          out.push(
            `${ctx.c.green('added')} on the standby ${p.standby.side} (${p.standby.database}): ${p.standby.statements} statement(s), at ${p.standby.version}`,
          );
        if (p?.streaming)
          out.push(
            `replicated: ${p.tables} table(s) added to ${p.publication}, copied by the standby in ${p.copyMs} ms`,
          );
        else if (p)
          out.push(
            ctx.c.yellow(
              'the pair is not streaming: the tenant is on live only; switchyard pair init (or pair resync) copies it to the standby',
            ),
          );
        return `${out.join('\n')}\n`;
      });
    });
}
