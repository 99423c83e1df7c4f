// Table constraints: the clauses shared by CREATE TABLE and ALTER TABLE ... ADD CONSTRAINT, and the ALTER
// statements of the recipes (NOT VALID then VALIDATE, UNIQUE / PRIMARY KEY USING INDEX). Never CASCADE:
// dependents are dropped explicitly, in dependency order, by the planner.
import type {
  Check,
  ExclusionConstraint,
  FkAction,
  ForeignKey,
  PrimaryKey,
  UniqueConstraint,
} from '../../schema/model/model.js';
import { ident, identList, qualified } from '../../db/quote.js';
import { alterTable } from './common.js';

export function named(name: string, clause: string): string {
  return `CONSTRAINT ${ident(name)} ${clause}`;
}

function deferral(c: { readonly deferrable?: boolean; readonly initiallyDeferred?: boolean }): string {
  return (c.deferrable ? ' DEFERRABLE' : '') + (c.initiallyDeferred ? ' INITIALLY DEFERRED' : '');
}

export function primaryKeyClause(pk: PrimaryKey): string {
  return `PRIMARY KEY (${identList(pk.columns)})`;
}

export function uniqueClause(u: UniqueConstraint): string {
  return `UNIQUE${u.nullsNotDistinct ? ' NULLS NOT DISTINCT' : ''} (${identList(u.columns)})${deferral(u)}`;
}

/** Without NOT VALID: CREATE TABLE accepts it on a CHECK but silently creates a validated constraint. */
export function checkClause(ck: Check): string {
  return `CHECK (${ck.expression})${ck.noInherit ? ' NO INHERIT' : ''}`;
}

// `no action` is the default and is left out, as pg_get_constraintdef does.
function action(event: 'UPDATE' | 'DELETE', a: FkAction): string {
  return a === 'no action' ? '' : ` ON ${event} ${a.toUpperCase()}`;
}

/** Without NOT VALID, for the same reason as checkClause (and the model's notValid is an ALTER-only state). */
export function foreignKeyClause(fk: ForeignKey): string {
  const r = fk.references;
  return (
    `FOREIGN KEY (${identList(fk.columns)}) REFERENCES ${qualified(r.schema, r.table)} (${identList(r.columns)})` +
    (fk.match === 'full' ? ' MATCH FULL' : '') +
    action('UPDATE', fk.onUpdate) +
    action('DELETE', fk.onDelete) +
    deferral(fk)
  );
}

/** `usingIndex` turns an index built CONCURRENTLY into the constraint (the index takes the constraint's name). */
export function addPrimaryKey(
  schema: string,
  table: string,
  pk: PrimaryKey,
  opts: { usingIndex?: string } = {},
): string {
  const clause =
    opts.usingIndex === undefined ? primaryKeyClause(pk) : `PRIMARY KEY USING INDEX ${ident(opts.usingIndex)}`;
  return alterTable(schema, table, `ADD ${named(pk.name, clause)}`);
}

/** With `usingIndex`, NULLS NOT DISTINCT comes from the index itself; only the deferral is stated. */
export function addUnique(
  schema: string,
  table: string,
  u: UniqueConstraint,
  opts: { usingIndex?: string } = {},
): string {
  const clause =
    opts.usingIndex === undefined ? uniqueClause(u) : `UNIQUE USING INDEX ${ident(opts.usingIndex)}${deferral(u)}`;
  return alterTable(schema, table, `ADD ${named(u.name, clause)}`);
}

/** NOT VALID when `opts.notValid`, which defaults to the model's own `notValid`. */
export function addForeignKey(
  schema: string,
  table: string,
  fk: ForeignKey,
  opts: { notValid?: boolean } = {},
): string {
  const notValid = opts.notValid ?? fk.notValid === true;
  return alterTable(schema, table, `ADD ${named(fk.name, foreignKeyClause(fk))}${notValid ? ' NOT VALID' : ''}`);
}

/** NOT VALID when `opts.notValid`, which defaults to the model's own `notValid`. */
export function addCheck(schema: string, table: string, ck: Check, opts: { notValid?: boolean } = {}): string {
  const notValid = opts.notValid ?? ck.notValid === true;
  return alterTable(schema, table, `ADD ${named(ck.name, checkClause(ck))}${notValid ? ' NOT VALID' : ''}`);
}

export function validateConstraint(schema: string, table: string, name: string): string {
  return alterTable(schema, table, `VALIDATE CONSTRAINT ${ident(name)}`);
}

export function dropConstraint(schema: string, table: string, name: string): string {
  return alterTable(schema, table, `DROP CONSTRAINT ${ident(name)}`);
}

/**
 * ADD CONSTRAINT ... EXCLUDE: the definition is canonical text from the model (pg_get_constraintdef, or declared
 * text validate parsed as exactly one exclusion constraint). There is no NOT VALID form: it builds its index and
 * checks every row under the ALTER TABLE's ACCESS EXCLUSIVE lock.
 */
export function addExclusion(schema: string, table: string, x: ExclusionConstraint): string {
  return alterTable(schema, table, `ADD CONSTRAINT ${ident(x.name)} ${x.definition}`);
}
