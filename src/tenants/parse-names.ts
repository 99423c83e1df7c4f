// Where a PostgreSQL parse tree names a schema. The retargeting of tenant SQL (retarget-sql.ts) asks this, not a
// hand-written recognizer, which names in a statement are schema names: a qualifier (`tmpl.orders`,
// `tmpl.f()`, `'ok'::tmpl.mood`), the name of CREATE/DROP/ALTER/COMMENT ON/GRANT ON SCHEMA, the target of SET
// SCHEMA, an element of search_path. Everything else the tree holds as a name (a column, a table after a dot, an
// alias) is another name. The tree's JSON is walked generically, with the node types that carry schema names
// listed here, so a node type the list does not know only makes its names count as other names.

export type Tree = Record<string, unknown>;

export interface NameUse {
  readonly name: string;
  readonly schema: boolean;
  /** For another name, the node field holding it when that field is not one known to hold no schema. */
  readonly unknownPlace?: string;
}

/** Fields of a node that hold one name, never a schema's (a constant's value counts: `SET x TO word`). */
const NAME_FIELDS = new Set(
  (
    'relname catalogname colname name aliasname conname idxname trigname indexname rolename subname newname ' +
    'defname portalname extname fdwname servername tablespacename accessMethod amname policy_name sval'
  ).split(' '),
);

/** Lists of String nodes that are column or field names, or a trigger's text arguments. */
const NAME_LISTS = new Set(
  (
    'colnames cols keys fk_attrs pk_attrs including aliascolnames ctecolnames attlist va_cols fk_del_set_cols ' +
    'indirection args arg'
  ).split(' '),
);

/** Keys of lists of String nodes that are one possibly qualified name: the first of two or more is the schema. */
const QUALIFIED_KEYS = new Set([
  'funcname',
  'names',
  'collname',
  'opclass',
  'objname',
  'defnames',
  'conversion_name',
  'fields',
  'typeName',
  'handler_name',
  'validator',
  'opfamilyname',
  'collation',
  'domainname',
  'cfgname',
  'dictname',
  'opclassname',
  'func_name',
  'plhandler',
  'plinline',
  'plvalidator',
  // An operator's name in OPERATOR(schema.op) and in A_Expr.
  'name',
]);

/** Keys that repeat what another key of the same node holds (`objargs`), so a name there would count twice. */
const DUPLICATE_KEYS = new Set(['objfuncargs']);

/** Keys under which a statement holds the object(s) it is about: a List is a qualified name, a String one name. */
const OBJECT_KEYS = new Set(['objects', 'object']);

const SCHEMA_OBJECT_TYPE = 'OBJECT_SCHEMA';

function stringOf(v: unknown): string | undefined {
  const s = (v as { String?: { sval?: string } } | undefined)?.String;
  return s === undefined ? undefined : (s.sval ?? '');
}

function qualified(items: readonly unknown[], out: NameUse[]): void {
  items.forEach((item, i) => {
    const name = stringOf(item);
    if (name !== undefined) out.push({ name, schema: i === 0 && items.length >= 2 });
  });
}

/** The object type a statement node acts on, under the names PostgreSQL's nodes give that field. */
function objectType(node: Tree): unknown {
  return node.removeType ?? node.objtype ?? node.renameType ?? node.objectType;
}

/** Every name the tree holds, in tree order, each marked as a schema name or not. */
export function nameUses(tree: unknown): NameUse[] {
  const out: NameUse[] = [];
  walk(tree, out);
  return out;
}

function walk(v: unknown, out: NameUse[], key = ''): void {
  if (Array.isArray(v)) {
    for (const x of v) walk(x, out, key);
    return;
  }
  if (v === null || typeof v !== 'object') return;
  const entries = Object.entries(v as Tree);
  // A node is wrapped in its type (`{ "RangeVar": {...} }`) except where a field's type is fixed (`relation`).
  if (!entries.some(([key]) => /^[A-Z]/.test(key))) {
    visitNode('', v as Tree, out);
    return;
  }
  for (const [type, inner] of entries) {
    if (type === 'String') out.push(other(stringOf(v)!, NAME_LISTS.has(key), key));
    else if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) visitNode(type, inner as Tree, out);
    else walk(inner, out, key);
  }
}

