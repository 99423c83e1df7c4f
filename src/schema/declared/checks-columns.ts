// Columns on their own: the type exists, identity/default/generated combine as PostgreSQL allows, NOT NULL
// follows from the primary key and identity, and the change hints make sense without looking at a database.
// What needs the live database (does `up` really change the type? does `renamedFrom` exist there?) is the
// planner's to check.
import { Catalog, entries, reporter, type CheckContext } from './catalog.js';
import type { ColumnDecl, TableDecl } from './declared.js';
import { subject } from './describe.js';
import { finding, type Report } from './finding.js';
import { closest, q, qq } from '../model/names.js';
import { BUILTIN_TYPE_NAMES, classifyType, isIntegerType, type TypeInfo } from '../model/types.js';
import { typeProblem } from './sql-text.js';
import type { Path } from './zod-walk.js';

/** Names people bring from other languages and databases. */
const FOREIGN_TYPES: Readonly<Record<string, string>> = {
  string: 'text',
  str: 'text',
  datetime: 'timestamp with time zone',
  long: 'bigint',
  int64: 'bigint',
  int32: 'integer',
  double: 'double precision',
  float64: 'double precision',
  blob: 'bytea',
  tinyint: 'smallint',
  number: 'numeric',
  clob: 'text',
};

function checkType(
  report: Report,
  catalog: Catalog,
  column: { readonly type: string },
  cp: Path,
  field = 'type',
): TypeInfo {
  const classified = classifyType(column.type);
  const at: Path = [...cp, field];
  // A type name switchyard's own reading does not know (`public.geometry(Point,4326)`) is still a type when
  // PostgreSQL's parser reads it as one; whether it exists is checked on the shadow database.
  const info: TypeInfo =
    classified.kind === 'invalid' && classified.reason === NOT_A_NAME && typeProblem(column.type) === undefined
      ? { kind: 'other', canonical: classified.canonical }
      : classified;
  if (info.kind === 'invalid')
    report(
      finding(
        at,
        'value',
        `${subject(cp)} has an invalid type \`${column.type}\`: ${info.reason}`,
        'write a PostgreSQL type, e.g. `text`, `bigint`, `numeric(12,2)`',
      ),
    );
  if (info.kind === 'serial')
    report(
      finding(
        at,
        'value',
        `${subject(cp)}: \`${column.type}\` is not a type (PostgreSQL expands it into ${info.integer}, a sequence and a default)`,
        `use \`type: ${info.integer}\` with \`identity: by default\``,
      ),
    );
  if (info.kind !== 'user' || catalog.typeState(info.name, info.schema) !== 'missing') return info;
  const problem = typeProblem(column.type);
  if (problem) {
    report(finding(at, 'value', `${subject(cp)} has an invalid type \`${column.type}\`: ${problem.message}`));
    return info;
  }
  const typed = column.type.trim();
  const message = `${subject(cp)} has unknown type \`${column.type}\``;
  // Type names are SQL: an unquoted `Mood` means `mood`, as in CREATE TABLE.
  if (!info.array && catalog.typeNames().includes(typed)) {
    report(
      finding(
        at,
        'value',
        message,
        `type names are SQL and fold to lower case: write \`'"${typed}"'\` to keep the capitals`,
      ),
    );
    return info;
  }
  // Any type the server knows is accepted (a domain of another schema, `information_schema.cardinal_number`, a
  // type an extension installs): its existence is checked on the shadow. Only a name that looks like a slip
  // for a known one, in a schema this file declares, is reported here.
  if (info.schema !== undefined && catalog.schemaState(info.schema) === 'missing') return info;
  const near =
    FOREIGN_TYPES[typed.toLowerCase()] ?? closest(info.name, [...BUILTIN_TYPE_NAMES, ...catalog.typeNames()]);
  if (near !== undefined) report(finding(at, 'value', message, `did you mean \`${near}\`?`));
  return info;
}

const NOT_A_NAME = 'this is not a type name';

