// Turning a path in the declared file into the words a problem uses: `column "email" of table "public"."users"`.
import { q, qq } from '../model/names.js';
import type { Path } from './zod-walk.js';

const IN_TABLE: Readonly<Record<string, string>> = {
  columns: 'column',
  unique: 'unique constraint',
  indexes: 'index',
  foreignKeys: 'foreign key',
  checks: 'check constraint',
  triggers: 'trigger',
  exclusions: 'exclusion constraint',
  policies: 'policy',
};
const IN_SCHEMA: Readonly<Record<string, string>> = {
  tables: 'table',
  enums: 'enum',
  sequences: 'sequence',
  views: 'view',
  domains: 'domain',
  composites: 'composite type',
  ranges: 'range type',
};

/** The innermost named object on `path`, and how many segments name it. */
export function namedObject(path: Path): { label: string; depth: number } {
  const [root, schema, kind, name, member, memberName] = path.map(String);
  if (root === 'tenants') return { label: '`tenants`', depth: 1 };
  if (root === 'sql' && schema !== undefined) return { label: `sql step ${q(schema)}`, depth: 2 };
  if (root !== 'schemas' || schema === undefined) return { label: 'the file', depth: 0 };
  const tableLabel = `table ${qq(schema, name ?? '')}`;
  if (kind === 'tables' && name !== undefined) {
    if (member === 'primaryKey') return { label: `primary key of ${tableLabel}`, depth: 5 };
    const what = member === undefined ? undefined : IN_TABLE[member];
    if (what && memberName !== undefined) return { label: `${what} ${q(memberName)} of ${tableLabel}`, depth: 6 };
    return { label: tableLabel, depth: 4 };
  }
  if (kind === 'views' && name !== undefined && member === 'indexes' && memberName !== undefined)
    return { label: `index ${q(memberName)} of view ${qq(schema, name)}`, depth: 6 };
  if (kind === 'domains' && name !== undefined && member === 'checks' && memberName !== undefined)
    return { label: `check ${q(memberName)} of domain ${qq(schema, name)}`, depth: 6 };
  if (kind === 'composites' && name !== undefined && member === 'attributes' && memberName !== undefined)
    return { label: `attribute ${q(memberName)} of composite type ${qq(schema, name)}`, depth: 6 };
  const what = kind === undefined ? undefined : IN_SCHEMA[kind];
  if (what && name !== undefined) return { label: `${what} ${qq(schema, name)}`, depth: 4 };
  if (kind === 'functions' && name !== undefined)
    return { label: `function #${Number(name) + 1} of schema ${q(schema)}`, depth: 4 };
  return { label: `schema ${q(schema)}`, depth: 2 };
}

/** `a.b[0].c` for the segments of a path below its named object. */
export function fieldName(rest: Path): string {
  return rest.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** The named object and, when the path goes further, the key inside it: ``index "i" of table "s"."t": `where` ``. */
export function subject(path: Path): string {
  const { label, depth } = namedObject(path);
  const rest = path.slice(depth);
  if (rest.length === 0) return label;
  return depth === 0 ? `\`${fieldName(rest)}\`` : `${label}: \`${fieldName(rest)}\``;
}

/** The dotted path of a Problem. */
export function dotted(path: Path): string {
  return path.map(String).join('.');
}
