// Lookups by name in a model, indexed once per model (models are immutable) so that planning across
// thousands of tables stays linear.
import type { DatabaseSchema, Index, Schema, Table } from './model.js';

interface Indexed {
  readonly schemas: Map<string, Schema>;
  readonly tables: Map<string, Table>;
  /** The schema's relation namespace: tables, sequences, indexes and constraint indexes share it. */
  readonly relations: Map<string, Relation>;
}

export interface Relation {
  readonly kind: 'table' | 'sequence' | 'index' | 'constraint';
  readonly table?: string;
  readonly index?: Index;
}

const cache = new WeakMap<DatabaseSchema, Indexed>();
const k = (a: string, b: string) => `${a}\u001f${b}`;

function indexed(db: DatabaseSchema): Indexed {
  let ix = cache.get(db);
  if (ix) return ix;
  ix = { schemas: new Map(), tables: new Map(), relations: new Map() };
  for (const s of db.schemas) {
    ix.schemas.set(s.name, s);
    const rel = (name: string, r: Relation) => {
      if (!ix!.relations.has(k(s.name, name))) ix!.relations.set(k(s.name, name), r);
    };
    for (const t of s.tables) {
      ix.tables.set(k(s.name, t.name), t);
      rel(t.name, { kind: 'table' });
    }
    for (const q of s.sequences) rel(q.name, { kind: 'sequence' });
    for (const t of s.tables) {
      for (const i of t.indexes) rel(i.name, { kind: 'index', table: t.name, index: i });
      for (const c of [...(t.primaryKey ? [t.primaryKey] : []), ...t.unique])
        rel(c.name, { kind: 'constraint', table: t.name });
    }
  }
  cache.set(db, ix);
  return ix;
}

export function findSchema(db: DatabaseSchema, schema: string): Schema | undefined {
  return indexed(db).schemas.get(schema);
}

export function findTable(db: DatabaseSchema, schema: string, table: string): Table | undefined {
  return indexed(db).tables.get(k(schema, table));
}

/** What holds `name` in the schema's relation namespace (first: tables, sequences, then indexes). */
export function findRelation(db: DatabaseSchema, schema: string, name: string): Relation | undefined {
  return indexed(db).relations.get(k(schema, name));
}
