// Grants and default privileges: privileges the object's class accepts (GRANT refuses the others), column grants
// on declared columns with column privileges only, and ALTER DEFAULT PRIVILEGES combinations PostgreSQL refuses.
// Whether a role exists is the cluster's business: the planner checks it against the database (roles.ts).
import { entries, reporter, type CheckContext } from './catalog.js';
import type { GrantDecl } from './declared.js';
import { subject } from './describe.js';
import { finding, type Report } from './finding.js';
import { COLUMN_PRIVILEGES, DEFAULT_PRIVILEGE_CLASS, type GrantClass, PRIVILEGES_OF } from '../model/grants.js';
import { q } from '../model/names.js';
import type { Path } from './zod-walk.js';

/** What PUBLIC holds on every object of a class from its creation (acldefault). */
const IMPLICIT_PUBLIC: Partial<Record<GrantClass, string>> = { function: 'EXECUTE', type: 'USAGE' };

function checkGrantList(
  report: Report,
  list: readonly GrantDecl[] | undefined,
  gp: Path,
  cls: GrantClass,
  /** The object's columns; 'unknown' for a view (its output columns are known once it is built). */
  columns?: ReadonlySet<string> | 'unknown',
): void {
  (list ?? []).forEach((g, i) => {
    const p: Path = [...gp, i];
    const allowed = g.columns?.length ? COLUMN_PRIVILEGES : PRIVILEGES_OF[cls];
    for (const priv of g.privileges)
      if (!allowed.includes(priv))
        report(
          finding(
            [...p, 'privileges'],
            'value',
            `${subject(gp)}: ${priv} cannot be granted on ${g.columns?.length ? 'columns' : `a ${cls}`}`,
            `use ${allowed.join(', ')}`,
          ),
        );
    const implicit = IMPLICIT_PUBLIC[cls];
    if (
      implicit !== undefined &&
      g.role === 'PUBLIC' &&
      !g.withGrantOption &&
      g.privileges.length === 1 &&
      g.privileges[0] === implicit
    )
      report(
        finding(
          [...p, 'privileges'],
          'value',
          `${subject(gp)}: PUBLIC has ${implicit} on every ${cls} by default, so granting it changes nothing`,
          'remove this grant',
        ),
      );
    if (g.columns?.length && columns === undefined)
      report(
        finding(
          [...p, 'columns'],
          'key',
          `${subject(gp)}: only tables and views have column grants`,
          'remove `columns`',
        ),
      );
    if (g.columns && columns !== undefined && columns !== 'unknown')
      for (const c of g.columns)
        if (!columns.has(c))
          report(
            finding(
              [...p, 'columns'],
              'value',
              `${subject(gp)}: the grant to ${q(g.role)} names column ${q(c)}, which is not declared`,
              'declare the column, or fix the name',
            ),
          );
  });
}

export function checkGrants(ctx: CheckContext): void {
  const report = reporter(ctx);
  for (const [s, schema] of entries(ctx.data.schemas)) {
    const sp: Path = ['schemas', s];
    checkGrantList(report, schema.grants, [...sp, 'grants'], 'schema');
    for (const [t, table] of entries(schema.tables))
      checkGrantList(
        report,
        table.grants,
        [...sp, 'tables', t, 'grants'],
        'table',
        new Set(Object.keys(table.columns)),
      );
    // The server refuses an unknown output column of a view when the shadow builds it.
    for (const [v, view] of entries(schema.views))
      checkGrantList(report, view.grants, [...sp, 'views', v, 'grants'], 'view', 'unknown');
    for (const [n, seq] of entries(schema.sequences))
      checkGrantList(report, seq.grants, [...sp, 'sequences', n, 'grants'], 'sequence');
    for (const [e, en] of entries(schema.enums))
      if (!Array.isArray(en)) checkGrantList(report, en.grants, [...sp, 'enums', e, 'grants'], 'type');
    (schema.functions ?? []).forEach((f, i) => {
      checkGrantList(report, f.grants, [...sp, 'functions', i, 'grants'], 'function');
    });
  }
  (ctx.data.defaultPrivileges ?? []).forEach((d, i) => {
    const p: Path = ['defaultPrivileges', i];
    const allowed = PRIVILEGES_OF[DEFAULT_PRIVILEGE_CLASS[d.on]];
    for (const priv of d.privileges)
      if (!allowed.includes(priv))
        report(
          finding(
            [...p, 'privileges'],
            'value',
            `default privileges #${i + 1}: ${priv} cannot be granted on ${d.on}`,
            `use ${allowed.join(', ')}`,
          ),
        );
    if (d.on === 'schemas' && d.schema !== undefined)
      report(
        finding(
          [...p, 'schema'],
          'key',
          `default privileges #${i + 1}: default privileges on schemas cannot be limited to a schema`,
          'remove `schema`',
        ),
      );
    if (d.forRole.toUpperCase() === 'PUBLIC')
      report(
        finding(
          [...p, 'forRole'],
          'value',
          `default privileges #${i + 1}: \`forRole\` must be a role that creates objects, not PUBLIC`,
          'name the role that creates the objects (the deploy role)',
        ),
      );
  });
}
