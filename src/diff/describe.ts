// One line per change for people: plan listings, `switchyard diff`, logs. Names are quoted exactly as SQL
// would quote them; values (enum labels) as literals; expressions as written.
import { ident, identList, literal, qualified } from '../db/quote.js';
import type { DefaultPrivilegeScope, PrivilegeOn } from '../schema/model/grants.js';
import type { Change, ChangeKind, ChangeOf, CommentTarget, GrantOn } from './changes.js';

type Describers = { readonly [K in ChangeKind]: (change: ChangeOf<K>) => string };

const col = (c: { schema: string; table: string; column: { name: string } }): string =>
  `${qualified(c.schema, c.table)}.${ident(c.column.name)}`;
const on = (c: { schema: string; table: string }): string => `on ${qualified(c.schema, c.table)}`;
const orNone = (value: string | undefined, none: string): string => value ?? none;
const rls = (r: { enabled: boolean; forced: boolean }): string =>
  `${r.enabled ? 'enabled' : 'disabled'}${r.forced ? ', forced' : ''}`;
const identity = (ri: string | { index: string } | undefined): string =>
  ri === undefined ? 'default' : typeof ri === 'string' ? ri : `using index ${ident(ri.index)}`;

function commentTarget(schema: string, t: CommentTarget): string {
  switch (t.kind) {
    case 'schema':
      return `schema ${ident(schema)}`;
    case 'table':
      return `table ${qualified(schema, t.table)}`;
    case 'column':
      return `column ${qualified(schema, t.table)}.${ident(t.column)}`;
    case 'index':
      return `index ${qualified(schema, t.index)}`;
    case 'enum':
      return `enum ${qualified(schema, t.enum)}`;
    case 'type':
      return `${t.what} ${qualified(schema, t.type)}`;
    case 'view':
      return `${t.materialized ? 'materialized view' : 'view'} ${qualified(schema, t.view)}`;
    case 'view_column':
      return `column ${qualified(schema, t.view)}.${ident(t.column)}`;
    case 'constraint':
      return `constraint ${ident(t.constraint)} on ${qualified(schema, t.table)}`;
    case 'trigger':
      return `trigger ${ident(t.trigger)} on ${qualified(schema, t.table)}`;
    case 'sequence':
      return `sequence ${qualified(schema, t.sequence)}`;
    case 'function':
      return `function ${qualified(schema, t.function)}(${t.args})`;
  }
}

const roleText = (role: string): string => (role === 'PUBLIC' ? 'PUBLIC' : ident(role));
const privilegeText = (ps: readonly PrivilegeOn[]): string =>
  ps.map((p) => (p.columns ? `${p.privilege} (${identList(p.columns)})` : p.privilege)).join(', ');

function grantOnText(schema: string, on: GrantOn): string {
  switch (on.kind) {
    case 'schema':
      return `schema ${ident(schema)}`;
    case 'function':
      return `function ${qualified(schema, on.name)}(${on.args})`;
    default:
      return `${on.kind} ${qualified(schema, on.name)}`;
  }
}

const defaultScopeText = (s: DefaultPrivilegeScope): string =>
  `${s.on} created by ${ident(s.forRole)}${s.schema !== undefined ? ` in schema ${ident(s.schema)}` : ''}`;

