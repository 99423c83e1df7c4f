// alter_sequence: ALTER SEQUENCE in place (expand) with only the options that differ; the rollback is the same
// statement with the source's values. AS changes the bounds implied by the type, so with a type change both
// bounds are always spelled out. The lock (SHARE ROW EXCLUSIVE) is on the sequence, which is no table; it
// makes nextval() wait for the moment the statement runs. A sequence never used sits on its old START, which
// new bounds may exclude (MINVALUE 1000 START WITH 1000 fails with "RESTART value (1) cannot be less than
// MINVALUE"): a step before moves an unused sequence (is_called false) to the new START, so it hands out what a
// sequence created from the target would; a used one is left alone, and the bounds check applies to it.
import type { AlterSequence } from '../../diff/index.js';
import type { Sequence } from '../../schema/model/model.js';
import { InvalidModelError } from '../../errors.js';
import { alterSequenceOwnedBy } from '../../sql/render/index.js';
import { literal, qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, Hazard, StepDraft } from '../types.js';

function int(schema: string, s: Sequence, field: 'increment' | 'min' | 'max' | 'start' | 'cache'): string {
  const value = s[field];
  if (!/^-?[0-9]+$/.test(value))
    throw new InvalidModelError(
      `sequence ${qualified(schema, s.name)}`,
      `${field} ${JSON.stringify(value)} is not an integer`,
    );
  return value;
}

const sameOwner = (a: Sequence['ownedBy'], b: Sequence['ownedBy']): boolean =>
  a?.table === b?.table && a?.column === b?.column;

/** `ALTER SEQUENCE s <options>` turning `from` into `to`. */
function alterSequence(schema: string, from: Sequence, to: Sequence): string {
  const retyped = from.type !== to.type;
  const options: string[] = [];
  if (retyped) options.push(`AS ${to.type}`);
  if (from.increment !== to.increment) options.push(`INCREMENT BY ${int(schema, to, 'increment')}`);
  if (retyped || from.min !== to.min) options.push(`MINVALUE ${int(schema, to, 'min')}`);
  if (retyped || from.max !== to.max) options.push(`MAXVALUE ${int(schema, to, 'max')}`);
  if (from.start !== to.start) options.push(`START WITH ${int(schema, to, 'start')}`);
  if (from.cache !== to.cache) options.push(`CACHE ${int(schema, to, 'cache')}`);
  if (from.cycle !== to.cycle) options.push(to.cycle ? 'CYCLE' : 'NO CYCLE');
  const head = `ALTER SEQUENCE ${qualified(schema, to.name)}`;
  // The renderer's OWNED BY clause, without its own ALTER SEQUENCE prefix.
  if (!sameOwner(from.ownedBy, to.ownedBy))
    options.push(alterSequenceOwnedBy(schema, to.name, to.ownedBy ?? null).slice(head.length + 1));
  return `${head} ${options.join(' ')}`;
}

/** Narrower bounds fail when the sequence's current value lies outside them. */
function narrows(from: Sequence, to: Sequence): boolean {
  return BigInt(to.min) > BigInt(from.min) || BigInt(to.max) < BigInt(from.max);
}

const within = (s: Sequence, value: string): boolean =>
  BigInt(value) >= BigInt(s.min) && BigInt(value) <= BigInt(s.max);

/** Moves a never-used sequence to `value` (setval checks it against the bounds in force then). */
function restartUnused(schema: string, s: Sequence, value: string): string {
  const name = qualified(schema, s.name);
  return `SELECT setval(${literal(name)}, ${value}, false) FROM ${name} WHERE NOT is_called`;
}

/** The step before the ALTER when the old START of an unused sequence is outside the new bounds. */
function unusedToNewStart(schema: string, from: Sequence, to: Sequence): StepDraft[] {
  if (within(to, from.start) || !within(to, to.start) || !within(from, to.start)) return [];
  return [
    draft({
      phase: 'expand',
      action: 'restart_unused_sequence',
      description: `move sequence ${qualified(schema, to.name)} to ${to.start} if it was never used (its old start is outside the new bounds)`,
      sql: restartUnused(schema, to, int(schema, to, 'start')),
      rollback: [restartUnused(schema, from, int(schema, from, 'start'))],
      requires: [key.sequence(schema, to.name)],
    }),
  ];
}

export const alterSequenceHandler: Handler<AlterSequence> = {
  validate: () => [],
  expand(c) {
    const { schema, from, to } = c;
    const owner =
      to.ownedBy && !sameOwner(from.ownedBy, to.ownedBy)
        ? [key.table(schema, to.ownedBy.table), key.column(schema, to.ownedBy.table, to.ownedBy.column)]
        : [];
    const sql = alterSequence(schema, from, to); // checks the numbers before narrows() reads them
    const hazards: Hazard[] = narrows(from, to) ? ['CORRECTNESS'] : [];
    return [
      ...unusedToNewStart(schema, from, to),
      draft({
        phase: 'expand',
        action: 'alter_sequence',
        description:
          `alter sequence ${qualified(schema, to.name)}` +
          (hazards.length ? ' (fails if its current value is outside the new bounds)' : ''),
        sql,
        rollback: [alterSequence(schema, to, from)],
        lock: 'SHARE ROW EXCLUSIVE',
        hazards,
        requires: [key.sequence(schema, to.name), ...owner],
      }),
    ];
  },
  backfill: none,
  contract: none,
};
