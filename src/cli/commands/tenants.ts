// tenants list | add: the registry's tenants and where each stands; a new tenant at the current version.
import type { Command } from 'commander';
import { tenantsAdd, tenantsList } from '../../commands/tenants.js';
import type { CliIO } from '../io.js';
import { context, examples } from './context.js';
import type { SetExit } from './index.js';

export function registerTenants(program: Command, io: CliIO, _setExit: SetExit): void {
  const tenants = program
    .command('tenants')
    .description('tenant schemas: list them with their position in the latest plan, add a new one')
    .addHelpText('after', examples(['switchyard tenants list', 'switchyard tenants add tenant_acme', 'switchyard tenants list --plan plans/0002_tenant_notes.plan.yaml --json']));

  tenants
    .command('list')
    .description('the tenants the registry lists, and where each stands in the latest plan with tenants')
    .option('--db <url>', 'database URL (default: switchyard.yaml, DATABASE_URL, PG* variables)')
    .option('--plan <plan>', 'the plan to report positions in (default: the newest plan with tenants in plans/)')
    .action(async (o: { db?: string; plan?: string }, cmd: Command) => {
      const ctx = context(cmd, io);
      const r = await tenantsList(await ctx.config(), o);
      ctx.print(r, () => {
        const out = [`${r.tenants.length} tenant(s) on ${r.database}; template ${r.template}${r.templateExists ? ' (a schema in the database, migrated with the tenants)' : ' (no such schema: only in the declared schema)'}${r.plan ? `; positions in plan ${r.plan}` : ''}`];
        const width = Math.min(40, Math.max(0, ...r.tenants.map((t) => t.tenant.length)));
        for (const t of r.tenants) out.push(`  ${t.tenant.padEnd(width)}  ${t.where}`);
        if (r.missing.length) out.push(ctx.c.yellow(`registered without a schema: ${r.missing.join(', ')}`));
        return out.join('\n') + '\n';
      });
    });

  tenants
    .command('add')
    .description('create a tenant schema at the current version and register it (one transaction)')
    .argument('<name>', 'the new schema name (any valid PostgreSQL name; it is always quoted)')
    .option('--db <url>', 'database URL (default: switchyard.yaml, DATABASE_URL, PG* variables)')
    .addHelpText('after', examples([
      'switchyard tenants add tenant_acme',
      '',
      'The schema is built from the template as the tenants have it now (the latest plan with tenants decides),',
      'its ledger rows record the phases it was born with, and `tenants.register` in the declared schema',
      '(e.g. INSERT INTO central.tenants (schema_name, active) VALUES ($1, true)) registers it.',
    ]))
    .action(async (name: string, o: { db?: string }, cmd: Command) => {
      const ctx = context(cmd, io);
      const r = await tenantsAdd(await ctx.config(), { name, ...o });
      ctx.print(r, () => `${ctx.c.green('added')} tenant ${r.tenant} on ${r.database}: ${r.statements} statement(s), at ${r.version}; registered\n`);
    });
}
