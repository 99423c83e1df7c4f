// Schemas, and the whole script that builds a declared schema on an empty database (round trips, shadow
// databases, rehearsal). Each phase covers every schema before the next begins, so references across schemas
// (an enum column, a foreign key, a trigger function elsewhere) always find their target.
import type {
  Check,
  CompositeType,
  Domain,
  ExclusionConstraint,
  RangeType,
  DatabaseSchema,
  ForeignKey,
  PrimaryKey,
  Schema,
  Table,
  UniqueConstraint,
} from '../../schema/model/model.js';
import { normalizeDatabase } from '../../schema/model/normalize.js';
import { ident } from '../../db/quote.js';
import { comment } from './comments.js';
import { createExtensionIfMissing, createSchemaIfMissing } from './extensions.js';
import { type GrantTarget, grantDefault, grantStatements } from './grants.js';
import { addCheck, addExclusion, addForeignKey } from './constraints.js';
import { createFunction } from './functions.js';
import { createIndex } from './indexes.js';
import { createTable } from './table.js';
import { createPolicy, forceRowSecurity, replicaIdentity, rowSecurity } from './security.js';
import { createTrigger, enableTrigger } from './triggers.js';
import { alterSequenceOwnedBy, createEnum, createSequence } from './types.js';
import { addDomainCheck, createComposite, createDomain, createRange } from './user-types.js';
import { identifierParts } from '../../schema/model/names.js';
import { viewStatements, viewsInDependencyOrder } from './views.js';

export function createSchema(name: string): string {
  return `CREATE SCHEMA ${ident(name)}`;
}

/** Never CASCADE: the schema must already be empty. */
export function dropSchema(name: string): string {
  return `DROP SCHEMA ${ident(name)}`;
}

/** Every database starts with `public` (and its default comment); every other schema is created. */
const BUILT_IN = 'public';

/**
 * The complete, ordered script creating `db` on an empty database: one statement per element, without a
 * trailing semicolon (the executor sends each element as it is). The order is fixed and the model is
 * normalized first, so the same schema always gives the same script:
 * schemas and their comments, enums, range types, domains, composite types, sequences, functions, tables (checks inline, no foreign keys), sequence
 * OWNED BY, NOT VALID checks, indexes (not CONCURRENTLY: nothing else uses the database), foreign keys (after
 * every table and unique index, so cycles and cross-schema references work), triggers and their modes, views in
 * dependency order (with a materialized view's indexes and their comments), comments.
 * An index marked `invalid` is created valid: no statement can create an invalid one.
 * SQL-language function bodies are checked at creation, so one that reads a table needs
 * `check_function_bodies = off` in the session (as pg_dump sets); plpgsql bodies are not checked.
 */
export function renderDatabase(db: DatabaseSchema): string[] {
  return renderDatabaseObjects(db).map((s) => s.sql);
}

/** A statement of renderDatabase and the model object it creates, as a path into the declared file. */
export interface ObjectStatement {
  readonly sql: string;
  /** `['schemas', s, 'tables', t, 'indexes', i]`; functions are named `['schemas', s, 'functions', name]`. */
  readonly object: readonly string[];
}

