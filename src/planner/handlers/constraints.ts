// The key, constraint and index handlers, one file per change kind.
//
// Object keys, one convention for the whole family (dependents.ts explains why):
// - a primary key or unique constraint creates key.index(schema, name) (its index, built in expand) and
//   key.constraint(schema, table, name) (the constraint, in contract, or at once on a new table);
// - a plain index creates key.index(schema, name) only;
// - a foreign key requires key.table and key.column on both sides and key.index of EVERY key of the
//   referenced table PostgreSQL could pick for it (same columns as a set); its VALIDATE step also requires
//   their key.constraint; a foreign key drop requires the source's, so it precedes their drops;
// - checks and indexes require the columns their expressions mention (a word match, over-approximated).
// Milestones (ordering-only keys, dependents.ts and constraints-common.ts): `gone:<key>` created by every step
// dropping a key, `readded:<key>` by a foreign key re-added after its key was dropped, `not_null:` required
// by ADD PRIMARY KEY USING INDEX for columns another change makes NOT NULL.
import type { ChangeOf } from '../../diff/index.js';
import type { Handler } from '../types.js';
import { addCheck } from './add_check.js';
import { addForeignKey } from './add_foreign_key.js';
import { addIndex } from './add_index.js';
import { addPrimaryKey } from './add_primary_key.js';
import { addUnique } from './add_unique.js';
import { dropCheck } from './drop_check.js';
import { dropForeignKey } from './drop_foreign_key.js';
import { dropIndex } from './drop_index.js';
import { dropPrimaryKey } from './drop_primary_key.js';
import { dropUnique } from './drop_unique.js';
import { validateCheck } from './validate_check.js';
import { validateForeignKey } from './validate_foreign_key.js';

type Kinds =
  | 'add_primary_key'
  | 'drop_primary_key'
  | 'add_unique'
  | 'drop_unique'
  | 'add_foreign_key'
  | 'drop_foreign_key'
  | 'validate_foreign_key'
  | 'add_check'
  | 'drop_check'
  | 'validate_check'
  | 'add_index'
  | 'drop_index';

export const constraintHandlers: { readonly [K in Kinds]: Handler<ChangeOf<K>> } = {
  add_primary_key: addPrimaryKey,
  drop_primary_key: dropPrimaryKey,
  add_unique: addUnique,
  drop_unique: dropUnique,
  add_foreign_key: addForeignKey,
  drop_foreign_key: dropForeignKey,
  validate_foreign_key: validateForeignKey,
  add_check: addCheck,
  drop_check: dropCheck,
  validate_check: validateCheck,
  add_index: addIndex,
  drop_index: dropIndex,
};
