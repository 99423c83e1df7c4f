// create_schema: CREATE SCHEMA in expand (nothing uses it yet), and its comment as a step of its own. The
// rollback is DROP SCHEMA without CASCADE: it runs after everything the plan put in the schema was rolled back,
// so a schema that is not empty by then means something else moved in, and failing is the right answer.
import type { CreateSchema } from '../../diff/index.js';
import { ident } from '../../db/quote.js';
import { comment, createSchema, dropSchema } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, StepDraft } from '../types.js';

export const createSchemaHandler: Handler<CreateSchema> = {
  validate: () => [],
  expand(c) {
    const steps: StepDraft[] = [
      draft({
        phase: 'expand',
        action: 'create_schema',
        description: `create schema ${ident(c.schema)}`,
        sql: createSchema(c.schema),
        rollback: [dropSchema(c.schema)],
        creates: [key.schema(c.schema)],
      }),
    ];
    if (c.comment !== undefined) {
      const target = { kind: 'schema', schema: c.schema } as const;
      steps.push(
        draft({
          phase: 'expand',
          action: 'comment_schema',
          description: `comment on schema ${ident(c.schema)}`,
          sql: comment(target, c.comment),
          rollback: [comment(target, null)],
          requires: [key.schema(c.schema)],
        }),
      );
    }
    return steps;
  },
  backfill: none,
  contract: none,
};
