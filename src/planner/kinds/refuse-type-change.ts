// refuse_type_change: a domain's base type, a composite attribute's type or position, or a range's definition
// changed. PostgreSQL has no in-place form that leaves the type's columns untouched, so the plan refuses with
// the reason and the way through (a new type, columns moved to it by their own changes).
import type { RefuseTypeChange } from '../../diff/index.js';
import { qualified } from '../../db/quote.js';
import { none } from '../draft.js';
import type { Handler } from '../types.js';

export const refuseTypeChangeHandler: Handler<RefuseTypeChange> = {
  validate: (c) => [
    {
      change: c,
      message: `${c.what} ${qualified(c.schema, c.type)} cannot be changed in place: ${c.reason}`,
      fix: `declare a new ${c.what} under another name, change the columns to it, then drop ${qualified(c.schema, c.type)}`,
    },
  ],
  expand: none,
  backfill: none,
  contract: none,
};
