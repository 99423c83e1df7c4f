// Catalog dependencies (pg_depend, pg_rewrite) of the objects of a database's declared schemas: which objects
// depend on a table, a column, a type, a function, a sequence, an index or a constraint. Read by introspection,
// carried with the source snapshot (JSON snapshots hold them too), and checked by the planner: a step that drops
// or alters an object must not leave a dependent the model does not know behind (planner/dependents.ts).
//
// Plain data, with the raw names of each object: the planner turns them into its object keys. No field is
// called `schema`, so a JSON snapshot's header holding them never contains the `,"schema":` key it is split at.

/** One object, by kind and raw names. */
export interface CatalogObject {
  /**
   * `schema`, `table`, `column`, `index`, `sequence`, `view`, `materialized view`, `type`, `function`, `constraint`
   * for the objects depended on; for dependents also `default`, `generated column`, `policy`, `rule`,
   * `trigger`, `statistics`, `publication`, `check constraint`, `foreign key`, `domain`... (what the catalog holds).
   */
  readonly kind: string;
  /** Its schema (a table's schema for what belongs to a table). */
  readonly ns: string;
  /** The table (or relation) it belongs to: a column's, a constraint's, a trigger's, a policy's, a rule's. */
  readonly table?: string;
  readonly name: string;
  /** A routine's identity arguments (pg_get_function_identity_arguments). */
  readonly args?: string;
}

export interface CatalogDependency {
  /** The object depended on. */
  readonly on: CatalogObject;
  readonly dependent: CatalogObject & {
    /** The dependent as PostgreSQL identifies it (pg_identify_object: type and qualified identity), for messages. */
    readonly description: string;
  };
  /** pg_depend.deptype: `n` (normal: blocks a drop) or `a` (auto: dropped along with what it depends on). */
  readonly deptype: 'n' | 'a';
}
