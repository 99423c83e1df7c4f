// Row-level security, policies and replica identity as PostgreSQL accepts them: an INSERT policy has only WITH
// CHECK, a SELECT or DELETE policy only USING; a policy names each role once; REPLICA IDENTITY USING INDEX names
// a unique key of its own table. Expressions are checked with the parser in checks-sql.ts.
import { entries, reporter, tablePath, type CheckContext } from './catalog.js';
import { subject } from './describe.js';
import { finding } from './finding.js';
import type { Path } from './zod-walk.js';
import { q } from '../model/names.js';

export function checkPolicies(ctx: CheckContext): void {
  const report = reporter(ctx);
  for (const [s, schema] of entries(ctx.data.schemas)) {
    for (const [t, table] of entries(schema.tables)) {
      const tp = tablePath(s, t);
      for (const [p, policy] of entries(table.policies)) {
        const pp: Path = [...tp, 'policies', p];
        const command = policy.command ?? 'all';
        if (command === 'insert' && policy.using !== undefined)
          report(
            finding(
              [...pp, 'using'],
              'key',
              `${subject(pp)}: an INSERT policy has no USING (there are no existing rows to filter)`,
              'give the condition as `withCheck`',
            ),
          );
        if ((command === 'select' || command === 'delete') && policy.withCheck !== undefined)
          report(
            finding(
              [...pp, 'withCheck'],
              'key',
              `${subject(pp)}: a ${command.toUpperCase()} policy has no WITH CHECK (it writes no new rows)`,
              'give the condition as `using`',
            ),
          );
        const seen = new Set<string>();
        (policy.roles ?? []).forEach((r, i) => {
          if (seen.has(r))
            report(
              finding(
                [...pp, 'roles', i],
                'value',
                `${subject(pp)} lists the role ${q(r)} twice`,
                'list each role once',
              ),
            );
          seen.add(r);
        });
        const roles = policy.roles ?? [];
        if (roles.includes('public') && roles.length > 1)
          report(
            finding(
              [...pp, 'roles'],
              'value',
              `${subject(pp)} lists \`public\` with other roles: PUBLIC is every role, and PostgreSQL keeps only PUBLIC (the plan would never converge)`,
              'list `public` alone, or only the roles the policy is for',
            ),
          );
      }
      const ri = table.replicaIdentity;
      if (ri !== undefined && typeof ri === 'object') {
        const keys = [
          ...(table.primaryKey ? [table.primaryKey.name ?? `${t}_pkey`] : []),
          ...Object.keys(table.unique ?? {}),
          ...entries(table.indexes)
            .filter(([, i]) => i.unique)
            .map(([n]) => n),
        ];
        if (!keys.includes(ri.index))
          report(
            finding(
              [...tp, 'replicaIdentity', 'index'],
              'value',
              `${subject(tp)}: the replica identity index ${q(ri.index)} is not a unique index, unique constraint or primary key of the table`,
              keys.length
                ? `name one of ${keys.map(q).join(', ')}, or use \`full\``
                : 'declare a unique index on NOT NULL columns and name it, or use `full`',
            ),
          );
      }
    }
  }
}