/** renderDatabase, each statement with the object it creates, so a server's refusal can name its YAML node. */
export function renderDatabaseObjects(db: DatabaseSchema): ObjectStatement[] {
  const normalized = normalizeDatabase(db);
  const schemas = normalized.schemas;
  const tables = schemas.flatMap((s) => s.tables.map((t) => [s.name, t] as const));
  const at = (sql: string, ...object: string[]): ObjectStatement => ({ sql, object: ['schemas', ...object] });
  const perTable = (f: (schema: string, t: Table) => ObjectStatement[]) => tables.flatMap(([s, t]) => f(s, t));
  const perSchema = (f: (s: Schema) => ObjectStatement[]) => schemas.flatMap(f);
  const member = (s: string, t: Table, kind: string, name: string) => [s, 'tables', t.name, kind, name];
  const declaredSchemas = new Set([BUILT_IN, ...schemas.map((s) => s.name)]);
  return [
    ...schemas.filter((s) => s.name !== BUILT_IN).map((s) => at(createSchema(s.name), s.name)),
    // Extensions before anything that may use them; IF NOT EXISTS, as the servers switchyard builds schemas on
    // may have them already (created from the source's list).
    ...(normalizeDatabase(db).extensions ?? []).flatMap((e) => [
      ...(declaredSchemas.has(e.schema)
        ? []
        : [{ sql: createSchemaIfMissing(e.schema), object: ['extensions', e.name] }]),
      { sql: createExtensionIfMissing(e.name, e.schema, e.version), object: ['extensions', e.name] },
    ]),
    // public keeps its built-in comment ("standard public schema"), which introspection reads as no comment.
    ...perSchema((s) =>
      s.comment !== undefined ? [at(comment({ kind: 'schema', schema: s.name }, s.comment), s.name, 'comment')] : [],
    ),
    ...perSchema((s) => s.enums.map((e) => at(createEnum(s.name, e), s.name, 'enums', e.name))),
    // Domains, composite and range types, each after the ones it is made of (a domain over a domain...).
    ...userTypesInDependencyOrder(schemas).map(({ schema, type: t }) =>
      t.kind === 'domain'
        ? at(createDomain(schema, t), schema, 'domains', t.name)
        : t.kind === 'composite'
          ? at(createComposite(schema, t), schema, 'composites', t.name)
          : at(createRange(schema, t), schema, 'ranges', t.name),
    ),
    ...perSchema((s) => s.sequences.map((q) => at(createSequence(s.name, q), s.name, 'sequences', q.name))),
    ...perSchema((s) => s.functions.map((f) => at(createFunction(f), s.name, 'functions', f.name))),
    ...perTable((s, t) => [at(createTable(s, t), s, 'tables', t.name)]),
    ...perSchema((s) =>
      s.sequences.flatMap((q) =>
        q.ownedBy ? [at(alterSequenceOwnedBy(s.name, q.name, q.ownedBy), s.name, 'sequences', q.name, 'ownedBy')] : [],
      ),
    ),
    ...perTable((s, t) =>
      t.checks.filter((c) => c.notValid).map((c) => at(addCheck(s, t.name, c), ...member(s, t, 'checks', c.name))),
    ),
    ...perSchema((s) =>
      (s.domains ?? []).flatMap((d) =>
        d.checks
          .filter((c) => c.notValid)
          .map((c) => at(addDomainCheck(s.name, d.name, c, true), s.name, 'domains', d.name, 'checks', c.name)),
      ),
    ),
    ...perTable((s, t) => t.indexes.map((i) => at(createIndex(s, t.name, i), ...member(s, t, 'indexes', i.name)))),
    ...perTable((s, t) =>
      (t.exclusions ?? []).map((x) => at(addExclusion(s, t.name, x), ...member(s, t, 'exclusions', x.name))),
    ),
    ...perTable((s, t) =>
      t.foreignKeys.map((f) => at(addForeignKey(s, t.name, f), ...member(s, t, 'foreignKeys', f.name))),
    ),
    ...perTable((s, t) =>
      t.triggers.flatMap((tr) => [
        at(createTrigger(s, t.name, tr), ...member(s, t, 'triggers', tr.name)),
        ...(tr.enabled === 'origin'
          ? []
          : [at(enableTrigger(s, t.name, tr.name, tr.enabled), ...member(s, t, 'triggers', tr.name))]),
      ]),
    ),
    // The replica identity after the table's indexes (USING INDEX names one).
    ...perTable((s, t) =>
      t.replicaIdentity !== undefined
        ? [at(replicaIdentity(s, t.name, t.replicaIdentity), s, 'tables', t.name, 'replicaIdentity')]
        : [],
    ),
    ...perTable((s, t) => [
      ...(t.rowSecurity ? [at(rowSecurity(s, t.name, true), s, 'tables', t.name, 'rowSecurity')] : []),
      ...(t.forceRowSecurity ? [at(forceRowSecurity(s, t.name, true), s, 'tables', t.name, 'forceRowSecurity')] : []),
    ]),
    // Views after every table, function and index they may read, each after the views it reads; populated.
    ...viewsInDependencyOrder(schemas).flatMap(({ schema, view }) =>
      viewStatements(schema, view, { withData: true }).map((sql) => at(sql, schema, 'views', view.name)),
    ),
    // Policies last: their expressions may read any table, view or function.
    ...perTable((s, t) =>
      (t.policies ?? []).map((p) => at(createPolicy(s, t.name, p), ...member(s, t, 'policies', p.name))),
    ),
    ...perSchema((s) =>
      s.enums.flatMap((e) =>
        e.comment !== undefined
          ? [at(comment({ kind: 'type', schema: s.name, name: e.name }, e.comment), s.name, 'enums', e.name)]
          : [],
      ),
    ),
    ...perSchema((s) =>
      (['domains', 'composites', 'ranges'] as const).flatMap((list) =>
        (s[list] ?? []).flatMap((x) =>
          x.comment !== undefined
            ? [at(comment({ kind: 'type', schema: s.name, name: x.name }, x.comment), s.name, list, x.name)]
            : [],
        ),
      ),
    ),
    ...perSchema((s) => [
      ...s.sequences.flatMap((q) =>
        q.comment !== undefined
          ? [at(comment({ kind: 'sequence', schema: s.name, name: q.name }, q.comment), s.name, 'sequences', q.name)]
          : [],
      ),
      ...s.functions.flatMap((f) =>
        f.comment !== undefined
          ? [
              at(
                comment({ kind: 'function', schema: s.name, name: f.name, args: f.args }, f.comment),
                s.name,
                'functions',
                f.name,
              ),
            ]
          : [],
      ),
    ]),
    ...perTable((s, t) => tableComments(s, t).map((sql) => at(sql, s, 'tables', t.name))),
    // Grants once every object exists; default privileges last, so that they give nothing to the objects above.
    ...perSchema((s) => objectGrants(s).map(({ sql, object }) => at(sql, s.name, ...object))),
    ...(normalized.defaultPrivileges ?? []).map((d, i) => ({
      sql: grantDefault(d, d.role, d.privileges, d.withGrantOption === true),
      object: ['defaultPrivileges', String(i)],
    })),
  ];
}

