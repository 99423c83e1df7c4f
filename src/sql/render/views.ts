// Views and materialized views: CREATE [OR REPLACE], DROP, REFRESH, and the order a set of them is built in.
// The definition is the model's canonical SELECT (pg_get_viewdef text), inserted verbatim on its own lines, so
// that a trailing line comment in a declared one cannot swallow what follows.
import type { Schema, View } from '../../schema/model/model.js';
import { qualified } from '../../db/quote.js';
import { relationsNamed } from '../../schema/declared/sql-text.js';
import { comment } from './comments.js';
import { grantStatements } from './grants.js';
import { createIndex } from './indexes.js';

export interface CreateViewOptions {
  /** CREATE OR REPLACE VIEW (views only): same leading columns, names and types; only appended ones. */
  readonly replace?: boolean;
  /** Materialized views: populate now (WITH DATA) or leave it for a REFRESH (WITH NO DATA, the default). */
  readonly withData?: boolean;
}

/** `WITH (...)` of a view: every option it has, so that CREATE OR REPLACE also removes the ones it lost. */
function viewOptions(v: View): string {
  const o: string[] = [];
  if (v.checkOption) o.push(`check_option = ${v.checkOption}`);
  if (v.securityBarrier) o.push('security_barrier = true');
  if (v.securityInvoker) o.push('security_invoker = true');
  return o.length ? ` WITH (${o.join(', ')})` : '';
}

export function createView(schema: string, v: View, o: CreateViewOptions = {}): string {
  if (v.materialized) {
    return `CREATE MATERIALIZED VIEW ${qualified(schema, v.name)} AS\n${v.definition}\n${o.withData ? 'WITH DATA' : 'WITH NO DATA'}`;
  }
  return `CREATE ${o.replace ? 'OR REPLACE ' : ''}VIEW ${qualified(schema, v.name)}${viewOptions(v)} AS\n${v.definition}\n`;
}

export function dropView(schema: string, v: Pick<View, 'name' | 'materialized'>): string {
  return `DROP ${v.materialized ? 'MATERIALIZED ' : ''}VIEW ${qualified(schema, v.name)}`;
}

export function refreshMaterializedView(schema: string, name: string, concurrently = false): string {
  return `REFRESH MATERIALIZED VIEW ${concurrently ? 'CONCURRENTLY ' : ''}${qualified(schema, name)}`;
}

/** The comments of a view: on itself, on its columns by column name, on a materialized view's indexes. */
export function viewComments(schema: string, v: View): string[] {
  const kind = v.materialized ? 'materialized view' : 'view';
  return [
    ...(v.comment !== undefined ? [comment({ kind, schema, name: v.name }, v.comment)] : []),
    ...(v.columnComments ?? []).map((c) =>
      comment({ kind: 'column', schema, table: v.name, column: c.name }, c.comment),
    ),
    ...(v.indexes ?? []).flatMap((i) =>
      i.comment !== undefined ? [comment({ kind: 'index', schema, name: i.name }, i.comment)] : [],
    ),
  ];
}

/** Everything that builds a view as the model has it: CREATE, a materialized view's indexes, comments. */
export function viewStatements(schema: string, v: View, o: CreateViewOptions = {}): string[] {
  return [
    createView(schema, v, o),
    ...(v.indexes ?? []).map((i) => createIndex(schema, v.name, i)),
    ...viewComments(schema, v),
    // A view made again (replaced by drop and create, rebuilt as a dependent, put back by a rollback) has lost
    // its grants: they go with its statements.
    ...grantStatements({ kind: 'table', schema, name: v.name }, v.grants),
  ];
}

/** A view of a schema: where it is and what it is. */
export interface PlacedView {
  readonly schema: string;
  readonly view: View;
}

const placedKey = (schema: string, name: string) => `${schema}\u001f${name}`;

/**
 * The relations a view reads: from the catalog when known (`derived.reads`), else from its text, an unqualified
 * name standing for the view's own schema or public (the session's search_path when a declared schema is built).
 */
export function viewReads(schema: string, v: View): string[] {
  if (v.derived) return v.derived.reads.map((r) => placedKey(r.schema, r.relation));
  return relationsNamed(v.definition).flatMap(([s, n]) =>
    s !== undefined ? [placedKey(s, n)] : [placedKey(schema, n), placedKey('public', n)],
  );
}

/** The views of `schemas` in an order that creates each after the views it reads (a cycle keeps name order). */
export function viewsInDependencyOrder(schemas: readonly Schema[]): PlacedView[] {
  const all = schemas.flatMap((s) => (s.views ?? []).map((view) => ({ schema: s.name, view })));
  return dependencyOrder(all);
}

/** `views` ordered so that each comes after the views it reads among them; otherwise in the given order. */
export function dependencyOrder(views: readonly PlacedView[]): PlacedView[] {
  const byKey = new Map(views.map((p) => [placedKey(p.schema, p.view.name), p]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: PlacedView[] = [];
  const visit = (k: string) => {
    const p = byKey.get(k);
    if (!p || done.has(k) || visiting.has(k)) return;
    visiting.add(k);
    for (const r of viewReads(p.schema, p.view)) if (r !== k) visit(r);
    visiting.delete(k);
    done.add(k);
    out.push(p);
  };
  for (const p of views) visit(placedKey(p.schema, p.view.name));
  return out;
}
