// Names PostgreSQL would silently change or refuse: longer than 63 bytes (it truncates them, so two long
// names can collide and a plan would never converge), empty, or reserved. Every name the file declares is
// checked here; a name that refers to something the file must also declare (a foreign key's table, an
// index column) is caught by that declaration. A trigger's function need not be declared in the file, so
// its name is checked where the trigger names it (issue #13: a 64-byte one passed and failed at apply).
import { identifierBytes, MAX_IDENTIFIER_BYTES } from '../../db/quote.js';
import { entries, reporter, type CheckContext } from './catalog.js';
import { subject } from './describe.js';
import { finding, type Report } from './finding.js';
import type { Path } from './zod-walk.js';

const TABLE_MEMBERS = ['columns', 'unique', 'indexes', 'foreignKeys', 'checks', 'triggers', 'policies'] as const;

function checkName(report: Report, name: string, path: Path, at: 'key' | 'value'): void {
  const bytes = identifierBytes(name);
  if (name === '') report(finding(path, at, `${subject(path)} has an empty name`, 'give it a name'));
  else if (bytes > MAX_IDENTIFIER_BYTES)
    report(
      finding(
        path,
        at,
        `${subject(path)}: the name is ${bytes} bytes long; PostgreSQL truncates names to ${MAX_IDENTIFIER_BYTES} bytes`,
        `shorten it to at most ${MAX_IDENTIFIER_BYTES} bytes (UTF-8)`,
      ),
    );
}

export function checkNames(ctx: CheckContext): void {
  const report = reporter(ctx);
  for (const [s, schema] of entries(ctx.data.schemas)) {
    const sp: Path = ['schemas', s];
    checkName(report, s, sp, 'key');
    if (s.startsWith('pg_'))
      report(
        finding(
          sp,
          'key',
          `${subject(sp)}: names starting with \`pg_\` are reserved for system schemas`,
          'choose another name',
        ),
      );
    for (const [v, view] of entries(schema.views)) {
      checkName(report, v, [...sp, 'views', v], 'key');
      for (const [i] of entries(view.indexes)) checkName(report, i, [...sp, 'views', v, 'indexes', i], 'key');
      for (const [c] of entries(view.columns)) checkName(report, c, [...sp, 'views', v, 'columns', c], 'key');
    }
    for (const kind of ['enums', 'sequences', 'tables'] as const)
      for (const [n] of entries<unknown>(schema[kind])) checkName(report, n, [...sp, kind, n], 'key');
    (schema.functions ?? []).forEach((f, i) => {
      checkName(report, f.name, [...sp, 'functions', i, 'name'], 'value');
    });
    for (const [t, table] of entries(schema.tables)) {
      const tp: Path = [...sp, 'tables', t];
      if (table.renamedFrom !== undefined) checkName(report, table.renamedFrom, [...tp, 'renamedFrom'], 'value');
      if (table.primaryKey?.name !== undefined)
        checkName(report, table.primaryKey.name, [...tp, 'primaryKey', 'name'], 'value');
      for (const member of TABLE_MEMBERS)
        for (const [n] of entries<object>(table[member])) checkName(report, n, [...tp, member, n], 'key');
      for (const [c, column] of entries(table.columns))
        if (column.renamedFrom !== undefined)
          checkName(report, column.renamedFrom, [...tp, 'columns', c, 'renamedFrom'], 'value');
      for (const [g, { function: fn }] of entries(table.triggers)) {
        const fp: Path = [...tp, 'triggers', g, 'function'];
        if (fn.schema !== undefined) checkName(report, fn.schema, [...fp, 'schema'], 'value');
        checkName(report, fn.name, [...fp, 'name'], 'value');
      }
      for (const [p, policy] of entries(table.policies))
        (policy.roles ?? []).forEach((r, i) => {
          checkName(report, r, [...tp, 'policies', p, 'roles', i], 'value');
        });
      const ri = table.replicaIdentity;
      if (ri !== undefined && typeof ri === 'object')
        checkName(report, ri.index, [...tp, 'replicaIdentity', 'index'], 'value');
    }
  }
}
