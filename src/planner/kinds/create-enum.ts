// create_enum: a new type is additive, so it is created in expand; its comment is a statement of its own.
import type { CreateEnum } from '../../diff/index.js';
import { comment, createEnum, dropType } from '../../sql/render/index.js';
import { qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, StepDraft } from '../types.js';

export const createEnumHandler: Handler<CreateEnum> = {
  validate: () => [],
  expand(c) {
    const e = c.enum;
    const type = key.type(c.schema, e.name);
    const steps: StepDraft[] = [
      draft({
        phase: 'expand',
        action: 'create_enum',
        description: `create enum ${qualified(c.schema, e.name)}`,
        sql: createEnum(c.schema, e),
        rollback: [dropType(c.schema, e.name)],
        creates: [type],
        requires: [key.schema(c.schema)],
      }),
    ];
    if (e.comment !== undefined) {
      const target = { kind: 'type', schema: c.schema, name: e.name } as const;
      steps.push(
        draft({
          phase: 'expand',
          action: 'comment_enum',
          description: `comment on enum ${qualified(c.schema, e.name)}`,
          sql: comment(target, e.comment),
          rollback: [comment(target, null)],
          requires: [type],
        }),
      );
    }
    return steps;
  },
  backfill: none,
  contract: none,
};