/** The GRANTs of a schema and everything in it, each with the path of the object (below the schema). */
function objectGrants(s: Schema): { sql: string; object: string[] }[] {
  const out: { sql: string; object: string[] }[] = [];
  const add = (target: GrantTarget, grants: Schema['grants'], ...object: string[]) => {
    for (const sql of grantStatements(target, grants)) out.push({ sql, object: [...object, 'grants'] });
  };
  const schema = s.name;
  add({ kind: 'schema', schema }, s.grants);
  for (const e of s.enums) add({ kind: 'type', schema, name: e.name }, e.grants, 'enums', e.name);
  for (const q of s.sequences) add({ kind: 'sequence', schema, name: q.name }, q.grants, 'sequences', q.name);
  for (const f of s.functions)
    add({ kind: 'function', schema, name: f.name, args: f.args }, f.grants, 'functions', f.name);
  for (const t of s.tables) add({ kind: 'table', schema, name: t.name }, t.grants, 'tables', t.name);
  // A view's grants are among its statements (viewStatements).
  return out;
}

function tableComments(schema: string, t: Table): string[] {
  const out: string[] = [];
  if (t.comment !== undefined) out.push(comment({ kind: 'table', schema, table: t.name }, t.comment));
  for (const c of t.columns) {
    if (c.comment !== undefined)
      out.push(comment({ kind: 'column', schema, table: t.name, column: c.name }, c.comment));
  }
  for (const i of t.indexes)
    if (i.comment !== undefined) out.push(comment({ kind: 'index', schema, name: i.name }, i.comment));
  for (const c of tableConstraints(t))
    if (c.comment !== undefined)
      out.push(comment({ kind: 'constraint', schema, table: t.name, name: c.name }, c.comment));
  for (const g of t.triggers)
    if (g.comment !== undefined) out.push(comment({ kind: 'trigger', schema, table: t.name, name: g.name }, g.comment));
  for (const p of t.policies ?? [])
    if (p.comment !== undefined) out.push(comment({ kind: 'policy', schema, table: t.name, name: p.name }, p.comment));
  return out;
}

/** A table's constraints: primary key, unique constraints, foreign keys, checks, exclusion constraints. */
export function tableConstraints(
  t: Table,
): (PrimaryKey | UniqueConstraint | ForeignKey | Check | ExclusionConstraint)[] {
  return [...(t.primaryKey ? [t.primaryKey] : []), ...t.unique, ...t.foreignKeys, ...t.checks, ...(t.exclusions ?? [])];
}

type UserType = Domain | CompositeType | RangeType;

/** The type texts a user type is made of: a domain's base type, a composite's attributes, a range's subtype. */
const partsOf = (t: UserType): string[] =>
  t.kind === 'domain' ? [t.type] : t.kind === 'composite' ? t.attributes.map((a) => a.type) : [t.subtype];

/**
 * Every domain, composite and range type, each after the user types its parts name (qualified, or bare and
 * declared in one schema only), otherwise in schema and name order. PostgreSQL cannot create a cycle either.
 */
function userTypesInDependencyOrder(schemas: readonly Schema[]): { schema: string; type: UserType }[] {
  const all = schemas.flatMap((s) =>
    [...(s.ranges ?? []), ...(s.domains ?? []), ...(s.composites ?? [])].map((type) => ({ schema: s.name, type })),
  );
  const id = (schema: string, name: string) => `${schema}\u0000${name}`;
  const byId = new Map(all.map((x) => [id(x.schema, x.type.name), x]));
  const resolve = (text: string): string | undefined => {
    const parts = identifierParts(text.replace(/(\[\])+$/, '').replace(/\(.*\)$/, ''));
    if (!parts) return undefined;
    const [a = '', b] = parts;
    if (b !== undefined) return byId.has(id(a, b)) ? id(a, b) : undefined;
    const owners = all.filter((x) => x.type.name === a);
    return owners.length === 1 && owners[0] ? id(owners[0].schema, a) : undefined;
  };
  const out: { schema: string; type: UserType }[] = [];
  const seen = new Set<string>();
  const visit = (x: { schema: string; type: UserType }): void => {
    const k = id(x.schema, x.type.name);
    if (seen.has(k)) return;
    seen.add(k);
    for (const part of partsOf(x.type)) {
      const dep = resolve(part);
      const target = dep === undefined ? undefined : byId.get(dep);
      if (target) visit(target);
    }
    out.push(x);
  };
  for (const x of all) visit(x);
  return out;
}