const DESCRIBERS: Describers = {
  create_schema: (c) => `create schema ${ident(c.schema)}`,
  drop_schema: (c) => `drop schema ${ident(c.schema)}`,
  create_enum: (c) => `create enum ${qualified(c.schema, c.enum.name)} (${c.enum.values.map(literal).join(', ')})`,
  drop_enum: (c) => `drop enum ${qualified(c.schema, c.enum.name)}`,
  add_enum_value: (c) =>
    `add value ${literal(c.value)} to enum ${qualified(c.schema, c.enum.name)}` +
    (c.after !== undefined
      ? ` after ${literal(c.after)}`
      : c.before !== undefined
        ? ` before ${literal(c.before)}`
        : ''),
  recreate_enum: (c) =>
    `recreate enum ${qualified(c.schema, c.to.name)}: values (${c.from.values.map(literal).join(', ')}) become (${c.to.values.map(literal).join(', ')})`,
  create_sequence: (c) => `create sequence ${qualified(c.schema, c.sequence.name)}`,
  drop_sequence: (c) => `drop sequence ${qualified(c.schema, c.sequence.name)}`,
  alter_sequence: (c) => `alter sequence ${qualified(c.schema, c.to.name)}`,
  create_function: (c) => `create function ${qualified(c.schema, c.function.name)}(${c.function.args})`,
  drop_function: (c) => `drop function ${qualified(c.schema, c.function.name)}(${c.function.args})`,
  replace_function: (c) => `replace function ${qualified(c.schema, c.to.name)}(${c.to.args})`,
  add_table: (c) => `add table ${qualified(c.schema, c.table)}`,
  drop_table: (c) => `drop table ${qualified(c.schema, c.table)}`,
  rename_table: (c) => `rename table ${qualified(c.schema, c.from)} to ${ident(c.to)}`,
  add_column: (c) => `add column ${col(c)} ${c.column.type}${c.column.nullable ? '' : ' not null'}`,
  drop_column: (c) => `drop column ${col(c)}`,
  rename_column: (c) => `rename column ${qualified(c.schema, c.table)}.${ident(c.from)} to ${ident(c.to)}`,
  alter_column_type: (c) =>
    `change type of ${col(c)} from ${c.from} to ${c.to}` +
    (c.using !== undefined ? ` using ${c.using}` : '') +
    (c.binaryCoercible ? ' (no rewrite)' : ''),
  alter_collation: (c) =>
    `change collation of ${col(c)} from ${orNone(c.from, 'default')} to ${orNone(c.to, 'default')}`,
  alter_generated: (c) => (c.to === undefined ? `make ${col(c)} a plain column` : `generate ${col(c)} as ${c.to}`),
  set_default: (c) => `set default of ${col(c)} to ${c.to}`,
  drop_default: (c) => `drop default of ${col(c)}`,
  set_identity: (c) => `make ${col(c)} generated ${c.to} as identity`,
  drop_identity: (c) => `drop identity of ${col(c)}`,
  set_not_null: (c) => `set not null on ${col(c)}${c.backfill !== undefined ? ` (backfill: ${c.backfill})` : ''}`,
  drop_not_null: (c) => `drop not null on ${col(c)}`,
  add_primary_key: (c) => `add primary key ${ident(c.primaryKey.name)} ${on(c)} (${identList(c.primaryKey.columns)})`,
  drop_primary_key: (c) => `drop primary key ${ident(c.primaryKey.name)} ${on(c)}`,
  add_unique: (c) => `add unique ${ident(c.unique.name)} ${on(c)} (${identList(c.unique.columns)})`,
  drop_unique: (c) => `drop unique ${ident(c.unique.name)} ${on(c)}`,
  add_foreign_key: (c) => {
    const fk = c.foreignKey;
    const ref = `${qualified(fk.references.schema, fk.references.table)} (${identList(fk.references.columns)})`;
    return `add foreign key ${ident(fk.name)} ${on(c)} (${identList(fk.columns)}) references ${ref}`;
  },
  drop_foreign_key: (c) => `drop foreign key ${ident(c.foreignKey.name)} ${on(c)}`,
  validate_foreign_key: (c) => `validate foreign key ${ident(c.foreignKey.name)} ${on(c)}`,
  add_check: (c) => `add check ${ident(c.check.name)} ${on(c)}: ${c.check.expression}`,
  drop_check: (c) => `drop check ${ident(c.check.name)} ${on(c)}`,
  validate_check: (c) => `validate check ${ident(c.check.name)} ${on(c)}`,
  add_index: (c) => `add ${c.index.unique ? 'unique ' : ''}index ${ident(c.index.name)} ${on(c)}`,
  drop_index: (c) => `drop index ${ident(c.index.name)} ${on(c)}`,
  create_trigger: (c) => `create trigger ${ident(c.trigger.name)} ${on(c)}`,
  drop_trigger: (c) => `drop trigger ${ident(c.trigger.name)} ${on(c)}`,
  enable_trigger: (c) => `set trigger ${ident(c.trigger.name)} ${on(c)} from ${c.from} to ${c.to}`,
  create_view: (c) =>
    `create ${c.view.materialized ? 'materialized view' : 'view'} ${qualified(c.schema, c.view.name)}`,
  drop_view: (c) => `drop ${c.view.materialized ? 'materialized view' : 'view'} ${qualified(c.schema, c.view.name)}`,
  replace_view: (c) => `replace ${c.to.materialized ? 'materialized view' : 'view'} ${qualified(c.schema, c.to.name)}`,
  set_row_security: (c) => `set row level security ${on(c)} from ${rls(c.from)} to ${rls(c.to)}`,
  create_policy: (c) => `create policy ${ident(c.policy.name)} ${on(c)}`,
  drop_policy: (c) => `drop policy ${ident(c.policy.name)} ${on(c)}`,
  alter_policy: (c) => `alter policy ${ident(c.to.name)} ${on(c)}`,
  set_replica_identity: (c) =>
    `set replica identity of ${qualified(c.schema, c.table)} from ${identity(c.from)} to ${identity(c.to)}`,
  set_persistence: (c) => `set ${qualified(c.schema, c.table)} ${c.unlogged ? 'unlogged' : 'logged'}`,
  set_comment: (c) => `${c.to === null ? 'remove comment on' : 'set comment on'} ${commentTarget(c.schema, c.target)}`,
  set_storage: (c) =>
    `set storage parameters of ${qualified(c.schema, c.table)} to ${c.to.length ? c.to.map((p) => `${p.name}=${p.value}`).join(', ') : 'the defaults'}`,
  create_extension: (c) =>
    `create extension ${ident(c.extension.name)} in schema ${ident(c.schema)}${c.extension.version !== undefined ? ` version ${c.extension.version}` : ''}`,
  drop_extension: (c) => `drop extension ${ident(c.extension.name)} (version ${c.extension.version})`,
  alter_extension: (c) =>
    c.from.schema !== c.to.schema
      ? `move extension ${ident(c.to.name)} from schema ${ident(c.from.schema)} to ${ident(c.to.schema)}`
      : `update extension ${ident(c.to.name)} from version ${c.from.version ?? '?'} to ${c.to.version ?? '?'}`,
  grant_privileges: (c) =>
    `grant ${privilegeText(c.privileges)} on ${grantOnText(c.schema, c.on)} to ${roleText(c.role)}${c.withGrantOption ? ' with grant option' : ''}${c.optionOnly ? ' (the grant option only)' : ''}`,
  revoke_privileges: (c) =>
    `revoke ${c.optionOnly ? 'grant option for ' : ''}${privilegeText(c.privileges)} on ${grantOnText(c.schema, c.on)} from ${roleText(c.role)}`,
  grant_default_privileges: (c) =>
    `grant ${c.privileges.join(', ')} by default on ${defaultScopeText(c.scope)} to ${roleText(c.role)}${c.withGrantOption ? ' with grant option' : ''}${c.optionOnly ? ' (the grant option only)' : ''}`,
  revoke_default_privileges: (c) =>
    `revoke ${c.optionOnly ? 'grant option for ' : ''}${c.privileges.join(', ')} by default on ${defaultScopeText(c.scope)} from ${roleText(c.role)}`,
  create_domain: (c) => `create domain ${qualified(c.schema, c.domain.name)} as ${c.domain.type}`,
  drop_domain: (c) => `drop domain ${qualified(c.schema, c.domain.name)}`,
  set_domain_default: (c) =>
    c.to === undefined
      ? `drop default of domain ${qualified(c.schema, c.domain.name)}`
      : `set default of domain ${qualified(c.schema, c.domain.name)} to ${c.to}`,
  set_domain_not_null: (c) => `${c.notNull ? 'set' : 'drop'} not null on domain ${qualified(c.schema, c.domain.name)}`,
  add_domain_check: (c) =>
    `add check ${ident(c.check.name)} on domain ${qualified(c.schema, c.domain.name)}: ${c.check.expression}`,
  drop_domain_check: (c) => `drop check ${ident(c.check.name)} on domain ${qualified(c.schema, c.domain.name)}`,
  validate_domain_check: (c) => `validate check ${ident(c.check.name)} on domain ${qualified(c.schema, c.domain.name)}`,
  create_composite: (c) => `create composite type ${qualified(c.schema, c.type.name)}`,
  drop_composite: (c) => `drop composite type ${qualified(c.schema, c.type.name)}`,
  add_attribute: (c) =>
    `add attribute ${ident(c.attribute.name)} ${c.attribute.type} to ${qualified(c.schema, c.type.name)}`,
  drop_attribute: (c) => `drop attribute ${ident(c.attribute.name)} of ${qualified(c.schema, c.type.name)}`,
  rename_attribute: (c) => `rename attribute ${qualified(c.schema, c.type.name)}.${ident(c.from)} to ${ident(c.to)}`,
  create_range: (c) => `create range type ${qualified(c.schema, c.range.name)} of ${c.range.subtype}`,
  drop_range: (c) => `drop range type ${qualified(c.schema, c.range.name)}`,
  add_exclusion: (c) => `add exclusion constraint ${ident(c.exclusion.name)} ${on(c)}: ${c.exclusion.definition}`,
  drop_exclusion: (c) => `drop exclusion constraint ${ident(c.exclusion.name)} ${on(c)}`,
  refuse_type_change: (c) => `change ${c.what} ${qualified(c.schema, c.type)} (${c.reason})`,
  run_sql: (c) =>
    `run sql step ${c.step.name} (${c.step.statements.length} statement${c.step.statements.length === 1 ? '' : 's'}, ${c.step.phase})`,
};

/** A one-line description of a change, e.g. `add column app.users.email text not null`. */
export function describeChange(change: Change): string {
  // TypeScript cannot correlate the kind with the entry's parameter; the mapped type above guarantees it.
  return (DESCRIBERS[change.kind] as (c: Change) => string)(change);
}
