// The differ's entry point: source snapshot x target -> changes.
//
// The source is read as pure structure (any change hints on it are ignored). The target's `renamedFrom`
// hints are resolved into renames first (see renames.ts) and then dropped; its `up`, `down` and `backfill`
// hints travel on the columns the changes carry. Hints that describe work already done (a rename whose new
// name exists, an `up` on a column whose type already matches) produce nothing, so planning again after a
// plan has run gives no change.
import type { DatabaseSchema, Schema } from '../schema/model/model.js';
import { emptySchema } from '../schema/model/model.js';
import { normalizeDatabase, structureOnly } from '../schema/model/normalize.js';
import type { Change } from './changes.js';
import { diffComment } from './comments.js';
import { diffEnums } from './enums.js';
import { diffExtensions } from './extensions.js';
import { diffFunctions } from './functions.js';
import { diffDefaultPrivileges, diffSchemaGrants } from './grants.js';
import { byName, omit, opt, pairByKey } from './list.js';
import { collector, type Emit } from './order.js';
import { applyRenames, findRenames, type Renames } from './renames.js';
import { diffSequences } from './sequences.js';
import { diffTables } from './tables.js';
import { diffComposites, diffDomains, diffRanges } from './user-types.js';
import { diffViews } from './views.js';

export function diff(from: DatabaseSchema, to: DatabaseSchema): Change[] {
  const source = normalizeDatabase(structureOnly(from));
  const declared = normalizeDatabase(to);
  const renames = findRenames(source, declared);
  const target = withoutRenameHints(declared);
  const { emit, changes } = collector();
  // The source's extensions as read (structureOnly keeps the schemas only); unknown (a snapshot that records
  // none), nothing is planned for them.
  if (from.extensions !== undefined) diffExtensions(emit, from.extensions, declared.extensions);
  const renamed = applyRenames(source, renames);
  for (const { key, from: f, to: t } of pairByKey(renamed.schemas, target.schemas, byName)) {
    if (!f) emit({ kind: 'create_schema', schema: key, ...opt('comment', t?.comment) });
    if (!t) emit({ kind: 'drop_schema', schema: key, ...opt('comment', f?.comment) });
    if (f && t) diffComment(emit, key, { kind: 'schema' }, f.comment, t.comment);
    // A created or dropped schema's contents are diffed against nothing: one change per object.
    diffSchema(emit, f ?? emptySchema(key), t ?? emptySchema(key), renames);
    diffSchemaGrants(emit, f, t);
  }
  diffDefaultPrivileges(emit, renamed, target);
  return changes();
}

function diffSchema(emit: Emit, f: Schema, t: Schema, renames: Renames): void {
  diffEnums(emit, t.name, f.enums, t.enums);
  diffDomains(emit, t.name, f.domains ?? [], t.domains ?? []);
  diffComposites(emit, t.name, f.composites ?? [], t.composites ?? []);
  diffRanges(emit, t.name, f.ranges ?? [], t.ranges ?? []);
  diffSequences(emit, t.name, f.sequences, t.sequences);
  diffFunctions(emit, t.name, f.functions, t.functions);
  diffTables(emit, t.name, f.tables, t.tables, renames.get(t.name));
  diffViews(emit, t.name, f.views ?? [], t.views ?? []);
}

/** Renames are changes of their own once resolved; the objects that changes carry do not repeat them. */
function withoutRenameHints(db: DatabaseSchema): DatabaseSchema {
  return {
    ...db,
    schemas: db.schemas.map((s) => ({
      ...s,
      tables: s.tables.map((t) => ({
        ...omit(t, 'renamedFrom'),
        columns: t.columns.map((c) => omit(c, 'renamedFrom')),
      })),
    })),
  };
}