function visitNode(type: string, node: Tree, out: NameUse[]): void {
  const schemaStmt = objectType(node) === SCHEMA_OBJECT_TYPE || node.targtype === 'ACL_TARGET_ALL_IN_SCHEMA';
  for (const [key, value] of Object.entries(node)) {
    if (type === 'PublicationObjSpec' && key === 'name' && typeof value === 'string') {
      out.push({ name: value, schema: node.pubobjtype === 'PUBLICATIONOBJ_TABLES_IN_SCHEMA' });
      continue;
    }
    if (typeof value === 'string') {
      if (key === 'schemaname' || key === 'newschema' || key === 'local_schema')
        out.push({ name: value, schema: true });
      else if ((key === 'subname' || key === 'newname') && schemaStmt) out.push({ name: value, schema: true });
      // Any other text of a node (a relation, column, constraint or alias name, or an enum value) is no schema.
      else out.push(other(value, NAME_FIELDS.has(key), `${type}.${key}`));
      continue;
    }
    if (type === 'VariableSetStmt' && key === 'args' && node.name === 'search_path' && Array.isArray(value)) {
      for (const a of value) {
        const sval = (a as { A_Const?: { sval?: { sval?: string } } }).A_Const?.sval?.sval;
        if (sval !== undefined) out.push({ name: sval, schema: true });
      }
      continue;
    }
    if (DUPLICATE_KEYS.has(key)) continue;
    if (type === 'DefElem' && (node.defname === 'schemas' || node.defname === 'schema') && key === 'arg') {
      const list = (value as { List?: { items?: unknown[] } } | undefined)?.List?.items;
      for (const item of list ?? (Array.isArray(value) ? value : [value])) {
        const name = stringOf(item);
        if (name !== undefined) out.push({ name, schema: true });
        else walk(item, out);
      }
      continue;
    }
    // `OWNED BY schema.table.column` of a sequence: a schema only before two more names.
    const ownedBy = (value as { List?: { items?: unknown[] } } | undefined)?.List?.items;
    if (type === 'DefElem' && node.defname === 'owned_by' && key === 'arg' && ownedBy !== undefined) {
      ownedBy.forEach((item, i) => {
        const name = stringOf(item);
        if (name !== undefined) out.push({ name, schema: i === 0 && ownedBy.length >= 3 });
      });
      continue;
    }
    if (Array.isArray(value) && QUALIFIED_KEYS.has(key) && value.some((x) => stringOf(x) !== undefined)) {
      qualified(value, out);
      for (const x of value) if (stringOf(x) === undefined) walk(x, out);
      continue;
    }
    if (OBJECT_KEYS.has(key)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        const name = stringOf(item);
        const list = (item as { List?: { items?: unknown[] } } | undefined)?.List?.items;
        if (name !== undefined) out.push({ name, schema: schemaStmt });
        else if (list?.every((x) => stringOf(x) !== undefined)) qualified(list, out);
        else walk(item, out);
      }
      continue;
    }
    walk(value, out, key);
  }
}

function other(name: string, known: boolean, place: string): NameUse {
  return known ? { name, schema: false } : { name, schema: false, unknownPlace: place };
}

/** Calls `fn` with every node of the tree (its type and fields), depth first, in tree order. */
export function forEachNode(tree: unknown, fn: (type: string, node: Tree) => void): void {
  if (Array.isArray(tree)) {
    for (const x of tree) forEachNode(x, fn);
    return;
  }
  if (tree === null || typeof tree !== 'object') return;
  for (const [key, inner] of Object.entries(tree as Tree)) {
    if (/^[A-Z]/.test(key) && inner !== null && typeof inner === 'object' && !Array.isArray(inner))
      fn(key, inner as Tree);
    forEachNode(inner, fn);
  }
}
