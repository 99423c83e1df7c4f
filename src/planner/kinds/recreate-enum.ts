// recreate_enum: values removed or reordered. PostgreSQL has no in-place form, so the contract of the next
// release (the previous application version may still write a removed value until then) builds the new type
// under a temporary name, converts every table using the old one (one ALTER TABLE per table: a rewrite under
// ACCESS EXCLUSIVE, failing if a row holds a removed value), drops the old type and gives the new one its
// name. Each step's rollback undoes exactly that step, so the phase rolls back to the old type.
//
// What is converted is the target's users of the type. A column of it that only the source has is dropped (or
// retired by a rename) by its own change in this same phase; that drop requires the type, and converting it
// first would only fail on the very values being removed.
//
// Graph keys: the replacement is `type:<name>__sy_new` until the final rename drops that key; the old type is
// `type:<name>`, dropped by the DROP TYPE step, so every step requiring it (conversions, drops of columns of
// the type) comes before it. The rename creates `type:<name>` again (the rehearsal checks that the phase leaves
// it existing): it requires the drop's `gone` milestone, which tells the graph (graph.ts) it is a re-creation,
// so the requirers of the old type stay before the drop instead of moving after the rename.
import type { RecreateEnum } from '../../diff/index.js';
import { comment, createEnum, dropType, grantStatements, privilegesOf, revoke } from '../../sql/render/index.js';
import { ident, literal, qualified } from '../../db/quote.js';
import { draft, none, type DraftInput } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, Hazard, StepDraft } from '../types.js';
import { dropping, milestone } from '../recipes/dependents.js';
import { renameMentions } from '../recipes/objects.js';
import { NEW_SUFFIX, convertTable, enumDependents, renameType, type EnumTableUse } from '../recipes/enums.js';
import { recreateEnumProblems } from '../recipes/enum-validation.js';

const step = (i: Omit<DraftInput, 'phase' | 'releaseOffset'>): StepDraft =>
  draft({ ...i, phase: 'contract', releaseOffset: 1 });

function convertStep(c: RecreateEnum, u: EnumTableUse, removed: readonly string[]): StepDraft {
  const { schema, to } = c;
  const tmp = to.name + NEW_SUFFIX;
  const table = qualified(u.schema, u.table);
  const rewrite = u.columns.length > 0;
  const what = [...u.columns, ...u.defaults]
    .map((x) => ident(x.name))
    .concat(u.checks.map((ck) => `check ${ident(ck.name)}`));
  const fails = rewrite && removed.length > 0 ? `; fails if a row holds ${removed.map(literal).join(', ')}` : '';
  const hazards: Hazard[] = [];
  if (rewrite) hazards.push('TABLE_REWRITE');
  if (fails) hazards.push('CORRECTNESS');
  if (!rewrite && u.checks.length > 0) hazards.push('FULL_SCAN'); // re-added checks are validated
  return step({
    action: 'convert_enum_users',
    description: `move ${what.join(', ')} of ${table} to the new enum ${qualified(schema, to.name)} (${rewrite ? 'rewrites the table' : 'no rewrite'}${fails})`,
    sql: convertTable(u, schema, tmp, (sql) => renameMentions(sql, schema, to.name, tmp)),
    rollback: [convertTable(u, schema, to.name)],
    lock: 'ACCESS EXCLUSIVE',
    locks: [[u.schema, u.table]],
    hazards,
    alters: u.columns.map((x) => key.column(u.schema, u.table, x.name)),
    requires: [
      key.table(u.schema, u.table),
      ...[...u.columns, ...u.defaults].map((x) => key.column(u.schema, u.table, x.name)),
      key.type(schema, to.name),
      key.type(schema, tmp),
    ],
    costTable: { schema: u.schema, table: u.table, work: rewrite ? 'rewrite' : u.checks.length > 0 ? 'scan' : 'none' },
  });
}

export const recreateEnumHandler: Handler<RecreateEnum> = {
  validate: recreateEnumProblems,
  expand: none,
  backfill: none,
  contract(c, ctx) {
    const { schema, from, to } = c;
    const tmp = to.name + NEW_SUFFIX;
    const name = qualified(schema, to.name);
    const oldKey = key.type(schema, to.name);
    const newKey = key.type(schema, tmp);
    const removed = from.values.filter((v) => !to.values.includes(v));
    // By this release the old type carries the target's comment (a set_comment ran in release 1).
    const note = to.comment !== undefined ? [comment({ kind: 'type', schema, name: to.name }, to.comment)] : [];
    const tmpTarget = { kind: 'type', schema, name: tmp } as const;
    // Likewise its grants (a grant_privileges ran in release 1): the replacement gets them, a rollback of the
    // drop gives them back to the old type.
    const regrant = grantStatements({ kind: 'type', schema, name: to.name }, to.grants);
    return [
      step({
        action: 'create_enum_replacement',
        description: `create the replacement of enum ${name} as ${qualified(schema, tmp)} with values (${to.values.map(literal).join(', ')})`,
        sql: createEnum(schema, { kind: 'enum', name: tmp, values: to.values }),
        rollback: [dropType(schema, tmp)],
        creates: [newKey],
        requires: [key.schema(schema)],
      }),
      ...(to.comment !== undefined
        ? [
            step({
              action: 'comment_enum_replacement',
              description: `comment on enum ${qualified(schema, tmp)}`,
              sql: comment(tmpTarget, to.comment),
              rollback: [comment(tmpTarget, null)],
              requires: [newKey],
            }),
          ]
        : []),
      ...grantStatements({ kind: 'type', schema, name: tmp }, to.grants).map((sql, i) =>
        step({
          action: 'grant_enum_replacement',
          description: `grant on enum ${qualified(schema, tmp)} what ${name} grants`,
          sql,
          rollback: [revoke(tmpTarget, to.grants![i]!.role, privilegesOf(to.grants![i]!), false)],
          requires: [newKey],
        }),
      ),
      ...enumDependents(ctx.target, schema, to.name).tables.map((u) => convertStep(c, u, removed)),
      dropping(
        step({
          action: 'drop_old_enum',
          description: `drop the old enum ${name}`,
          sql: dropType(schema, to.name),
          rollback: [createEnum(schema, { kind: 'enum', name: to.name, values: from.values }), ...note, ...regrant],
          requires: [newKey],
          drops: [oldKey],
        }),
      ),
      step({
        action: 'rename_enum_replacement',
        description: `rename ${qualified(schema, tmp)} to ${name}`,
        sql: renameType(schema, tmp, to.name),
        rollback: [renameType(schema, to.name, tmp)],
        creates: [oldKey],
        requires: [milestone.gone(oldKey)],
        drops: [newKey],
      }),
    ];
  },
};