function checkColumn(
  report: Report,
  catalog: Catalog,
  table: TableDecl,
  c: string,
  column: ColumnDecl,
  cp: Path,
): void {
  const info = checkType(report, catalog, column, cp);
  const inPk = table.primaryKey?.columns.includes(c) ?? false;
  const has = (k: keyof ColumnDecl): boolean => column[k] !== undefined;
  if (has('identity') && has('default'))
    report(
      finding(
        [...cp, 'default'],
        'key',
        `${subject(cp)} has both \`identity\` and \`default\``,
        'an identity column makes its own values: remove `default`',
      ),
    );
  if (has('identity') && has('generated'))
    report(
      finding(
        [...cp, 'generated'],
        'key',
        `${subject(cp)} has both \`identity\` and \`generated\``,
        'keep one of them',
      ),
    );
  if (has('generated') && has('default'))
    report(
      finding(
        [...cp, 'default'],
        'key',
        `${subject(cp)} has both \`generated\` and \`default\``,
        'a generated column is computed: remove `default`',
      ),
    );
  if (has('identity') && info.kind !== 'invalid' && !isIntegerType(info.canonical))
    report(
      finding(
        [...cp, 'identity'],
        'key',
        `${subject(cp)}: identity needs smallint, integer or bigint, not \`${info.canonical}\``,
        'change the type to bigint, or remove `identity`',
      ),
    );
  if (column.nullable === true && inPk)
    report(
      finding(
        [...cp, 'nullable'],
        'value',
        `${subject(cp)} is in the primary key, so it is NOT NULL and cannot be nullable`,
        'remove `nullable: true`',
      ),
    );
  else if (column.nullable === true && has('identity'))
    report(
      finding(
        [...cp, 'nullable'],
        'value',
        `${subject(cp)} is an identity column, so it is NOT NULL and cannot be nullable`,
        'remove `nullable: true`',
      ),
    );
  const nullable = column.nullable ?? !(inPk || has('identity'));
  if (has('backfill') && nullable)
    report(
      finding(
        [...cp, 'backfill'],
        'key',
        `${subject(cp)} has \`backfill\` but is nullable; backfill fills existing rows of a NOT NULL column`,
        'add `nullable: false`, or remove `backfill`',
      ),
    );
  // `down` alone is fine: for a type change `up` defaults to a cast and only `down` is required (DESIGN.md).
  for (const hint of ['backfill', 'up', 'down'] as const)
    if (has(hint) && has('generated'))
      report(
        finding(
          [...cp, hint],
          'key',
          `${subject(cp)} is generated, so PostgreSQL computes it; \`${hint}\` cannot fill it`,
          `remove \`${hint}\``,
        ),
      );
}

/** renamedFrom must name something that no longer exists here, and only one thing can take over a name. */
export function checkRenames(
  report: Report,
  items: ReadonlyArray<readonly [string, string | undefined, Path]>,
  where: string,
  what: string,
): void {
  const names = new Set(items.map(([n]) => n));
  const taken = new Map<string, string>();
  for (const [name, from, path] of items) {
    if (from === undefined) continue;
    const at: Path = [...path, 'renamedFrom'];
    if (from === name) report(finding(at, 'value', `${subject(path)} is renamed from itself`, 'remove `renamedFrom`'));
    else if (names.has(from))
      report(
        finding(
          at,
          'value',
          `${subject(path)} is renamed from ${q(from)}, but ${where} still declares a ${what} ${q(from)}`,
          `remove \`renamedFrom\`, or rename or remove the other ${what}`,
        ),
      );
    else if (taken.has(from))
      report(
        finding(
          at,
          'value',
          `${subject(path)} is renamed from ${q(from)}, and so is ${what} ${q(taken.get(from) ?? '')}`,
          `only one ${what} can be renamed from ${q(from)}`,
        ),
      );
    taken.set(from, taken.get(from) ?? name);
  }
}

export function checkColumns(ctx: CheckContext): void {
  const report = reporter(ctx);
  const catalog = new Catalog(ctx);
  for (const [s, schema] of entries(ctx.data.schemas)) {
    // The types of domains, composite attributes and ranges are checked as column types are.
    for (const [d, domain] of entries(schema.domains)) checkType(report, catalog, domain, ['schemas', s, 'domains', d]);
    for (const [n, composite] of entries(schema.composites)) {
      for (const [a, attribute] of entries(composite.attributes))
        checkType(report, catalog, attribute, ['schemas', s, 'composites', n, 'attributes', a]);
      checkRenames(
        report,
        entries(composite.attributes).map(
          ([a, x]) => [a, x.renamedFrom, ['schemas', s, 'composites', n, 'attributes', a]] as const,
        ),
        `composite type ${qq(s, n)}`,
        'attribute',
      );
    }
    for (const [n, range] of entries(schema.ranges))
      checkType(report, catalog, { type: range.subtype }, ['schemas', s, 'ranges', n], 'subtype');
    for (const [t, table] of entries(schema.tables)) {
      const tp: Path = ['schemas', s, 'tables', t];
      const columns = entries(table.columns);
      // A table whose only columns were malformed is not empty: its columns were reported already.
      // A table without columns is legal in PostgreSQL (and introspection produces it), so it is not a problem.
      for (const [c, column] of columns) checkColumn(report, catalog, table, c, column, [...tp, 'columns', c]);
      checkRenames(
        report,
        columns.map(([c, col]) => [c, col.renamedFrom, [...tp, 'columns', c]] as const),
        `table ${qq(s, t)}`,
        'column',
      );
    }
    const tables = entries(schema.tables).map(
      ([t, table]) => [t, table.renamedFrom, ['schemas', s, 'tables', t]] as const,
    );
    checkRenames(report, tables, `schema ${q(s)}`, 'table');
  }
}
