// set_comment: COMMENT ON each kind of target, the previous comment as the rollback, the relation it locks.
import { expect, it } from 'vitest';
import type { CommentTarget } from '../../../src/diff/index.js';
import { objectHandlers as H } from '../../support/families.js';
import { key } from '../../../src/planner/keys.js';
import { context, db, keys, shown, steps } from './objects-fixtures.js';

const S = 'C "s"';
it.each<{
  name: string;
  target: CommentTarget;
  from: string | null;
  to: string | null;
  sql: string;
  back: string;
  lock: string;
  lockedTables: string[];
  requires: string[];
  newTables?: string[];
}>([
  {
    name: 'schema, set',
    target: { kind: 'schema' },
    from: null,
    to: 'a',
    sql: `COMMENT ON SCHEMA "C ""s""" IS 'a'`,
    back: `COMMENT ON SCHEMA "C ""s""" IS NULL`,
    lock: 'none',
    lockedTables: [],
    requires: [key.schema(S)],
  },
  {
    name: 'table, removed',
    target: { kind: 'table', table: 'Täble' },
    from: "it's",
    to: null,
    sql: `COMMENT ON TABLE "C ""s"""."Täble" IS NULL`,
    back: `COMMENT ON TABLE "C ""s"""."Täble" IS 'it''s'`,
    lock: 'SHARE UPDATE EXCLUSIVE',
    lockedTables: ['"C ""s"""."Täble"'],
    requires: [key.table(S, 'Täble')],
  },
  {
    name: 'column, changed',
    target: { kind: 'column', table: 't', column: 'Note' },
    from: 'old',
    to: 'ünïcode',
    sql: `COMMENT ON COLUMN "C ""s""".t."Note" IS 'ünïcode'`,
    back: `COMMENT ON COLUMN "C ""s""".t."Note" IS 'old'`,
    lock: 'SHARE UPDATE EXCLUSIVE',
    lockedTables: ['"C ""s""".t'],
    requires: [key.table(S, 't'), key.column(S, 't', 'Note')],
  },
  {
    name: 'index: the index is the relation locked',
    target: { kind: 'index', table: 't', index: 'T idx' },
    from: 'x',
    to: 'y',
    sql: `COMMENT ON INDEX "C ""s"""."T idx" IS 'y'`,
    back: `COMMENT ON INDEX "C ""s"""."T idx" IS 'x'`,
    lock: 'SHARE UPDATE EXCLUSIVE',
    lockedTables: ['"C ""s"""."T idx"'],
    requires: [key.index(S, 'T idx')],
  },
  {
    name: 'index of a table created by the plan: nothing existing is locked',
    target: { kind: 'index', table: 't', index: 'i' },
    from: null,
    to: 'y',
    sql: `COMMENT ON INDEX "C ""s""".i IS 'y'`,
    back: `COMMENT ON INDEX "C ""s""".i IS NULL`,
    lock: 'SHARE UPDATE EXCLUSIVE',
    lockedTables: [],
    requires: [key.index(S, 'i')],
    newTables: [`${S}.t`],
  },
  {
    name: 'enum',
    target: { kind: 'enum', enum: 'e' },
    from: 'old',
    to: 'new',
    sql: `COMMENT ON TYPE "C ""s""".e IS 'new'`,
    back: `COMMENT ON TYPE "C ""s""".e IS 'old'`,
    lock: 'none',
    lockedTables: [],
    requires: [key.type(S, 'e')],
  },
])('$name', ({ target, from, to, sql, back, lock, lockedTables, requires, newTables }) => {
  const drafts = steps(
    H.set_comment,
    { kind: 'set_comment', schema: S, target, from, to },
    context(db(), db(), 170000, newTables),
  );
  expect(drafts.map(shown)).toEqual([
    {
      phase: 'expand',
      releaseOffset: 0,
      action: 'set_comment',
      sql,
      rollback: [back],
      lock,
      lockedTables,
      transactional: true,
      hazards: [],
    },
  ]);
  expect(keys(drafts[0]!)).toEqual({ creates: [], requires, drops: [] });
  expect(H.set_comment.validate({ kind: 'set_comment', schema: S, target, from, to }, context(db()))).toEqual([]);
});
