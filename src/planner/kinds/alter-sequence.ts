// alter_sequence: ALTER SEQUENCE in place (expand) with only the options that differ; the rollback is the same
// statement with the source's values. AS changes the bounds implied by the type, so with a type change both
// bounds are always spelled out. The lock (SHARE ROW EXCLUSIVE) is on the sequence, which is no table; it
// makes nextval() wait for the moment the statement runs.
import type { AlterSequence } from '../../diff/index.js';
import type { Sequence } from '../../schema/model/model.js';
import { InvalidModelError } from '../../errors.js';
import { alterSequenceOwnedBy } from '../../sql/render/index.js';
import { qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, Hazard } from '../types.js';

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
