// add_table: CREATE TABLE in expand, with its columns, primary key, unique constraints and checks (its indexes,
// foreign keys and triggers are changes of their own, ordered by their own dependencies). Nothing uses the
// table yet, so no lock blocks anyone. A check declared NOT VALID and each comment are steps of their own. The
// rollback is DROP TABLE; foreign keys referencing the table are rolled back before it (they require its key).
import type { AddTable } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { addCheck, comment, createTable, dropConstraint, dropTable } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, StepDraft } from '../types.js';
import { tableComments, tableNeeds, tableObjects } from '../recipes/table-definition.js';

export const addTableHandler: Handler<AddTable> = {
  validate: () => [],
  expand(c, ctx) {
    const { schema, definition: t } = c;
    const name = qualified(schema, t.name);
    const table = key.table(schema, t.name);
    const steps: StepDraft[] = [
      draft({
        phase: 'expand',
        action: 'create_table',
        description: `create table ${name}`,
        sql: createTable(schema, t),
        rollback: [dropTable(schema, t.name)],
        creates: tableObjects(schema, { ...t, checks: t.checks.filter((k) => !k.notValid) }),
        requires: tableNeeds(ctx, schema, t),
      }),
    ];
    for (const ck of t.checks.filter((k) => k.notValid)) {
      steps.push(
        draft({
          phase: 'expand',
          action: 'add_check_not_valid',
          description: `add check ${ident(ck.name)} NOT VALID on ${name}, as declared`,
          sql: addCheck(schema, t.name, ck, { notValid: true }),
          rollback: [dropConstraint(schema, t.name, ck.name)],
          creates: [key.constraint(schema, t.name, ck.name)],
          requires: [table],
        }),
      );
    }
    for (const { target, text } of tableComments(schema, t)) {
      const on =
        target.kind === 'column'
          ? `column ${name}.${ident(target.column)}`
          : target.kind === 'constraint'
            ? `constraint ${ident(target.name)} on ${name}`
            : `table ${name}`;
      steps.push(
        draft({
          phase: 'expand',
          action: 'comment',
          description: `comment on ${on}`,
          sql: comment(target, text),
          rollback: [comment(target, null)],
          requires: [
            target.kind === 'column'
              ? key.column(schema, t.name, target.column)
              : target.kind === 'constraint'
                ? key.constraint(schema, t.name, target.name)
                : table,
          ],
        }),
      );
    }
    return steps;
  },
  backfill: none,
  contract: none,
};
