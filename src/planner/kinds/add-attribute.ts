// add_attribute: ALTER TYPE ... ADD ATTRIBUTE in expand. Values of the type stored in table columns are not
// rewritten (they read the new attribute as NULL), so no table is scanned; PostgreSQL refuses it (RESTRICT)
// while a typed table uses the type. The rollback drops the attribute.
import type { AddAttribute } from '../../diff/index.js';
import { addAttribute, dropAttribute } from '../../sql/render/index.js';
import { ident, qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import { typeKeys } from '../recipes/tables.js';
import type { Handler } from '../types.js';

export const addAttributeHandler: Handler<AddAttribute> = {
  validate: () => [],
  expand(c, ctx) {
    const a = c.attribute;
    return [
      draft({
        phase: 'expand',
        action: 'add_attribute',
        description: `add attribute ${ident(a.name)} ${a.type} to ${qualified(c.schema, c.type.name)}`,
        sql: addAttribute(c.schema, c.type.name, a),
        rollback: [dropAttribute(c.schema, c.type.name, a.name)],
        requires: [key.type(c.schema, c.type.name), ...typeKeys(ctx, a.type)],
      }),
    ];
  },
  backfill: none,
  contract: none,
};
